import type { IncomingMessage, ServerResponse } from 'node:http';
import { RespCode } from '../protocol/errors';
import type { PartnerRequest } from '../protocol/partner-exchange';
import { PARTNER_PATH_PREFIX } from '../protocol/partner-operation';

/** The only code each of these statuses carries (CONTRACT §10); answers the body reader writes itself have no exchange to note it on. */
const CODE_OF_STATUS: Readonly<Record<number, RespCode>> = {
  200: RespCode.AAAAAAA,
  408: RespCode.NET5001,
  413: RespCode.PRM3007,
  415: RespCode.PRM3008,
  429: RespCode.LMT4001,
  500: RespCode.SYS1001,
};

export function isPartnerRequest(req: IncomingMessage): boolean {
  const url = (req as PartnerRequest).originalUrl ?? req.url ?? '';
  return url.startsWith(PARTNER_PATH_PREFIX);
}

/** What one partner request came to, as far as the protocol layer got. */
export interface PartnerOutcome {
  /** The operationId of the operation (also when served by the gateway); `unknown` before TranCode was resolved. */
  operation: string;
  tranCode?: string;
  instId?: string;
  respCode: string;
  replayed: boolean;
  encryptType: string;
}

const ENCRYPT_TYPES = new Set(['NONE', 'SM4', 'AES', '3DES']);

export function partnerOutcome(req: IncomingMessage, res: ServerResponse): PartnerOutcome {
  const exchange = (req as PartnerRequest).partner;
  const rawType = req.headers['x-encrypt-type'];
  const type = (Array.isArray(rawType) ? rawType[0] : (rawType ?? 'NONE')).trim().toUpperCase();
  return {
    operation: exchange?.operation?.operationId ?? 'unknown',
    tranCode: exchange?.operation?.tranCode,
    instId: exchange?.institution?.instId,
    respCode: exchange?.respCode ?? CODE_OF_STATUS[res.statusCode] ?? 'none',
    replayed: res.getHeader('Idempotent-Replayed') === 'true',
    encryptType: ENCRYPT_TYPES.has(type) ? type : 'OTHER',
  };
}
