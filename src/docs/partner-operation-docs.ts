import { Fen } from '../common/fen';
import type { ResponseMessage } from '../protocol/codec';
import { RespCode } from '../protocol/errors';
import type { TranCode } from '../protocol/partner-operation';

/** What the code cannot say about an operation: its Chinese texts, the examples, and the business codes it can answer. */
export interface OperationDocs {
  /** 中文名称 (CONTRACT §1). */
  summary: string;
  /** 业务说明 in the style of the interface document; the seeds' texts verbatim. */
  description: string;
  /** The JSON request example; works as written against the demo data (TranDate is set to today when served). */
  request: ResponseMessage;
  /** `Data` of the success answer to that request. */
  data: ResponseMessage;
  /** The DEF… codes it can answer, in the order its rules are checked (CONTRACT §7). */
  businessCodes: RespCode[];
}

const yuan = (text: string): Fen => Fen.parseYuan(text, { allowNegative: true })!;

const base = (tranCode: TranCode, tranSeq: string): ResponseMessage => ({
  Version: '1.0.1',
  InstId: '00001',
  TranCode: tranCode,
  TranDate: '20240101',
  TranSeq: tranSeq,
});

const BATCH_NO = 'B20240101001';

const batch = (overrides: ResponseMessage): ResponseMessage => ({
  BatchNo: BATCH_NO,
  BatchStatus: 1,
  TotalCount: 1,
  TotalAmount: yuan('86.40'),
  SuccessCount: 0,
  SuccessAmount: yuan('0.00'),
  FailCount: 0,
  CancelCount: 0,
  ...overrides,
});

const signedAgreement: ResponseMessage = {
  AgreementNo: 'AGR001',
  BillKey: '123456',
  CompanyId: '654321',
  AccountNo: '6222***********0123',
  AccountName: '张*丰',
  BankName: '示范银行',
  BankType: 0,
  AgreementStatus: 1,
  SignDate: '2024-01-01',
};

