import iconv from 'iconv-lite';
import request from 'supertest';
import { Fen } from '../../src/common/fen';
import { decodeMessage, encodeRequestMessage, JsonNumber, MessageValue, ResponseMessage } from '../../src/protocol/codec';
import { decodeBody, encodeBody, resolveCipherSuite } from '../../src/protocol/crypto';

/** YYYYMMDD in the business time zone, `offsetDays` from today. */
export function businessDate(offsetDays = 0): string {
  const d = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + offsetDays * 86_400_000),
  );
  return d.replaceAll('-', '');
}

export const TODAY = () => businessDate();

export interface PartnerCall {
  format?: 'XML' | 'JSON';
  charset?: 'GBK' | 'UTF-8';
  encrypt?: { type: string; mode?: string; secret: Buffer };
  apiKey?: string | null;
  headers?: Record<string, string>;
  /** Headers the client would set but this call leaves out. */
  omitHeaders?: string[];
  /** Sent (and encrypted, with `encrypt`) instead of the encoded message. */
  raw?: Buffer | string;
  /** Rewrites the bytes on the wire (after encryption), e.g. to tamper with a ciphertext. */
  mangle?: (wire: Buffer) => Buffer;
}

type Http = Parameters<typeof request>[0];

/** A POST whose body goes out byte for byte and whose answer is kept as bytes, whatever the content types say. */
export function postBytes(http: Http, path: string, headers: Record<string, string>, body: Buffer | string) {
  return request(http)
    .post(path)
    .set(headers)
    .serialize((data: unknown) => data as string)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .send(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
}

/** Sends a partner message as a bank would: JSON or XML (UTF-8/GBK), optionally encrypted. */
export function sendPartner(http: Http, path: string, message: ResponseMessage, call: PartnerCall = {}) {
  const format = call.format ?? 'JSON';
  const charset = call.charset ?? 'UTF-8';
  let body: Buffer =
    call.raw === undefined
      ? encodeRequestMessage(format, message, charset)
      : Buffer.isBuffer(call.raw)
        ? call.raw
        : format === 'XML' && charset === 'GBK'
          ? iconv.encode(call.raw, 'gbk')
          : Buffer.from(call.raw, 'utf8');
  const headers: Record<string, string> = {
    'Content-Type': format === 'XML' ? `application/xml; charset=${charset}` : 'application/json',
    ...(call.apiKey === null ? {} : { 'X-Api-Key': call.apiKey ?? '' }),
  };
  if (call.encrypt) {
    const suite = resolveCipherSuite(call.encrypt.type, call.encrypt.mode)!;
    body = Buffer.from(encodeBody(suite, body, call.encrypt.secret), 'ascii');
    headers['Content-Type'] = 'text/plain';
    headers['X-Data-Type'] = format;
    headers['X-Encrypt-Type'] = call.encrypt.type;
    if (call.encrypt.mode) headers['X-Encrypt-Mode'] = call.encrypt.mode;
  }
  if (call.mangle) body = call.mangle(body);
  for (const name of call.omitHeaders ?? []) delete headers[name];
  return postBytes(http, path, { ...headers, ...call.headers }, body);
}

export function decodeText(body: Buffer, contentType: string): string {
  return /charset=gbk/i.test(contentType) ? iconv.decode(body, 'gbk') : body.toString('utf8');
}

export function yuan(text: string): Fen {
  return Fen.parseYuan(text)!;
}

/** A decoded response: every scalar as its wire text, so JSON `150.00` and XML `<X>150.00</X>` compare equal. */
export type Tree = string | Tree[] | { [name: string]: Tree };
export type TreeObject = { [name: string]: Tree };

export interface OpenedResponse {
  /** The (decrypted) message as text. */
  text: string;
  message: TreeObject;
  format: 'XML' | 'JSON';
  /** The XML declaration's encoding, for XML answers. */
  declaredEncoding?: string;
  encrypted: boolean;
}

function toTree(value: MessageValue): Tree {
  if (value instanceof JsonNumber) return value.raw;
  if (Array.isArray(value)) return value.map(toTree);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toTree(v)]));
  return String(value);
}

