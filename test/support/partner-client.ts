import iconv from 'iconv-lite';
import request from 'supertest';
import { Fen } from '../../src/common/fen';
import { encodeRequestMessage, ResponseMessage } from '../../src/protocol/codec';
import { encodeBody, resolveCipherSuite } from '../../src/protocol/crypto';

export const TODAY = () => {
  const d = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
  return d.replaceAll('-', '');
};

export interface PartnerCall {
  format?: 'XML' | 'JSON';
  charset?: 'GBK' | 'UTF-8';
  encrypt?: { type: string; mode?: string; secret: Buffer };
  apiKey?: string | null;
  headers?: Record<string, string>;
}

/** Sends a partner message as a bank would: JSON or XML (UTF-8/GBK), optionally encrypted. */
export function sendPartner(http: Parameters<typeof request>[0], path: string, message: ResponseMessage, call: PartnerCall = {}) {
  const format = call.format ?? 'JSON';
  const charset = call.charset ?? 'UTF-8';
  let body: Buffer = encodeRequestMessage(format, message, charset);
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
  let req = request(http)
    .post(path)
    .set({ ...headers, ...call.headers });
  req = req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  // superagent would JSON-serialise a Buffer sent as application/json; the UTF-8 text is the same bytes.
  return req.send(headers['Content-Type'] === 'application/json' && !call.headers?.['Content-Type'] ? body.toString('utf8') : body);
}

export function decodeText(body: Buffer, contentType: string): string {
  return /charset=gbk/i.test(contentType) ? iconv.decode(body, 'gbk') : body.toString('utf8');
}

export function yuan(text: string): Fen {
  return Fen.parseYuan(text)!;
}