/** Every operation of CONTRACT §1 (the TranCode union makes a missing one a compile error). */
export const OPERATION_DOCS: Record<TranCode, OperationDocs> = {
  Query: {
    summary: '账单查询',
    description: `查询客户的未缴账单及欠费总额。
## 业务说明
- 按客户编号(BillKey)和机构编码(CompanyId)查询
- 返回未缴费(0)和代扣处理中(2)的账单, 按账期从早到晚排列
- 欠费总额(TotalAmount)只合计未缴费(0)的账单(金额+滞纳金)
- 客户已签约代扣时返回协议号(AgreementNo)
- 支持XML和JSON两种数据格式
## 业务规则
- 客户不存在或不属于本机构可见的机构编码: DEF0001
- 客户无欠费: 成功, 账单为空, 欠费总额0.00`,
    request: { ...base('Query', '123456789010'), BillKey: '123456', CompanyId: '654321' },
    data: {
      Customer: { BillKey: '123456', CustomerName: '张*丰', CompanyId: '654321', AgreementNo: 'AGR001' },
      TotalAmount: yuan('86.40'),
      Bills: [
        {
          BillNo: 'B202402123456',
          BillKey: '123456',
          CompanyId: '654321',
          Period: '202402',
          Amount: yuan('86.40'),
          LateFee: yuan('0.00'),
          StartDate: '2024-02-01',
          EndDate: '2024-02-29',
          DueDate: '2024-03-31',
          BillStatus: 0,
        },
      ],
    },
    businessCodes: [RespCode.DEF0001],
  },
  Pay: {
    summary: '账单缴费',
    description: `客户在银行缴费后, 对其欠费账单进行销账。
## 业务说明
- 销账客户全部未缴费账单, 或指定账单号(BillNo)的一张账单
- 生成缴费交易记录, 账单状态变更为已缴费
- 支持XML和JSON两种数据格式
## 业务规则
- 客户或账单号不存在: DEF0001
- 账单在代扣批次处理中: DEF0012
- 无欠费账单: DEF0003
- 缴费金额必须等于所销账单的应缴合计(金额+滞纳金): DEF0002
- 同一交易流水号重复提交返回原结果; 内容不同: DEF0009`,
    request: { ...base('Pay', '123456789012'), BillKey: '234567', CompanyId: '654321', PayAmount: '98.50', SubChannel: 0 },
    data: {
      Transaction: {
        TranSeq: '123456789012',
        BillKey: '234567',
        CompanyId: '654321',
        BillNos: ['B202401234567', 'B202402234567'],
        TranCode: 'Pay',
        PayAmount: yuan('98.50'),
        SubChannel: 0,
        PayDate: '2024-01-01T12:00:00.000Z',
        TranStatus: 1,
        RespCode: 'AAAAAAA',
        RespMessage: '成功',
      },
    },
    businessCodes: [RespCode.DEF0001, RespCode.DEF0012, RespCode.DEF0003, RespCode.DEF0002, RespCode.DEF0009],
  },
  PayInvalid: {
    summary: '账单红冲',
    description: `对已缴费的账单进行红冲(撤销)操作。
## 业务说明
- 支持对已缴费账单进行红冲操作
- 红冲后账单状态恢复为未缴费
- 生成红冲交易记录
- 支持XML和JSON两种数据格式
## 业务规则
- 只能对已缴费的账单进行红冲
- 红冲金额必须与原缴费金额一致
- 同一笔缴费记录只能红冲一次
- 红冲成功后生成负数交易记录
## 调用频率限制
- 单个交易流水号每分钟最多红冲1次
- 单个机构每分钟最多红冲100次`,
    request: {
      ...base('PayInvalid', '123456789013'),
      OriginalTranSeq: 'TXN123456789012',
      BillKey: '123456',
      CompanyId: '654321',
    },
    data: {
      Transaction: {
        TranSeq: 'REV123456789013',
        BillKey: '123456',
        CompanyId: '654321',
        TranCode: 'PayInvalid',
        PayAmount: yuan('-150.00'),
        PayDate: '2024-01-01T12:00:00.000Z',
        TranStatus: 1,
        RespCode: 'AAAAAAA',
        RespMessage: '成功',
      },
    },
    businessCodes: [RespCode.DEF0001, RespCode.DEF0004, RespCode.DEF0008, RespCode.DEF0005, RespCode.DEF0002, RespCode.DEF0009],
  },
  PayQuery: {
    summary: '缴费查询',
    description: `查询一笔缴费(或代扣、红冲)交易的当前状态。
## 业务说明
- 按原交易流水号(OriginalTranSeq)查询本机构的交易
- 已红冲的原交易状态(TranStatus)为2
- 支持XML和JSON两种数据格式
## 业务规则
- 交易不存在、不属于本机构或机构编码不符: DEF0001`,
    request: { ...base('PayQuery', '123456789014'), OriginalTranSeq: 'TXN123456789012', CompanyId: '654321' },
    data: {
      Transaction: {
        TranSeq: 'TXN123456789012',
        BillKey: '123456',
        CompanyId: '654321',
        BillNos: ['B202401123456'],
        TranCode: 'Pay',
        PayAmount: yuan('150.00'),
        SubChannel: 0,
        PayDate: '2024-01-01T12:00:00.000Z',
        TranStatus: 1,
        RespCode: 'AAAAAAA',
        RespMessage: '成功',
      },
    },
    businessCodes: [RespCode.DEF0001],
  },
  PayCheck: {
    summary: '缴费对账',
    description: `按机构编码和日期与银行核对当日交易(缴费、代扣、红冲)。
## 业务说明
- 比对银行的笔数(PayCount)和净额(PayMoney, 红冲为负)
- 附对账文件(FileContent, base64)时按交易流水号逐笔比对
- 返回我方笔数、净额及差异明细(最多100条)
- 仅在本接口路径受理, 报文上限16 MiB
## 业务规则
- 机构编码不属于本机构: DEF0001
- 文件汇总行与明细或与PayCount/PayMoney不符: PRM3003(指明行号)
- 同一交易流水号重复提交返回原结果; 内容不同: DEF0009`,
    request: {
      ...base('PayCheck', '123456789016'),
      CompanyId: '654321',
      PayDate: '20240101',
      PayCount: 2,
      PayMoney: '236.40',
      FileName: '654321_20240101.txt',
      FileContent:
        'MnwyMzYuNDAKMjAyNDAxMDF8VFhOMTIzNDU2Nzg5MDEyfDEyMzQ1NnwxNTAuMDB8MHxQYXkKMjAyNDAxMDF8VFhOMTIzNDU2Nzg5MDEzfDEyMzQ1Nnw4Ni40MHwwfFBheQo=',
    },
    data: {
      Check: {
        CompanyId: '654321',
        PayDate: '20240101',
        CheckStatus: 1,
        PayCount: 1,
        PayMoney: yuan('150.00'),
        Differences: [{ TranSeq: 'TXN123456789013', Kind: 'MISSING_HERE', Theirs: yuan('86.40') }],
        DifferenceCount: 1,
        CheckId: 1,
      },
    },
    businessCodes: [RespCode.DEF0001, RespCode.DEF0009],
  },
  Signing: {
    summary: '代扣签约',
    description: `客户与银行签订代扣协议。
## 业务说明
- 协议号(AgreementNo)由系统生成, 签约日期为当日(业务时区)
- 账号加密存储, 应答中脱敏
- 支持XML和JSON两种数据格式
## 业务规则
- 客户不存在: DEF0001
- 每个客户(机构编码+客户编号)只能有一份已签约协议: DEF0006
- 同一交易流水号重复提交返回原结果; 内容不同: DEF0009
## 调用频率限制
- 单个客户编号每天最多签约5次
- 单个机构每分钟最多签约50次`,
    request: {
      ...base('Signing', '123456789017'),
      BillKey: '234567',
      CompanyId: '654321',
      AccountName: '李四',
      AccountNo: '6222021234567890123',
      BankName: '示范银行',
      BankType: 0,
      MaxAmount: '500.00',
    },
    data: {
      Agreement: {
        AgreementNo: 'AG20240101A1B2C3D4E5',
        BillKey: '234567',
        CompanyId: '654321',
        AccountNo: '6222***********0123',
        AccountName: '李*',
        BankName: '示范银行',
        BankType: 0,
        AgreementStatus: 1,
        SignDate: '2024-01-01',
        MaxAmount: yuan('500.00'),
      },
    },
    businessCodes: [RespCode.DEF0001, RespCode.DEF0006, RespCode.DEF0009],
  },
  AgreementQuery: {
    summary: '协议查询',
    description: `查询本机构的一份代扣协议。
## 业务说明
- 账号、账户名脱敏返回
- 支持XML和JSON两种数据格式
## 业务规则
- 协议不存在或不属于本机构: DEF0001
- 机构编码不符: DEF0008`,
    request: { ...base('AgreementQuery', '123456789018'), AgreementNo: 'AGR001', CompanyId: '654321' },
    data: { Agreement: signedAgreement },
    businessCodes: [RespCode.DEF0001, RespCode.DEF0008],
  },
  Termination: {
    summary: '代扣解约',
    description: `银行代扣业务解约接口,终止客户与银行的代扣协议。
## 业务说明
- 支持客户解除与银行的代扣协议
- 解约后不能再进行自动代扣
- 支持XML和JSON两种数据格式
- 解约后协议状态变更为已解约
## 业务规则
- 只能解约已签约状态的协议
- 解约成功后协议状态更新为已解约
- 同一协议只能解约一次
- 解约不影响已产生的交易记录
## 调用频率限制
- 单个协议号每天最多解约1次
- 单个机构每分钟最多解约20次`,
    request: { ...base('Termination', '123456789015'), BillKey: '123456', CompanyId: '654321', AgreementNo: 'AGR001' },
    data: {
      Agreement: { BillKey: '123456', CompanyId: '654321', AgreementNo: 'AGR001', AgreementStatus: 2, TerminationDate: '2024-01-01' },
    },
    businessCodes: [RespCode.DEF0001, RespCode.DEF0008, RespCode.DEF0007, RespCode.DEF0009],
  },
  SendDisc: {
    summary: '代扣送盘',
    description: `银行提交代扣批次(送盘), 全部受理或全部拒绝。
## 业务说明
- 批次受理后状态为1(处理中), 所含账单状态变为2(代扣处理中)
- 每批最多1000笔
- 支持XML和JSON两种数据格式
## 业务规则
- 批次号已被本机构使用: DEF0009
- 总笔数/总金额与明细不符: DEF0010
- 每笔: 无已签约协议 DEF0007; 账单已在代扣中 DEF0012; 金额不等于应缴合计 DEF0002; 超出协议限额 DEF0011
## 调用频率限制
- 单个机构每小时最多送盘10次`,
    request: {
      ...base('SendDisc', '123456789019'),
      BatchNo: BATCH_NO,
      TotalCount: 1,
      TotalAmount: '86.40',
      WithholdingList: [{ BillKey: '123456', CompanyId: '654321', AgreementNo: 'AGR001', PayAmount: '86.40' }],
    },
    data: { Batch: batch({}) },
    businessCodes: [
      RespCode.DEF0009,
      RespCode.DEF0010,
      RespCode.DEF0001,
      RespCode.DEF0007,
      RespCode.DEF0012,
      RespCode.DEF0002,
      RespCode.DEF0011,
    ],
  },
  BackDisc: {
    summary: '代扣回盘',
    description: `银行返回代扣结果(回盘), 每个批次只受理一次。
## 业务说明
- 扣款成功(ResultCode 0000)的明细逐笔销账, 生成代扣(Withhold)交易
- 扣款失败的明细释放账单(状态恢复为0)
- 批次最终状态为2(处理成功), 全部失败时为3(处理失败)
- 支持XML和JSON两种数据格式
## 业务规则
- 批次不存在或不属于本机构: DEF0001
- 批次不在处理中(已回盘或已取消): DEF0013
- 笔数不符或结果与批次明细不一致: DEF0010
- 同一交易流水号重复提交返回原结果; 内容不同: DEF0009`,
    request: {
      ...base('BackDisc', '123456789020'),
      BatchNo: BATCH_NO,
      TotalCount: 1,
      SuccessCount: 1,
      FailCount: 0,
      ResultList: [
        {
          BillKey: '123456',
          CompanyId: '654321',
          AgreementNo: 'AGR001',
          PayAmount: '86.40',
          ResultCode: '0000',
          ResultMessage: '扣款成功',
          BankTranSeq: 'BK202401010001',
        },
      ],
    },
    data: { Batch: batch({ BatchStatus: 2, SuccessCount: 1, SuccessAmount: yuan('86.40') }) },
    businessCodes: [RespCode.DEF0001, RespCode.DEF0013, RespCode.DEF0010, RespCode.DEF0009],
  },
  CancelDisc: {
    summary: '取消代扣',
    description: `取消处理中批次里某客户的一笔待扣明细。
## 业务说明
- 释放该明细的账单(状态恢复为0), 协议保持有效
- 已扣款的明细须通过账单红冲(PayInvalid)撤销
- 支持XML和JSON两种数据格式
## 业务规则
- 批次或明细不存在: DEF0001
- 批次非当日送盘、已结束或明细非待扣: DEF0014
- 同一交易流水号重复提交返回原结果; 内容不同: DEF0009`,
    request: {
      ...base('CancelDisc', '123456789021'),
      BatchNo: BATCH_NO,
      BillKey: '123456',
      CompanyId: '654321',
      AgreementNo: 'AGR001',
      CancelReason: '客户要求取消',
    },
    data: { Batch: batch({ BatchStatus: 4, CancelCount: 1 }) },
    businessCodes: [RespCode.DEF0001, RespCode.DEF0014, RespCode.DEF0009],
  },
  DiscQuery: {
    summary: '送盘/回盘查询',
    description: `查询本机构一个代扣批次的状态及明细。
## 业务说明
- 返回批次汇总及每笔明细状态, 已扣款明细附销账交易流水号
- 支持XML和JSON两种数据格式
## 业务规则
- 批次不存在或不属于本机构: DEF0001`,
    request: { ...base('DiscQuery', '123456789022'), BatchNo: BATCH_NO },
    data: {
      Batch: batch({
        BatchStatus: 2,
        SuccessCount: 1,
        SuccessAmount: yuan('86.40'),
        Items: [
          {
            BillKey: '123456',
            CompanyId: '654321',
            AgreementNo: 'AGR001',
            PayAmount: yuan('86.40'),
            ItemStatus: 1,
            TranSeq: 'W20240101000001',
          },
        ],
      }),
    },
    businessCodes: [RespCode.DEF0001],
  },
};