/**
 * Reads a partner answer as a bank would: decrypts a text/plain body with the call's suite and secret, decodes
 * GBK or UTF-8 from the XML declaration, and parses `<out>` or the JSON object strictly (our own decoders).
 */
export function openResponse(res: { body: unknown; headers: Record<string, string> }, call: PartnerCall = {}): OpenedResponse {
  const contentType = res.headers['content-type'] ?? '';
  let bytes = res.body as Buffer;
  let format: 'XML' | 'JSON';
  const encrypted = /^text\/plain/.test(contentType);
  if (encrypted) {
    if (!call.encrypt) throw new Error('an encrypted answer to a plaintext call');
    const suite = resolveCipherSuite(call.encrypt.type, call.encrypt.mode)!;
    bytes = decodeBody(suite, bytes.toString('ascii'), call.encrypt.secret);
    format = call.format ?? 'JSON';
  } else if (/^application\/xml/.test(contentType)) {
    format = 'XML';
  } else if (/^application\/json/.test(contentType)) {
    format = 'JSON';
  } else {
    throw new Error(`unexpected Content-Type ${contentType}`);
  }
  if (format === 'JSON') {
    const text = bytes.toString('utf8');
    return { text, format, encrypted, message: toTree(decodeMessage('JSON', bytes).fields) as TreeObject };
  }
  const declaredEncoding = /^<\?xml version="1\.0" encoding="([^"]+)"\?>/.exec(bytes.subarray(0, 60).toString('latin1'))?.[1];
  const text = /^gbk$/i.test(declaredEncoding ?? '') ? iconv.decode(bytes, 'gbk') : bytes.toString('utf8');
  const body = text.replace(/^<\?xml[^?]*\?>/, '');
  if (!body.startsWith('<out>') || !body.endsWith('</out>')) throw new Error(`not an <out> message: ${text.slice(0, 200)}`);
  const asRequest = `<in>${body.slice('<out>'.length, -'</out>'.length)}</in>`;
  return {
    text,
    format,
    encrypted,
    declaredEncoding,
    message: toTree(decodeMessage('XML', Buffer.from(asRequest, 'utf8')).fields) as TreeObject,
  };
}

let sequence = 0;

/** A TranSeq (or any key) unique within this test process; 20 characters at most. */
export function uniqueSeq(prefix = 'T'): string {
  sequence += 1;
  return `${prefix}${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}${String(sequence).padStart(4, '0')}`;
}

export const DEMO_INST = '00001';

function base(tranCode: string, overrides: ResponseMessage): ResponseMessage {
  return { Version: '1.0.1', InstId: DEMO_INST, TranCode: tranCode, TranDate: businessDate(), TranSeq: uniqueSeq('S'), ...overrides };
}

export function queryMessage(overrides: ResponseMessage = {}): ResponseMessage {
  return { ...base('Query', {}), BillKey: uniqueSeq('K'), CompanyId: '654321', ...overrides };
}

export function payMessage(overrides: ResponseMessage = {}): ResponseMessage {
  return { ...base('Pay', {}), BillKey: uniqueSeq('K'), CompanyId: '654321', PayAmount: '150.00', ...overrides };
}

export function payInvalidMessage(overrides: ResponseMessage = {}): ResponseMessage {
  return { ...base('PayInvalid', {}), OriginalTranSeq: uniqueSeq('O'), BillKey: uniqueSeq('K'), CompanyId: '654321', ...overrides };
}

/**
 * Rate-limit windows are fixed epoch minutes: waits for the next one when fewer than `marginSeconds` remain, so a
 * test counting requests against a per-minute limit never straddles a boundary.
 */
export async function awaitFreshMinute(marginSeconds = 10): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginSeconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
