import type { Request } from 'express';
import type { Institution } from '../reference/entities/institution.entity';
import { resolveCharset, startsWithUtf8Bom } from './codec/message-charset';
import { readXmlDeclaration } from './codec/xml-declaration';
import type { CipherSuite } from './crypto';
import { Language, ProtocolError, RespCode } from './errors';
import type { OperationInfo } from './partner-operation';

export type WireFormat = 'XML' | 'JSON';
export type Charset = 'GBK' | 'UTF-8';

/** BaseRequest fields echoed in the response, as far as they could be read. */
export interface EchoFields {
  InstId?: string;
  TranCode?: string;
  TranDate?: string;
  TranSeq?: string;
}

/** Everything the protocol layer learned about one partner request, kept on the request for the filter. */
export interface PartnerExchange {
  requestId: string;
  language: Language;
  /** Known once negotiated; errors before that are JSON. */
  format?: WireFormat;
  charset: Charset;
  contentTypeCharset?: string;
  suite?: CipherSuite;
  secret?: Buffer;
  institution?: Institution;
  operation?: OperationInfo;
  echo: EchoFields;
  /** The bound request object handed to the controller. */
  request?: object;
  /** RespCode of the answer, once rendered: for the request log and metrics. */
  respCode?: string;
}

export interface PartnerRequest extends Request {
  partner?: PartnerExchange;
  rawBody?: Buffer;
  requestId?: string;
}

export function exchangeOf(req: PartnerRequest): PartnerExchange {
  if (!req.partner) {
    const accept = String(req.headers['accept-language'] ?? '');
    req.partner = {
      requestId: req.requestId ?? '',
      language: /^\s*en\b/i.test(accept) ? 'en' : 'zh',
      charset: 'UTF-8',
      echo: {},
    };
  }
  return req.partner;
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function encryptionHeaders(req: Request): { type?: string; mode?: string } {
  return { type: header(req, 'X-Encrypt-Type'), mode: header(req, 'X-Encrypt-Mode') };
}

export function isEncrypted(req: Request): boolean {
  const type = header(req, 'X-Encrypt-Type');
  return type !== undefined && type.trim().toUpperCase() !== 'NONE';
}

/**
 * Content-Type / X-Data-Type negotiation (CONTRACT §2): XML or JSON in the clear, text/plain when encrypted
 * with X-Data-Type naming the inner format. Anything else is 415 PRM3008.
 */
export function negotiateFormat(req: Request): { format: WireFormat; contentTypeCharset?: string } {
  const contentType = (header(req, 'Content-Type') ?? '').toLowerCase();
  const [mediaType, ...params] = contentType.split(';').map((p) => p.trim());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  const dataTypeRaw = header(req, 'X-Data-Type')?.trim().toUpperCase();
  const dataType = dataTypeRaw === 'XML' || dataTypeRaw === 'JSON' ? dataTypeRaw : undefined;
  if (dataTypeRaw !== undefined && dataType === undefined) throw unsupported(`X-Data-Type ${dataTypeRaw.slice(0, 20)} is not XML or JSON`);
  const transport: WireFormat | 'TEXT' | undefined =
    mediaType === 'application/xml' || mediaType === 'text/xml'
      ? 'XML'
      : mediaType === 'application/json'
        ? 'JSON'
        : mediaType === 'text/plain'
          ? 'TEXT'
          : undefined;

  if (isEncrypted(req)) {
    if (!dataType) throw unsupported('an encrypted body needs X-Data-Type');
    if (transport === undefined) throw unsupported(`Content-Type ${mediaType || '(none)'} is not supported`);
    return { format: dataType, contentTypeCharset: charset };
  }
  if (transport === undefined || transport === 'TEXT') throw unsupported(`Content-Type ${mediaType || '(none)'} is not supported`);
  if (dataType && dataType !== transport) throw unsupported(`X-Data-Type ${dataType} does not agree with Content-Type ${mediaType}`);
  return { format: transport, contentTypeCharset: charset };
}

function unsupported(en: string): ProtocolError {
  return new ProtocolError(RespCode.PRM3008, { zh: '不支持的报文类型', en });
}

/**
 * The charset of an XML request as far as it can be told without decoding it — the declaration's encoding, else
 * Content-Type's charset, else UTF-8 (CONTRACT §3) — so that errors found before or while decoding (SEC…, PRM3001)
 * are answered in the partner's encoding too. JSON is always UTF-8.
 */
export function sniffCharset(format: WireFormat, body: Buffer | undefined, contentTypeCharset?: string): Charset {
  if (format !== 'XML') return 'UTF-8';
  if (body && startsWithUtf8Bom(body)) return 'UTF-8';
  let declared: string | undefined;
  try {
    declared = body && readXmlDeclaration(body.subarray(0, 1024).toString('latin1'))?.encoding;
  } catch {
    // a malformed declaration: the Content-Type charset still says what the partner meant
  }
  for (const label of [declared, contentTypeCharset]) {
    if (label === undefined) continue;
    try {
      return resolveCharset(label).charset;
    } catch {
      // an unsupported label: try the next source
    }
  }
  return 'UTF-8';
}