/** A specific ErrorMsg for each code's example (the service's own wording). */
export const ERROR_EXAMPLE_MESSAGES: Record<RespCode, string> = {
  AAAAAAA: '成功',
  DEF0001: '客户编号123456不存在',
  DEF0002: '缴费金额98.00与应缴金额98.50不符',
  DEF0003: '客户编号123456无欠费账单',
  DEF0004: '原交易TXN123456789012不可红冲',
  DEF0005: '原交易TXN123456789012已红冲',
  DEF0006: '客户编号123456已有签约协议',
  DEF0007: '协议AGR001未签约或已解约',
  DEF0008: '客户编号与原交易不符',
  DEF0009: '流水号123456789012已用于另一笔交易',
  DEF0010: '总笔数与明细不符',
  DEF0011: '扣款金额超出协议限额500.00',
  DEF0012: '账单B202402123456代扣处理中',
  DEF0013: '批次B20240101001状态不允许回盘',
  DEF0014: '明细不可取消',
  PRM3001: '报文无法解析',
  PRM3002: '缺少字段BillKey',
  PRM3003: '字段BillKey不符合要求: must be shorter than or equal to 35 characters',
  PRM3004: '交易码须为Query',
  PRM3005: '版本号须为1.0.1',
  PRM3006: 'TranDate须为业务日期前后一日内的YYYYMMDD',
  PRM3007: '报文超过64 KiB',
  PRM3008: '不支持的报文类型',
  SEC2001: '加密错误',
  SEC2002: '缺少API密钥',
  SEC2003: 'API密钥无效',
  SEC2004: '机构号00002与API密钥不符',
  SEC2005: '不支持的加密方式',
  SEC2006: '该机构须加密传输',
  NET5001: '处理超时, 交易未执行',
  LMT4001: '请求过于频繁, 请稍后重试',
  SYS1001: '系统异常, 请求号3f2b8c1e-5d7a-4e1b-9c2d-1a2b3c4d5e6f',
};
