import { HttpStatus } from '@nestjs/common';

/** Every RespCode of CONTRACT §10. */
export enum RespCode {
  AAAAAAA = 'AAAAAAA',
  DEF0001 = 'DEF0001',
  DEF0002 = 'DEF0002',
  DEF0003 = 'DEF0003',
  DEF0004 = 'DEF0004',
  DEF0005 = 'DEF0005',
  DEF0006 = 'DEF0006',
  DEF0007 = 'DEF0007',
  DEF0008 = 'DEF0008',
  DEF0009 = 'DEF0009',
  DEF0010 = 'DEF0010',
  DEF0011 = 'DEF0011',
  DEF0012 = 'DEF0012',
  DEF0013 = 'DEF0013',
  DEF0014 = 'DEF0014',
  PRM3001 = 'PRM3001',
  PRM3002 = 'PRM3002',
  PRM3003 = 'PRM3003',
  PRM3004 = 'PRM3004',
  PRM3005 = 'PRM3005',
  PRM3006 = 'PRM3006',
  PRM3007 = 'PRM3007',
  PRM3008 = 'PRM3008',
  SEC2001 = 'SEC2001',
  SEC2002 = 'SEC2002',
  SEC2003 = 'SEC2003',
  SEC2004 = 'SEC2004',
  SEC2005 = 'SEC2005',
  SEC2006 = 'SEC2006',
  NET5001 = 'NET5001',
  LMT4001 = 'LMT4001',
  SYS1001 = 'SYS1001',
}

interface CodeInfo {
  status: HttpStatus;
  zh: string;
  en: string;
}

const INFO: Record<RespCode, CodeInfo> = {
  AAAAAAA: { status: HttpStatus.OK, zh: '成功', en: 'Success' },
  DEF0001: { status: HttpStatus.BAD_REQUEST, zh: '无相应记录', en: 'No such record' },
  DEF0002: { status: HttpStatus.BAD_REQUEST, zh: '缴费金额不匹配', en: 'Amount does not match' },
  DEF0003: { status: HttpStatus.BAD_REQUEST, zh: '无欠费账单', en: 'No unpaid bills' },
  DEF0004: { status: HttpStatus.BAD_REQUEST, zh: '原交易不可红冲', en: 'Original transaction cannot be reversed' },
  DEF0005: { status: HttpStatus.BAD_REQUEST, zh: '已红冲', en: 'Already reversed' },
  DEF0006: { status: HttpStatus.BAD_REQUEST, zh: '协议已存在', en: 'Agreement already exists' },
  DEF0007: { status: HttpStatus.BAD_REQUEST, zh: '协议未签约或已解约', en: 'Agreement not signed or already terminated' },
  DEF0008: { status: HttpStatus.BAD_REQUEST, zh: '信息不匹配', en: 'Information does not match' },
  DEF0009: { status: HttpStatus.BAD_REQUEST, zh: '流水号或批次号重复', en: 'Duplicate serial or batch number' },
  DEF0010: { status: HttpStatus.BAD_REQUEST, zh: '汇总与明细不符', en: 'Totals do not match the details' },
  DEF0011: { status: HttpStatus.BAD_REQUEST, zh: '超出协议限额', en: 'Over the agreement limit' },
  DEF0012: { status: HttpStatus.BAD_REQUEST, zh: '账单代扣处理中', en: 'Bill held by a debit in progress' },
  DEF0013: { status: HttpStatus.BAD_REQUEST, zh: '批次状态不允许', en: 'Batch status does not allow this' },
  DEF0014: { status: HttpStatus.BAD_REQUEST, zh: '不可取消', en: 'Cannot be cancelled' },
  PRM3001: { status: HttpStatus.BAD_REQUEST, zh: '报文无法解析', en: 'Message unreadable or unsafe' },
  PRM3002: { status: HttpStatus.BAD_REQUEST, zh: '缺少必填字段', en: 'Missing field' },
  PRM3003: { status: HttpStatus.BAD_REQUEST, zh: '字段格式错误', en: 'Invalid field' },
  PRM3004: { status: HttpStatus.BAD_REQUEST, zh: '交易码与接口不符', en: 'TranCode does not match the path' },
  PRM3005: { status: HttpStatus.BAD_REQUEST, zh: '版本号错误', en: 'Unsupported version' },
  PRM3006: { status: HttpStatus.BAD_REQUEST, zh: '交易日期错误', en: 'Invalid TranDate' },
  PRM3007: { status: HttpStatus.PAYLOAD_TOO_LARGE, zh: '报文过大', en: 'Body too large' },
  PRM3008: { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, zh: '不支持的报文类型', en: 'Unsupported content type' },
  SEC2001: { status: HttpStatus.UNAUTHORIZED, zh: '加密错误', en: 'Decryption or integrity check failed' },
  SEC2002: { status: HttpStatus.UNAUTHORIZED, zh: '缺少API密钥', en: 'API key missing' },
  SEC2003: { status: HttpStatus.UNAUTHORIZED, zh: 'API密钥无效', en: 'API key invalid or revoked' },
  SEC2004: { status: HttpStatus.UNAUTHORIZED, zh: '机构号与密钥不符', en: 'InstId does not match the API key' },
  SEC2005: { status: HttpStatus.UNAUTHORIZED, zh: '不支持的加密方式', en: 'Unsupported encryption type or mode' },
  SEC2006: { status: HttpStatus.UNAUTHORIZED, zh: '须加密传输', en: 'Encryption required' },
  NET5001: { status: HttpStatus.REQUEST_TIMEOUT, zh: '请求超时', en: 'Request timed out' },
  LMT4001: { status: HttpStatus.TOO_MANY_REQUESTS, zh: '请求过于频繁', en: 'Rate limit exceeded' },
  SYS1001: { status: HttpStatus.INTERNAL_SERVER_ERROR, zh: '系统异常', en: 'System error' },
};

export type Language = 'zh' | 'en';

export function httpStatusOf(code: RespCode): HttpStatus {
  return INFO[code].status;
}

export function messageOf(code: RespCode, language: Language = 'zh'): string {
  return INFO[code][language];
}

export function isBusinessCode(code: RespCode): boolean {
  return code.startsWith('DEF');
}

export function isSecurityCode(code: RespCode): boolean {
  return code.startsWith('SEC');
}

/** A text in both languages for ErrorMsg; one string when both read the same. */
export type Detail = string | { zh: string; en: string };

/**
 * A contract-coded failure. Business modules throw `new BusinessError(RespCode.DEF0005, …)`; the protocol
 * layer throws the PRM/SEC/LMT/NET codes. One filter renders them all.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: RespCode,
    readonly detail?: Detail,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}${detail ? `: ${typeof detail === 'string' ? detail : detail.en}` : ''}`);
    this.name = 'ProtocolError';
  }

  detailIn(language: Language): string {
    if (this.detail === undefined) return messageOf(this.code, language);
    return typeof this.detail === 'string' ? this.detail : this.detail[language];
  }
}

/** A business rule said no (DEF…): stored for idempotent replay, nothing applied. */
export class BusinessError extends ProtocolError {
  constructor(code: RespCode, detail?: Detail) {
    super(code, detail);
    this.name = 'BusinessError';
  }
}
