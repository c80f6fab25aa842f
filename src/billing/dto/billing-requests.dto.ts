import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches, Max, MaxLength } from 'class-validator';
import { Fen } from '../../common/fen';
import { BaseRequest, BillKeyField, CompanyIdField } from '../../protocol/base-request.dto';
import { AmountField, IntegerField, TextField } from '../../protocol/message-fields';

const AMOUNT_DOC = { type: 'string', description: 'yuan, two decimals at most, > 0 (JSON number or string)', example: '150.00' } as const;

/** 账单查询 Query. */
export class QueryRequest extends BaseRequest {
  @BillKeyField('客户编号 (缴费号)')
  BillKey: string;

  @CompanyIdField('机构编码 (the utility branch)')
  CompanyId: string;
}

/** 账单缴费 Pay. */
export class PayRequest extends QueryRequest {
  @ApiProperty({ ...AMOUNT_DOC, description: '缴费金额: the due total of the bills it settles' })
  @AmountField()
  PayAmount: Fen;

  @ApiPropertyOptional({ description: '二级渠道 (integer, default 0)', example: 0 })
  @IntegerField({ optional: true })
  @Max(999999)
  SubChannel?: number;

  @ApiPropertyOptional({ description: '账单号: settle only this bill', example: 'B202401123456', maxLength: 40 })
  @TextField({ optional: true })
  @Matches(/^[A-Za-z0-9_-]{1,40}$/)
  BillNo?: string;
}

/** 账单红冲 PayInvalid (seed; its field order). */
export class PayInvalidRequest extends BaseRequest {
  @ApiProperty({ description: '原交易流水号', example: 'TXN123456789012', maxLength: 40 })
  @TextField()
  @MaxLength(40)
  OriginalTranSeq: string;

  @BillKeyField()
  BillKey: string;

  @CompanyIdField()
  CompanyId: string;

  @ApiPropertyOptional({ ...AMOUNT_DOC, description: '红冲金额: when sent, must equal the original payment' })
  @AmountField({ optional: true })
  PayAmount?: Fen;
}

/** 缴费查询 PayQuery. */
export class PayQueryRequest extends BaseRequest {
  @ApiProperty({ description: '原交易流水号', example: 'TXN123456789012', maxLength: 40 })
  @TextField()
  @MaxLength(40)
  OriginalTranSeq: string;

  @CompanyIdField()
  CompanyId: string;
}
