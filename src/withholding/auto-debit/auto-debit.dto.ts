import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import type { BuiltBatch } from './auto-debit.service';

export class BuiltBatchItemView {
  @ApiProperty({ example: '123456' }) billKey: string;
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: 'AGR001' }) agreementNo: string;
  @ApiProperty({ description: 'yuan', example: '86.40' }) payAmount: string;
}

export class BuiltBatchView {
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ description: '`A<YYYYMMDD><4 digits>`', example: 'A202401010001' }) batchNo: string;
  @ApiProperty({ example: 1 }) totalCount: number;
  @ApiProperty({ description: 'yuan', example: '86.40' }) totalAmount: string;
  @ApiProperty({ type: [BuiltBatchItemView] }) items: BuiltBatchItemView[];
}

export class AutoDebitRunView {
  @ApiProperty({ type: [BuiltBatchView], description: 'The batches built now; empty when no signed customer has a bill due' })
  batches: BuiltBatchView[];
}

export class BatchDeliveryQueryDto {
  @ApiPropertyOptional({ description: 'The message format (default json)', enum: ['xml', 'json'], example: 'xml' })
  @IsOptional()
  @IsIn(['xml', 'json'])
  format?: 'xml' | 'json';

  @ApiPropertyOptional({ description: 'The institution, when several have a batch of that number', example: '00001' })
  @IsOptional()
  @IsString()
  @Length(1, 30)
  instId?: string;
}

export function builtBatchView(batch: BuiltBatch): BuiltBatchView {
  return {
    instId: batch.instId,
    batchNo: batch.batchNo,
    totalCount: batch.totalCount,
    totalAmount: batch.totalAmount.toYuan(),
    items: batch.items.map((item) => ({
      billKey: item.billKey,
      companyId: item.companyId,
      agreementNo: item.agreementNo,
      payAmount: item.payAmount.toYuan(),
    })),
  };
}
