import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { BillStatus } from '../../billing/entities/bill.entity';
import { TranStatus } from '../../billing/entities/ledger-transaction.entity';
import { BatchStatus } from '../../withholding/entities/debit-batch.entity';
import { AgreementStatus } from '../../withholding/entities/withholding-agreement.entity';
import { IntegerQuery, IsCalendarDate, NormalizeDate } from '../validation/field-rules';

export const MAX_PAGE_SIZE = 1000;

export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page number, from 1', default: 1, minimum: 1, example: 1 })
  @IsOptional()
  @IntegerQuery()
  @IsInt()
  @Min(1)
  page: number = 1;

  @ApiPropertyOptional({ description: 'Items per page', default: 50, minimum: 1, maximum: MAX_PAGE_SIZE, example: 50 })
  @IsOptional()
  @IntegerQuery()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize: number = 50;
}

/** The filters every listing takes; `status` is added per listing with its own values. */
export class RecordFilterQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Institution (InstId)', example: '00001' })
  @IsOptional()
  @IsString()
  @Length(1, 30)
  instId?: string;

  @ApiPropertyOptional({ description: 'Company (CompanyId)', example: '654321' })
  @IsOptional()
  @IsString()
  @Length(1, 30)
  companyId?: string;

  @ApiPropertyOptional({ description: 'Customer (BillKey)', example: '123456' })
  @IsOptional()
  @IsString()
  @Length(1, 35)
  billKey?: string;

  @ApiPropertyOptional({ description: 'A business date, YYYYMMDD or YYYY-MM-DD', example: '20240131' })
  @IsOptional()
  @NormalizeDate()
  @IsCalendarDate({ message: 'date must be a real date as YYYYMMDD or YYYY-MM-DD' })
  date?: string;
}

export class BillListQueryDto extends RecordFilterQueryDto {
  @ApiPropertyOptional({
    description: '0 unpaid, 1 paid, 2 held by an open debit batch; `date` filters the due date; `instId` the companies assigned to it',
    enum: [0, 1, 2],
    example: 0,
  })
  @IsOptional()
  @IntegerQuery()
  @IsIn([BillStatus.Unpaid, BillStatus.Paid, BillStatus.Held])
  status?: BillStatus;
}

export class TransactionListQueryDto extends RecordFilterQueryDto {
  @ApiPropertyOptional({ description: 'TranStatus: 1 success, 2 reversed; `date` filters the business date', enum: [1, 2], example: 1 })
  @IsOptional()
  @IntegerQuery()
  @IsIn([TranStatus.Success, TranStatus.Reversed])
  status?: TranStatus;
}

export class AgreementListQueryDto extends RecordFilterQueryDto {
  @ApiPropertyOptional({ description: '1 signed, 2 terminated; `date` filters the sign date', enum: [1, 2], example: 1 })
  @IsOptional()
  @IntegerQuery()
  @IsIn([AgreementStatus.Signed, AgreementStatus.Terminated])
  status?: AgreementStatus;
}

export class BatchListQueryDto extends RecordFilterQueryDto {
  @ApiPropertyOptional({
    description:
      '0 pending, 1 processing, 2 succeeded, 3 failed, 4 cancelled; `date` filters the business date; `companyId`/`billKey` match batches with such an item',
    enum: [0, 1, 2, 3, 4],
    example: 1,
  })
  @IsOptional()
  @IntegerQuery()
  @IsIn([BatchStatus.Pending, BatchStatus.Processing, BatchStatus.Succeeded, BatchStatus.Failed, BatchStatus.Cancelled])
  status?: BatchStatus;
}

export class BillListItemView {
  @ApiProperty({ example: 'B202401123456' }) billNo: string;
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: '123456' }) billKey: string;
  @ApiProperty({ example: '150.00' }) amount: string;
  @ApiProperty({ example: '0.00' }) lateFee: string;
  @ApiProperty({ example: '202401' }) period: string;
  @ApiProperty({ example: '2024-01-31' }) dueDate: string;
  @ApiProperty({ example: 0, description: '0 unpaid, 1 paid, 2 held by an open debit batch' }) status: number;
}

export class TransactionView {
  @ApiProperty({ example: 'TXN123456789012' }) tranSeq: string;
  @ApiProperty({ example: 'Pay', enum: ['Pay', 'PayInvalid', 'Withhold'] }) tranCode: string;
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: '123456' }) billKey: string;
  @ApiProperty({ example: '150.00', description: 'Negative for a reversal' }) amount: string;
  @ApiProperty({ example: 1, description: '1 success, 2 reversed' }) tranStatus: number;
  @ApiProperty({ example: '2024-01-15T02:30:00.000Z' }) payDate: string;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'The reversed transaction, on a reversal' }) originalTranSeq:
    string | null;
  @ApiProperty({ example: 0 }) subChannel: number;
  @ApiProperty({ example: ['B202401123456'], type: [String] }) billNos: string[];
}

export class AgreementView {
  @ApiProperty({ example: 'AGR001' }) agreementNo: string;
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ example: '654321' }) companyId: string;
  @ApiProperty({ example: '123456' }) billKey: string;
  @ApiProperty({ example: '6222***********0123', description: 'Masked; the number itself is only stored encrypted' }) accountNo: string;
  @ApiProperty({ example: '张*丰', description: 'Masked' }) accountName: string;
  @ApiProperty({ example: '示范银行' }) bankName: string;
  @ApiProperty({ example: 1, description: '1 signed, 2 terminated' }) status: number;
  @ApiProperty({ example: '2024-01-15' }) signDate: string;
  @ApiProperty({ example: null, nullable: true, type: String }) terminationDate: string | null;
}

export class BatchView {
  @ApiProperty({ example: 'A202401150001' }) batchNo: string;
  @ApiProperty({ example: '00001' }) instId: string;
  @ApiProperty({ example: 1, description: '0 pending, 1 processing, 2 succeeded, 3 failed, 4 cancelled' }) status: number;
  @ApiProperty({ example: 2 }) totalCount: number;
  @ApiProperty({ example: '236.40' }) totalAmount: string;
  @ApiProperty({ example: 0 }) successCount: number;
  @ApiProperty({ example: 0 }) failCount: number;
  @ApiProperty({ example: 0 }) cancelCount: number;
  @ApiProperty({ example: 'partner', enum: ['partner', 'auto'] }) origin: string;
  @ApiProperty({ example: '2024-01-15' }) businessDate: string;
}

export abstract class PageView {
  @ApiProperty({ example: 1 }) total: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) pageSize: number;
}

export class BillPageView extends PageView {
  @ApiProperty({ type: [BillListItemView] }) items: BillListItemView[];
}

export class TransactionPageView extends PageView {
  @ApiProperty({ type: [TransactionView] }) items: TransactionView[];
}

export class AgreementPageView extends PageView {
  @ApiProperty({ type: [AgreementView] }) items: AgreementView[];
}

export class BatchPageView extends PageView {
  @ApiProperty({ type: [BatchView] }) items: BatchView[];
}
