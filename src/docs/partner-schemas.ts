import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PROTOCOL_VERSION } from '../protocol/base-request.dto';
import { httpStatusOf, messageOf, RespCode } from '../protocol/errors';
import type { TranCode } from '../protocol/partner-operation';

export type Schema = SchemaObject | ReferenceObject;

export const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

const text = (description: string, example?: string, extra: SchemaObject = {}): SchemaObject => ({
  type: 'string',
  description,
  ...(example === undefined ? {} : { example }),
  ...extra,
});
const integer = (description: string, example: number, values?: number[]): SchemaObject => ({
  type: 'integer',
  description,
  example,
  ...(values ? { enum: values } : {}),
});
/** Yuan: a JSON number token with exactly two decimals (`-150.00`), XML text; JSON examples lose the trailing zeros. */
const amount = (description: string, example: number): SchemaObject => ({
  type: 'number',
  description: `${description} (元; JSON: a number token with exactly two decimals, e.g. \`-150.00\`; XML: the same text)`,
  example,
});
const isoDate = (description: string, example: string): SchemaObject => text(description, example, { pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
/** An XML list: `<Name><Item>…</Item></Name>` (the item element's name comes from the item schema's `xml.name`). */
const list = (items: Schema, description: string): SchemaObject => ({ type: 'array', description, xml: { wrapped: true }, items });

function object(properties: Record<string, Schema>, required: string[], extra: SchemaObject = {}): SchemaObject {
  return { type: 'object', required, properties, additionalProperties: false, ...extra };
}

/** The business objects of CONTRACT §4, as the service writes them (absent values are left out). */
const BUSINESS_SCHEMAS: Record<string, SchemaObject> = {
  Customer: object(
    {
      BillKey: text('客户编号 (缴费号)', '123456'),
      CustomerName: text('客户名称, masked: first and last character kept (张*丰), two characters as 张*', '张*丰'),
      CompanyId: text('机构编码 (the utility branch)', '654321'),
      AgreementNo: text("协议号 of the customer's signed withholding agreement with the caller, when there is one", 'AGR001'),
    },
    ['BillKey', 'CustomerName', 'CompanyId'],
  ),
  Bill: object(
    {
      BillNo: text('账单号', 'B202402123456'),
      BillKey: text('客户编号', '123456'),
      CompanyId: text('机构编码', '654321'),
      Period: text('账期 YYYYMM', '202402', { pattern: '^\\d{6}$' }),
      Amount: amount('账单金额', 86.4),
      LateFee: amount('滞纳金', 0),
      StartDate: isoDate('计费起始日 YYYY-MM-DD', '2024-02-01'),
      EndDate: isoDate('计费截止日 YYYY-MM-DD', '2024-02-29'),
      DueDate: isoDate('缴费截止日 YYYY-MM-DD', '2024-03-31'),
      BillStatus: integer('账单状态: 0 unpaid, 1 paid, 2 held by an open debit batch', 0, [0, 1, 2]),
    },
    ['BillNo', 'BillKey', 'CompanyId', 'Period', 'Amount', 'LateFee', 'StartDate', 'EndDate', 'DueDate', 'BillStatus'],
    { xml: { name: 'Bill' } },
  ),
  Transaction: object(
    {
      TranSeq: text('交易流水号: the request TranSeq; REV + TranSeq for a reversal; generated for a withholding', 'TXN123456789012'),
      BillKey: text('客户编号', '123456'),
      CompanyId: text('机构编码', '654321'),
      BillNos: list(
        { type: 'string', xml: { name: 'Item' }, example: 'B202401123456' },
        '销账账单: the bills the transaction settled (XML `<BillNos><Item>…`)',
      ),
      TranCode: text('交易类型', 'Pay', { enum: ['Pay', 'PayInvalid', 'Withhold'] }),
      PayAmount: amount('交易金额, negative for a reversal', 150),
      SubChannel: integer('二级渠道', 0),
      PayDate: text('交易时间 (UTC, ISO-8601 with milliseconds)', '2024-01-01T12:00:00.000Z', { format: 'date-time' }),
      TranStatus: integer('交易状态: 1 success, 2 reversed', 1, [1, 2]),
      OriginalTranSeq: text('原交易流水号 (reversals)', 'TXN123456789012'),
      RespCode: text('交易结果码', 'AAAAAAA'),
      RespMessage: text('交易结果说明', '成功'),
    },
    ['TranSeq', 'BillKey', 'CompanyId', 'TranCode', 'PayAmount', 'PayDate', 'TranStatus'],
  ),
  WithholdingAgreement: object(
    {
      AgreementNo: text('协议号', 'AGR001'),
      BillKey: text('客户编号', '123456'),
      CompanyId: text('机构编码', '654321'),
      AccountNo: text(
        '账号, masked: first 4 and last 4 digits when it has at least 12 (6222********1234), else * and the last 4',
        '6222***********0123',
      ),
      AccountName: text('账户名, masked like CustomerName', '张*丰'),
      BankName: text('开户行名称', '示范银行'),
      BankType: integer('0 本行, 1 他行', 0, [0, 1]),
      ContractNo: text('合同号', 'HT20240101001'),
      AgreementStatus: integer('协议状态: 1 signed, 2 terminated', 1, [1, 2]),
      SignDate: isoDate('签约日期 (business date)', '2024-01-01'),
      TerminationDate: isoDate('解约日期 (terminated agreements only)', '2024-01-01'),
      MaxAmount: amount('单笔代扣上限', 500),
    },
    ['AgreementNo', 'BillKey', 'CompanyId', 'AgreementStatus'],
  ),
  BatchItem: object(
    {
      BillKey: text('客户编号', '123456'),
      CompanyId: text('机构编码', '654321'),
      AgreementNo: text('协议号', 'AGR001'),
      PayAmount: amount('扣款金额', 86.4),
      ItemStatus: integer('明细状态: 0 pending, 1 debited, 2 failed, 3 cancelled', 1, [0, 1, 2, 3]),
      TranSeq: text('销账交易流水号 of a debited item (a Withhold transaction)', 'W20240101000001'),
    },
    ['BillKey', 'CompanyId', 'AgreementNo', 'PayAmount', 'ItemStatus'],
    { xml: { name: 'Item' } },
  ),
  Batch: object(
    {
      BatchNo: text('批次号', 'B20240101001'),
      BatchStatus: integer(
        '批次状态: 0 待处理 (built here), 1 处理中 (at the bank), 2 处理成功, 3 处理失败, 4 已取消; 0 and 1 are open',
        1,
        [0, 1, 2, 3, 4],
      ),
      TotalCount: integer('总笔数', 1),
      TotalAmount: amount('总金额', 86.4),
      SuccessCount: integer('成功笔数', 0),
      SuccessAmount: amount('成功金额', 0),
      FailCount: integer('失败笔数', 0),
      CancelCount: integer('取消笔数', 0),
      Items: list(ref('BatchItem'), '明细 (DiscQuery only; XML `<Items><Item>…`)'),
    },
    ['BatchNo', 'BatchStatus', 'TotalCount', 'TotalAmount', 'SuccessCount', 'SuccessAmount', 'FailCount', 'CancelCount'],
  ),
  CheckDifference: object(
    {
      TranSeq: text('交易流水号', 'TXN123456789013'),
      Kind: text('MISSING_HERE: only in the partner file; MISSING_THERE: only ours; AMOUNT: in both, amounts differ', 'MISSING_THERE', {
        enum: ['MISSING_HERE', 'MISSING_THERE', 'AMOUNT'],
      }),
      Ours: amount('our amount (omitted when missing here)', 86.4),
      Theirs: amount("the partner's amount (omitted when missing there)", 86.4),
    },
    ['TranSeq', 'Kind'],
    { xml: { name: 'Item' } },
  ),
  Check: object(
    {
      CompanyId: text('机构编码', '654321'),
      PayDate: text('对账日期 YYYYMMDD', '20240101', { pattern: '^\\d{8}$' }),
      CheckStatus: integer('对账结果: 0 balanced, 1 differences', 0, [0, 1]),
      PayCount: integer('our count of transactions that day', 2),
      PayMoney: amount('our net sum that day (reversals negative)', 236.4),
      Differences: list(ref('CheckDifference'), 'the first 100 differences (XML `<Differences><Item>…`)'),
      DifferenceCount: integer('all differences found (kept with the check under CheckId)', 0),
      CheckId: integer('the stored check, for the utility staff', 1),
    },
    ['CompanyId', 'PayDate', 'CheckStatus', 'PayCount', 'PayMoney', 'Differences', 'DifferenceCount', 'CheckId'],
  ),
  ErrorDetail: object(
    {
      ErrorCode: text('错误码 (= RespCode)', 'DEF0001'),
      ErrorMsg: text('错误说明, specific (names the field or record)', '客户编号123456不存在'),
      ErrorTime: text('错误时间 (UTC, ISO-8601 with milliseconds)', '2024-01-01T12:00:00.000Z', { format: 'date-time' }),
    },
    ['ErrorCode', 'ErrorMsg', 'ErrorTime'],
  ),
};

/** `Data` of each operation's success answer (CONTRACT §4). */
const DATA_OF: Record<TranCode, Record<string, Schema>> = {
  Query: {
    Customer: ref('Customer'),
    TotalAmount: amount('欠费总额: the due total of the unpaid (status 0) bills', 86.4),
    Bills: list(ref('Bill'), '账单: unpaid and held bills, oldest first (XML `<Bills><Bill>…`)'),
  },
  Pay: { Transaction: ref('Transaction') },
  PayInvalid: { Transaction: ref('Transaction') },
  PayQuery: { Transaction: ref('Transaction') },
  PayCheck: { Check: ref('Check') },
  Signing: { Agreement: ref('WithholdingAgreement') },
  AgreementQuery: { Agreement: ref('WithholdingAgreement') },
  Termination: { Agreement: ref('WithholdingAgreement') },
  SendDisc: { Batch: ref('Batch') },
  BackDisc: { Batch: ref('Batch') },
  CancelDisc: { Batch: ref('Batch') },
  DiscQuery: { Batch: ref('Batch') },
};

const envelopeFields = (required: boolean): Record<string, Schema> => ({
  Version: text('版本号: always the version the answer is written in', PROTOCOL_VERSION, { enum: [PROTOCOL_VERSION] }),
  InstId: text(required ? '机构号 (echoed)' : '机构号 (echoed when it could be read)', '00001'),
  TranCode: text(
    required ? '响应交易码: the request TranCode + Res' : '响应交易码 (request TranCode + Res, when it could be read)',
    'QueryRes',
  ),
  TranDate: text(required ? '交易日期 (echoed)' : '交易日期 (echoed when it could be read)', '20240101'),
  TranSeq: text(required ? '交易流水号 (echoed)' : '交易流水号 (echoed when it could be read)', '123456789011'),
});

export function successSchemaName(tranCode: TranCode): string {
  return `${tranCode}Response`;
}

/** The answers of §10 other than 200, one schema per HTTP status, each listing the RespCodes it carries. */
export const ERROR_RESPONSES: readonly { status: number; schema: string; description: string }[] = [
  {
    status: 400,
    schema: 'BusinessErrorResponse',
    description: '业务或报文错误: a business rule (DEF…) or the message format (PRM3001–PRM3006)',
  },
  {
    status: 401,
    schema: 'SecurityErrorResponse',
    description: '安全错误 (SEC…): API key, decryption, InstId, cipher; always in the clear',
  },
  {
    status: 408,
    schema: 'NetworkErrorResponse',
    description: '超时 NET5001: body not received in time (JSON), or processing past its deadline; nothing was applied',
  },
  { status: 413, schema: 'PayloadTooLargeResponse', description: '报文过大 PRM3007: over 64 KiB (16 MiB on PayCheck); JSON' },
  {
    status: 415,
    schema: 'UnsupportedMediaTypeResponse',
    description: '不支持的报文类型 PRM3008: Content-Type, or an encrypted body without X-Data-Type; JSON',
  },
  { status: 429, schema: 'RateLimitResponse', description: '请求过于频繁 LMT4001; Retry-After tells when to try again' },
  { status: 500, schema: 'SystemErrorResponse', description: '系统异常 SYS1001: details only in the log, under the request id' },
];

export function codesOfStatus(status: number): RespCode[] {
  return Object.values(RespCode).filter((code) => code !== RespCode.AAAAAAA && (httpStatusOf(code) as number) === status);
}

/** The envelope schemas: every operation's success answer, and the error answers by status. */
export function partnerSchemas(): Record<string, SchemaObject> {
  const schemas: Record<string, SchemaObject> = { ...BUSINESS_SCHEMAS };
  for (const [tranCode, data] of Object.entries(DATA_OF) as [TranCode, Record<string, Schema>][]) {
    schemas[`${tranCode}Data`] = object(data, Object.keys(data));
    schemas[successSchemaName(tranCode)] = object(
      {
        ...envelopeFields(true),
        TranCode: text('响应交易码', `${tranCode}Res`, { enum: [`${tranCode}Res`] }),
        RespCode: text('响应码', RespCode.AAAAAAA, { enum: [RespCode.AAAAAAA] }),
        RespMessage: text('响应信息 (Accept-Language: en gives English)', messageOf(RespCode.AAAAAAA), { maxLength: 60 }),
        Data: ref(`${tranCode}Data`),
      },
      ['Version', 'InstId', 'TranCode', 'TranDate', 'TranSeq', 'RespCode', 'RespMessage', 'Data'],
      { xml: { name: 'out' }, description: `${tranCode} 成功响应 (XML root \`<out>\`)` },
    );
  }
  for (const { status, schema, description } of ERROR_RESPONSES) {
    const codes = codesOfStatus(status);
    schemas[schema] = object(
      {
        ...envelopeFields(false),
        RespCode: text('响应码', codes[0], { enum: codes }),
        RespMessage: text('响应信息 (Accept-Language: en gives English)', messageOf(codes[0]), { maxLength: 60 }),
        ErrorDetail: ref('ErrorDetail'),
      },
      ['Version', 'RespCode', 'RespMessage', 'ErrorDetail'],
      { xml: { name: 'out' }, description: `HTTP ${status}: ${description}` },
    );
  }
  schemas.EncryptedBody = {
    type: 'string',
    format: 'byte',
    description:
      'EncryptedData (CONTRACT §5): standard base64 of `iv ‖ ciphertext ‖ tag` (AES/GCM) or `iv ‖ ciphertext ‖ MAC` (SM4/CBC, AES/CBC, 3DES/CBC) ' +
      'of the XML or JSON message; X-Encrypt-Type/X-Encrypt-Mode name the cipher and X-Data-Type the inner format. Answers are encrypted ' +
      'the same way with a fresh IV, except security errors (in the clear).',
    // AES/GCM of the Query example under an illustrative key.
    example:
      'AQEBAQEBAQEBAQEBDcPf0uLMhWG/9uYDQRlAH5nZONZR+UhnEVVhWESEBovygyqcvkf34TAxJ2+kXNS7326McCSc0332MMZmkkPx8IvdfAI+/gIdUmgoQocGVeoy4TBScughDx0DKsWNrug2NOwup4/rPo9dYx7iBcNh1DhE8QDnXzuxjIHAS/QZ+PYlRcls7Tax8Fb6s2NOPbVHZPJc9QgW2CGQy119Ewc=',
  };
  return schemas;
}
