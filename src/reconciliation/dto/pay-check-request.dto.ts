import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MaxLength, ValidateBy } from 'class-validator';
import { BaseRequest, CompanyIdField } from '../../protocol/base-request.dto';
import { Fen } from '../../common/fen';
import { AmountField, IntegerField, TextField } from '../../protocol/message-fields';
import { isoDateOf } from '../reconciliation-file';

const IsCompactDate = () =>
  ValidateBy({
    name: 'isCompactDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isoDateOf(value) !== null,
      defaultMessage: () => 'must be a real date as YYYYMMDD',
    },
  });

/** 缴费对账 PayCheck (CONTRACT §4, §8). */
export class PayCheckRequest extends BaseRequest {
  @CompanyIdField('机构编码: a company assigned to the caller (else DEF0001)')
  CompanyId: string;

  @ApiProperty({ description: '对账日期 YYYYMMDD: the business date (BUSINESS_TZ) reconciled', example: '20240101', pattern: '^\\d{8}$' })
  @TextField()
  @IsCompactDate()
  PayDate: string;

  @ApiProperty({ description: "交易笔数: the partner's count of transactions that day (payments, withholdings and reversals)", example: 2 })
  @IntegerField()
  PayCount: number;

  @ApiProperty({
    type: 'string',
    description:
      "总金额: the partner's net sum in yuan, reversals negative, so it may be 0.00 or negative; at most 13 digits and two decimals, " +
      'optional leading minus; a JSON number or string like every amount: -150.00',
    example: '236.40',
    pattern: '^-?\\d{1,13}(\\.\\d{1,2})?$',
  })
  @AmountField({ signed: true })
  PayMoney: Fen;

  @ApiProperty({ description: '对账文件名: `<CompanyId>_<PayDate>.txt` (else PRM3003)', example: '654321_20240101.txt', maxLength: 100 })
  @TextField()
  @MaxLength(100)
  FileName: string;

  @ApiPropertyOptional({
    description:
      'The partner’s §8 file, standard base64 (line breaks allowed), ≤ 16 MiB of body. With it every transaction is compared by TranSeq; ' +
      'without it only PayCount and PayMoney are.',
    example:
      'MnwyMzYuNDAKMjAyNDAxMDF8VFhOMTIzNDU2Nzg5MDEyfDEyMzQ1NnwxNTAuMDB8MHxQYXkKMjAyNDAxMDF8VFhOMTIzNDU2Nzg5MDEzfDEyMzQ1Nnw4Ni40MHwwfFBheQo=',
  })
  @TextField({ optional: true })
  FileContent?: string;
}
