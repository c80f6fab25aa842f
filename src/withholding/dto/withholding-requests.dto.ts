import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, Matches, Max, MaxLength, Min } from 'class-validator';
import { Fen } from '../../common/fen';
import { AgreementNoField, BaseRequest, BillKeyField, CompanyIdField } from '../../protocol/base-request.dto';
import { AmountField, IntegerField, ListField, TextField } from '../../protocol/message-fields';

const AMOUNT_DOC = { type: 'string', description: 'yuan, two decimals at most, > 0 (JSON number or string)', example: '86.40' } as const;

/** The most items one debit batch may carry (CONTRACT §4, §9). */
export const MAX_BATCH_ITEMS = 1000;

/** ResultCode of a debited item in BackDisc; any other code is a failure. */
export const DEBITED_RESULT_CODE = '0000';

class CustomerFields extends BaseRequest {
  @BillKeyField()
  BillKey: string;

  @CompanyIdField()
  CompanyId: string;
}

/** 代扣签约 Signing. */
export class SigningRequest extends CustomerFields {
  @ApiProperty({ description: '账户名 (answered masked: 张*丰)', example: '张三丰', maxLength: 150 })
  @TextField()
  @MaxLength(150)
  AccountName: string;

  @ApiProperty({
    description: '账号: 8–30 digits; encrypted at rest, answered masked (6222***********0123)',
    example: '6222021234567890123',
    pattern: '^\\d{8,30}$',
  })
  @TextField()
  @Matches(/^\d{8,30}$/, { message: 'must be 8-30 digits' })
  AccountNo: string;

  @ApiProperty({ description: '开户行名称', example: '示范银行', maxLength: 150 })
  @TextField()
  @MaxLength(150)
  BankName: string;

  @ApiPropertyOptional({ description: '0 本行, 1 他行 (default 0)', enum: [0, 1], example: 0 })
  @IntegerField({ optional: true })
  @IsIn([0, 1], { message: 'must be 0 (本行) or 1 (他行)' })
  BankType?: number;

  @ApiPropertyOptional({ description: '合同号', example: 'HT20240101001', maxLength: 150 })
  @TextField({ optional: true })
  @MaxLength(150)
  ContractNo?: string;

  @ApiPropertyOptional({ ...AMOUNT_DOC, description: '单笔代扣上限: a debit above it is refused (DEF0011)', example: '500.00' })
  @AmountField({ optional: true })
  MaxAmount?: Fen;
}

/** 协议查询 AgreementQuery. */
export class AgreementQueryRequest extends BaseRequest {
  @AgreementNoField()
  AgreementNo: string;

  @CompanyIdField()
  CompanyId: string;
}

/** 代扣解约 Termination (seed; its field order and limits). */
export class TerminationRequest extends CustomerFields {
  @AgreementNoField()
  AgreementNo: string;
}

/** One debit of a SendDisc list. */
export class WithholdingItem {
  @BillKeyField()
  BillKey: string;

  @CompanyIdField()
  CompanyId: string;

  @AgreementNoField()
  AgreementNo: string;

  @ApiProperty({ ...AMOUNT_DOC, description: "扣款金额: the customer's unpaid total" })
  @AmountField()
  PayAmount: Fen;
}

class BatchNoField extends BaseRequest {
  @ApiProperty({ description: '批次号, unique per institution', example: 'B20240101001', maxLength: 50 })
  @TextField()
  @MaxLength(50)
  BatchNo: string;
}

/** 代扣送盘 SendDisc. */
export class SendDiscRequest extends BatchNoField {
  @ApiProperty({ description: '总笔数 (1–1000): the number of items', example: 1, minimum: 1, maximum: MAX_BATCH_ITEMS })
  @IntegerField()
  @Min(1)
  @Max(MAX_BATCH_ITEMS)
  TotalCount: number;

  @ApiProperty({ ...AMOUNT_DOC, description: '总金额: the sum of the items' })
  @AmountField()
  TotalAmount: Fen;

  @ApiProperty({ description: '代扣明细 (XML `<WithholdingList><Item>…`)', type: [WithholdingItem] })
  @ListField(() => WithholdingItem)
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  WithholdingList: WithholdingItem[];
}

/** One result of a BackDisc list. */
export class DebitResultItem extends WithholdingItem {
  @ApiProperty({ description: `结果码: ${DEBITED_RESULT_CODE} debited, anything else failed`, example: DEBITED_RESULT_CODE, maxLength: 10 })
  @TextField()
  @MaxLength(10)
  ResultCode: string;

  @ApiProperty({ description: '结果说明', example: '扣款成功', maxLength: 150 })
  @TextField()
  @MaxLength(150)
  ResultMessage: string;

  @ApiPropertyOptional({ description: '银行流水号', example: 'BK202401010001', maxLength: 64 })
  @TextField({ optional: true })
  @MaxLength(64)
  BankTranSeq?: string;
}

/** 代扣回盘 BackDisc. */
export class BackDiscRequest extends BatchNoField {
  @ApiProperty({ description: '总笔数: SuccessCount + FailCount, the number of results', example: 1, minimum: 1, maximum: MAX_BATCH_ITEMS })
  @IntegerField()
  @Min(1)
  @Max(MAX_BATCH_ITEMS)
  TotalCount: number;

  @ApiProperty({ description: '成功笔数', example: 1, minimum: 0, maximum: MAX_BATCH_ITEMS })
  @IntegerField()
  @Max(MAX_BATCH_ITEMS)
  SuccessCount: number;

  @ApiProperty({ description: '失败笔数', example: 0, minimum: 0, maximum: MAX_BATCH_ITEMS })
  @IntegerField()
  @Max(MAX_BATCH_ITEMS)
  FailCount: number;

  @ApiProperty({ description: '扣款结果 (XML `<ResultList><Item>…`)', type: [DebitResultItem] })
  @ListField(() => DebitResultItem)
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  ResultList: DebitResultItem[];
}

/** 取消代扣 CancelDisc. */
export class CancelDiscRequest extends BatchNoField {
  @BillKeyField()
  BillKey: string;

  @CompanyIdField()
  CompanyId: string;

  @AgreementNoField()
  AgreementNo: string;

  @ApiProperty({ description: '取消原因', example: '客户要求取消', maxLength: 150 })
  @TextField()
  @MaxLength(150)
  CancelReason: string;
}

/** 送盘/回盘查询 DiscQuery. */
export class DiscQueryRequest extends BatchNoField {}
