import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DemoDataService } from '../../src/demo/demo-data.service';
import { encodeRequestMessage, ResponseMessage } from '../../src/protocol/codec';
import { Language, messageOf, RespCode } from '../../src/protocol/errors';
import { GATEWAY_PATH, OPERATIONS, TranCode } from '../../src/protocol/partner-operation';
import { adminApi, AdminApi } from '../factories/admin-api';
import { institutionBody } from '../factories/admin-requests';
import { EchoPartnerController, echoPath } from '../support/echo-partner.controller';
import {
  awaitFreshMinute,
  businessDate,
  openResponse,
  OpenedResponse,
  PartnerCall,
  payInvalidMessage,
  payMessage,
  queryMessage,
  sendPartner,
  uniqueSeq,
} from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Every RespCode the protocol layer produces (CONTRACT §10), one table row per case, each sent as GBK XML and as
 * JSON, in Chinese and in English: status, code, message, echoed fields, content type and the headers every
 * response carries. NET5001 (timeouts) is produced in protocol-hostile.test.ts, where the timeouts are shortened.
 */

type Format = 'XML' | 'JSON';

const API_KEY = 'protocol-codes-api-key-000001';
const SECRET = randomBytes(32);

interface Credentials {
  instId: string;
  apiKey: string;
  secret: Buffer;
}

interface Context {
  t: TestApp;
  /** An institution of its own (SEC2004). */
  other: Credentials;
  /** Created with legacyCiphers: true. */
  legacy: Credentials;
  /** Created with requireEncryption: true. */
  strict: Credentials;
  /** A key of 00001 issued and then revoked through the admin API. */
  revokedKey: string;
}

interface Sent {
  message: ResponseMessage;
  call: PartnerCall;
  requestId: string;
  language: Language;
  format: Format;
}

interface Case {
  name: string;
  code: RespCode;
  status: number;
  /** Default: the path of the message's TranCode. */
  path?: string;
  /** Default: a Query of a fresh customer. */
  message?: (format: Format, ctx: Context) => ResponseMessage;
  /** Overrides of the call (API key, encryption, headers, raw body). */
  call?: (format: Format, ctx: Context, message: ResponseMessage) => PartnerCall;
  /** Runs before the request, e.g. the first use of a TranSeq. */
  before?: (ctx: Context, sent: Sent) => Promise<void>;
  /** Which BaseRequest fields come back: all that were sent (default), none, or all but some. */
  echo?: 'all' | 'none' | { without: string[] };
  /**
   * How the answer is written. Default: encrypted when the request was and the code is not SEC…, else in the
   * request's format and charset. 'json' when no format is known (413, 415); 'utf8' for XML answers to an
   * encrypted request whose charset cannot be known (the declaration is inside the ciphertext, or missing).
   */
  answer?: 'json' | 'utf8';
  formats?: Format[];
  check?: (answer: OpenedResponse, sent: Sent, res: request.Response) => void;
}

const FORMATS: Format[] = ['XML', 'JSON'];
const LANGUAGES: Language[] = ['zh', 'en'];

function pathOf(message: ResponseMessage): string {
  const tranCode = message.TranCode as TranCode;
  return ['Query', 'Pay', 'PayInvalid'].includes(tranCode) ? echoPath(tranCode) : OPERATIONS[tranCode].path;
}

/** The request's text with a fragment added as the last field (sent without a declaration, see `raw`). */
function withTail(format: Format, message: ResponseMessage, xml: string, json: string): string {
  const text = encodeRequestMessage(format, message, 'UTF-8').toString('utf8');
  return format === 'XML' ? text.replace(/<\/in>$/, `${xml}</in>`) : text.replace(/}$/, `,${json}}`);
}

/** The request's text with one field's value written as a bare token: a JSON number, or XML text. */
function withToken(format: Format, message: ResponseMessage, field: string, token: string): string {
  const text = encodeRequestMessage(format, { ...message, [field]: '@TOKEN@' }, 'UTF-8').toString('utf8');
  return text.replace(format === 'XML' ? '@TOKEN@' : '"@TOKEN@"', token);
}

function without(message: ResponseMessage, field: string): ResponseMessage {
  return Object.fromEntries(Object.entries(message).filter(([name]) => name !== field));
}

/** XML without a declaration, so the Content-Type charset decides (GBK in the XML runs). */
function withoutDeclaration(text: string): string {
  return text.replace(/^<\?xml[^?]*\?>/, '');
}

/** A field nested `levels` deep below the top object (or `<in>`): the message is 1 + `levels` deep in either format. */
function nested(levels: number): { xml: string; json: string } {
  return {
    xml: '<A>'.repeat(levels) + 'x' + '</A>'.repeat(levels),
    json: '"A":' + '{"A":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1),
  };
}

const raw = (build: (format: Format, message: ResponseMessage) => string) => (format: Format, _ctx: Context, message: ResponseMessage) => ({
  raw: withoutDeclaration(build(format, message)),
});

const AES_GCM = (secret: Buffer) => ({ type: 'AES', mode: 'GCM', secret });

/** Flips one bit in the middle of the sealed bytes: the tag or MAC no longer matches. */
function tampered(wire: Buffer): Buffer {
  const bytes = Buffer.from(wire.toString('ascii'), 'base64');
  bytes[bytes.length >> 1] ^= 0x01;
  return Buffer.from(bytes.toString('base64'), 'ascii');
}

const CASES: Case[] = [
  // AAAAAAA
  {
    name: 'Query on its path',
    code: RespCode.AAAAAAA,
    status: 200,
    check: (a, s) => {
      expect(a.message.Data).toEqual({
        Customer: { BillKey: s.message.BillKey, CompanyId: '654321', CustomerName: '张*丰' },
        TotalAmount: '86.40',
        Bills: [{ BillNo: 'B1', Amount: '86.40' }],
      });
    },
  },
  // The gateway dispatches to the real Query: the demo customer answers.
  {
    name: 'Query on the gateway',
    code: RespCode.AAAAAAA,
    status: 200,
    path: GATEWAY_PATH,
    message: () => queryMessage({ BillKey: '123456' }),
  },
  {
    name: 'Pay with an amount of whole yuan, answered with two decimals',
    code: RespCode.AAAAAAA,
    status: 200,
    message: () => payMessage({ PayAmount: '150' }),
    check: (a, s) => {
      expect(a.message.Data).toEqual({
        Transaction: {
          TranSeq: s.message.TranSeq,
          BillKey: s.message.BillKey,
          CompanyId: '654321',
          TranCode: 'Pay',
          PayAmount: '150.00',
          SubChannel: '0',
          TranStatus: '1',
        },
      });
      if (s.format === 'JSON') expect(a.text).toContain('"PayAmount":150.00,');
    },
  },
  {
    name: 'Pay with an amount as a JSON number (XML text) with one decimal',
    code: RespCode.AAAAAAA,
    status: 200,
    message: () => payMessage(),
    call: raw((f, m) => withToken(f, m, 'PayAmount', '150.5')),
    check: (a) => expect((a.message.Data as { Transaction: { PayAmount: string } }).Transaction.PayAmount).toBe('150.50'),
  },
  {
    name: 'PayInvalid with a 37-character TranSeq',
    code: RespCode.AAAAAAA,
    status: 200,
    message: () => payInvalidMessage({ TranSeq: uniqueSeq('P').padEnd(37, '0') }),
    check: (a, s) => {
      expect(a.message.Data).toMatchObject({ Transaction: { TranSeq: `REV${s.message.TranSeq as string}`, PayAmount: '-150.00' } });
      if (s.format === 'JSON') expect(a.text).toContain('"PayAmount":-150.00,');
    },
  },
  { name: 'TranDate yesterday', code: RespCode.AAAAAAA, status: 200, message: () => queryMessage({ TranDate: businessDate(-1) }) },
  { name: 'TranDate tomorrow', code: RespCode.AAAAAAA, status: 200, message: () => queryMessage({ TranDate: businessDate(1) }) },
  {
    name: 'nesting 16 deep (an ignored field)',
    code: RespCode.AAAAAAA,
    status: 200,
    call: raw((f, m) => withTail(f, m, nested(15).xml, nested(15).json)),
  },
  {
    name: 'AES/GCM encrypted, answered encrypted',
    code: RespCode.AAAAAAA,
    status: 200,
    call: () => ({ encrypt: AES_GCM(SECRET) }),
    check: (a) => expect(a.encrypted).toBe(true),
  },
  {
    name: '3DES for an institution with legacyCiphers',
    code: RespCode.AAAAAAA,
    status: 200,
    message: (_f, ctx) => queryMessage({ InstId: ctx.legacy.instId }),
    call: (_f, ctx) => ({ apiKey: ctx.legacy.apiKey, encrypt: { type: '3DES', secret: ctx.legacy.secret } }),
  },
  {
    name: 'encrypted request of an institution requiring encryption',
    code: RespCode.AAAAAAA,
    status: 200,
    message: (_f, ctx) => queryMessage({ InstId: ctx.strict.instId }),
    call: (_f, ctx) => ({ apiKey: ctx.strict.apiKey, encrypt: { type: 'SM4', secret: ctx.strict.secret } }),
  },

  // PRM3001
  {
    name: 'malformed body',
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    call: raw((f, m) => encodeRequestMessage(f, m, 'UTF-8').toString('utf8').slice(0, -3)),
  },
  { name: 'empty body', code: RespCode.PRM3001, status: 400, echo: 'none', call: () => ({ raw: '' }) },
  {
    name: 'DOCTYPE',
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    formats: ['XML'],
    call: raw((f, m) => `<!DOCTYPE in [<!ELEMENT in ANY>]>${withoutDeclaration(encodeRequestMessage(f, m, 'UTF-8').toString('utf8'))}`),
  },
  {
    name: 'ENTITY declaration and reference (XXE)',
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    formats: ['XML'],
    call: raw(
      (f, m) => `<!DOCTYPE in [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${withoutDeclaration(withToken(f, m, 'BillKey', '&xxe;'))}`,
    ),
  },
  {
    name: 'undefined entity reference',
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    formats: ['XML'],
    call: raw((f, m) => withTail(f, m, '<Note>&xxe;</Note>', '')),
  },
  {
    name: 'nesting 17 deep',
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    call: raw((f, m) => withTail(f, m, nested(16).xml, nested(16).json)),
  },
  {
    name: 'a repeated scalar element',
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    call: raw((f, m) => withTail(f, m, '<BillKey>other</BillKey>', '"BillKey":"other"')),
  },
  ...['__proto__', 'constructor', 'prototype'].map((name): Case => ({
    name: `an element or key named ${name}`,
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    call: raw((f, m) => withTail(f, m, `<Extra><${name}>x</${name}></Extra>`, `"Extra":{"${name}":"x"}`)),
  })),
  {
    name: 'encrypted garbage, answered encrypted',
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ raw: 'not a message', encrypt: AES_GCM(SECRET) }),
  },

  // PRM3002
  {
    name: 'missing BillKey, named in ErrorMsg',
    code: RespCode.PRM3002,
    status: 400,
    message: () => without(payMessage(), 'BillKey'),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('BillKey') }),
  },
  {
    name: 'missing TranSeq, named in ErrorMsg',
    code: RespCode.PRM3002,
    status: 400,
    echo: { without: ['TranSeq'] },
    message: () => without(queryMessage(), 'TranSeq'),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('TranSeq') }),
  },
  {
    name: 'an empty CompanyId',
    code: RespCode.PRM3002,
    status: 400,
    message: () => queryMessage({ CompanyId: '' }),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('CompanyId') }),
  },
  {
    name: 'missing TranCode on the gateway',
    code: RespCode.PRM3002,
    status: 400,
    path: GATEWAY_PATH,
    echo: { without: ['TranCode'] },
    message: () => without(queryMessage(), 'TranCode'),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('TranCode') }),
  },

  // PRM3003
  ...[
    ['a negative amount', '-1.00'],
    ['a zero amount', '0.00'],
    ['an amount with three decimals', '1.001'],
    ['an amount in full-width digits', '１５０.００'],
  ].map(([name, amount]): Case => ({
    name,
    code: RespCode.PRM3003,
    status: 400,
    message: () => payMessage({ PayAmount: amount }),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('PayAmount') }),
  })),
  {
    name: 'an amount with an exponent (1e2 as a JSON number)',
    code: RespCode.PRM3003,
    status: 400,
    message: () => payMessage(),
    call: raw((f, m) => withToken(f, m, 'PayAmount', '1e2')),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('PayAmount') }),
  },
  {
    name: 'a 36-character BillKey',
    code: RespCode.PRM3003,
    status: 400,
    message: () => queryMessage({ BillKey: 'K'.repeat(36) }),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('BillKey') }),
  },
  {
    name: 'a TranSeq starting with REV',
    code: RespCode.PRM3003,
    status: 400,
    message: () => payMessage({ TranSeq: `REV${uniqueSeq()}` }),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('TranSeq') }),
  },
  {
    name: 'a 38-character TranSeq on PayInvalid',
    code: RespCode.PRM3003,
    status: 400,
    message: () => payInvalidMessage({ TranSeq: uniqueSeq('P').padEnd(38, '0') }),
    check: (a) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining('TranSeq') }),
  },
  {
    name: 'a bad amount in an encrypted request, answered encrypted',
    code: RespCode.PRM3003,
    status: 400,
    message: () => payMessage({ PayAmount: '-5' }),
    call: () => ({ encrypt: { type: 'SM4', secret: SECRET } }),
  },

  // PRM3004
  { name: 'TranCode Pay on the Query path', code: RespCode.PRM3004, status: 400, path: echoPath('Query'), message: () => payMessage() },
  {
    name: 'an unknown TranCode on the gateway',
    code: RespCode.PRM3004,
    status: 400,
    path: GATEWAY_PATH,
    message: () => queryMessage({ TranCode: 'Foo' }),
  },
  {
    name: 'PayCheck on the gateway',
    code: RespCode.PRM3004,
    status: 400,
    path: GATEWAY_PATH,
    message: () => queryMessage({ TranCode: 'PayCheck' }),
  },
  { name: 'an unknown path under /api/app/', code: RespCode.PRM3004, status: 404, path: '/api/app/payCeb/noSuchOperation', echo: 'none' },

  // PRM3005, PRM3006
  { name: 'Version 1.0.0', code: RespCode.PRM3005, status: 400, message: () => queryMessage({ Version: '1.0.0' }) },
  { name: 'TranDate not YYYYMMDD', code: RespCode.PRM3006, status: 400, message: () => queryMessage({ TranDate: '2024-01-01' }) },
  { name: 'TranDate not a real date', code: RespCode.PRM3006, status: 400, message: () => queryMessage({ TranDate: '20230229' }) },
  { name: 'TranDate two days ahead', code: RespCode.PRM3006, status: 400, message: () => queryMessage({ TranDate: businessDate(2) }) },
  { name: 'TranDate two days back', code: RespCode.PRM3006, status: 400, message: () => queryMessage({ TranDate: businessDate(-2) }) },

  // PRM3007, PRM3008
  {
    name: 'a body over 64 KiB, answered in JSON',
    code: RespCode.PRM3007,
    status: 413,
    echo: 'none',
    answer: 'json',
    message: () => queryMessage({ Padding: 'x'.repeat(64 * 1024) }),
  },
  {
    name: 'an unsupported Content-Type',
    code: RespCode.PRM3008,
    status: 415,
    echo: 'none',
    answer: 'json',
    call: () => ({ headers: { 'Content-Type': 'text/html' } }),
  },
  {
    name: 'plaintext sent as text/plain',
    code: RespCode.PRM3008,
    status: 415,
    echo: 'none',
    answer: 'json',
    call: () => ({ headers: { 'Content-Type': 'text/plain' } }),
  },
  {
    name: 'an encrypted body without X-Data-Type',
    code: RespCode.PRM3008,
    status: 415,
    echo: 'none',
    answer: 'json',
    call: () => ({ encrypt: AES_GCM(SECRET), omitHeaders: ['X-Data-Type'] }),
  },
  {
    name: 'X-Data-Type disagreeing with Content-Type',
    code: RespCode.PRM3008,
    status: 415,
    echo: 'none',
    answer: 'json',
    call: (f) => ({ headers: { 'X-Data-Type': f === 'XML' ? 'JSON' : 'XML' } }),
  },

  // SEC2001
  {
    name: 'a tampered ciphertext',
    code: RespCode.SEC2001,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ encrypt: AES_GCM(SECRET), mangle: tampered }),
  },
  {
    name: 'a ciphertext under the wrong secret',
    code: RespCode.SEC2001,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ encrypt: { type: 'SM4', secret: randomBytes(32) } }),
  },
  {
    name: 'a body that is not base64',
    code: RespCode.SEC2001,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ encrypt: AES_GCM(SECRET), mangle: () => Buffer.from('not base64 at all!') }),
  },

  // SEC2002, SEC2003
  { name: 'no X-Api-Key', code: RespCode.SEC2002, status: 401, echo: 'none', call: () => ({ apiKey: null }) },
  { name: 'an empty X-Api-Key', code: RespCode.SEC2002, status: 401, echo: 'none', call: () => ({ apiKey: '' }) },
  { name: 'an unknown API key', code: RespCode.SEC2003, status: 401, echo: 'none', call: () => ({ apiKey: 'no-such-key-0000000000' }) },
  { name: 'a revoked API key', code: RespCode.SEC2003, status: 401, echo: 'none', call: (_f, ctx) => ({ apiKey: ctx.revokedKey }) },
  {
    name: 'an unknown API key on an encrypted request, answered in the clear',
    code: RespCode.SEC2003,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ apiKey: 'no-such-key-0000000000', encrypt: AES_GCM(SECRET) }),
  },

  // SEC2004
  {
    name: "another institution's InstId",
    code: RespCode.SEC2004,
    status: 401,
    message: (_f, ctx) => queryMessage({ InstId: ctx.other.instId }),
  },
  {
    name: "another institution's InstId, encrypted, answered in the clear",
    code: RespCode.SEC2004,
    status: 401,
    message: (_f, ctx) => queryMessage({ InstId: ctx.other.instId }),
    call: () => ({ encrypt: AES_GCM(SECRET) }),
  },

  // SEC2005, SEC2006
  {
    name: 'SM4/GCM',
    code: RespCode.SEC2005,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ encrypt: AES_GCM(SECRET), headers: { 'X-Encrypt-Type': 'SM4', 'X-Encrypt-Mode': 'GCM' } }),
  },
  {
    name: 'an unknown cipher type',
    code: RespCode.SEC2005,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ encrypt: AES_GCM(SECRET), headers: { 'X-Encrypt-Type': 'SM2' } }),
  },
  {
    name: '3DES for an institution without legacyCiphers',
    code: RespCode.SEC2005,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ encrypt: { type: '3DES', secret: SECRET } }),
  },
  {
    name: 'plaintext from an institution requiring encryption',
    code: RespCode.SEC2006,
    status: 401,
    echo: 'none',
    message: (_f, ctx) => queryMessage({ InstId: ctx.strict.instId }),
    call: (_f, ctx) => ({ apiKey: ctx.strict.apiKey }),
  },

  // LMT4001
  {
    name: 'a second PayInvalid of one original in a minute',
    code: RespCode.LMT4001,
    status: 429,
    message: () => payInvalidMessage(),
    before: async (ctx, sent) => {
      await awaitFreshMinute(5);
      const first = await sendPartner(ctx.t.http, echoPath('PayInvalid'), { ...sent.message, TranSeq: uniqueSeq() }, sent.call);
      expect(first.status).toBe(200);
    },
    check: (_a, _s, res) => {
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.headers).toMatchObject({ 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0' });
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    },
  },

  // SYS1001
  {
    name: 'an unexpected error, ErrorMsg naming the request id only',
    code: RespCode.SYS1001,
    status: 500,
    message: () => queryMessage({ BillKey: 'explode' }),
    check: (a, s) => {
      const detail = a.message.ErrorDetail as { ErrorMsg: string };
      expect(detail.ErrorMsg).toContain(s.requestId);
      expect(a.text).not.toMatch(/secret detail|unexpected failure|Error:|at .*\.ts/);
    },
  },

  // DEF…
  {
    name: 'unknown customer',
    code: RespCode.DEF0001,
    status: 400,
    message: () => queryMessage({ BillKey: 'missing' }),
    check: (a, s) =>
      expect(a.message.ErrorDetail).toMatchObject({
        ErrorMsg: s.language === 'zh' ? '客户编号missing不存在' : 'customer missing not found',
      }),
  },
  {
    name: 'unknown customer, encrypted, answered encrypted',
    code: RespCode.DEF0001,
    status: 400,
    message: () => queryMessage({ BillKey: 'missing' }),
    call: () => ({ encrypt: { type: 'AES', mode: 'CBC', secret: SECRET } }),
  },
  { name: 'nothing unpaid', code: RespCode.DEF0003, status: 400, message: () => payMessage({ BillKey: 'nothing-due' }) },
  {
    name: 'a used TranSeq for another request',
    code: RespCode.DEF0009,
    status: 400,
    message: () => payMessage({ PayAmount: '2.00' }),
    before: async (ctx, sent) => {
      const first = await sendPartner(ctx.t.http, echoPath('Pay'), { ...sent.message, PayAmount: '1.00' }, sent.call);
      expect(first.status).toBe(200);
    },
    check: (a, s) => expect(a.message.ErrorDetail).toMatchObject({ ErrorMsg: expect.stringContaining(s.message.TranSeq as string) }),
  },
  // The order of checks (CONTRACT §1): each request fails two checks; the earlier one answers.
  {
    name: 'order: an unsupported Content-Type before an oversize body',
    code: RespCode.PRM3008,
    status: 415,
    echo: 'none',
    answer: 'json',
    message: () => queryMessage({ Padding: 'x'.repeat(64 * 1024) }),
    call: () => ({ headers: { 'Content-Type': 'text/html' } }),
  },
  {
    name: 'order: an oversize body before a missing API key',
    code: RespCode.PRM3007,
    status: 413,
    echo: 'none',
    answer: 'json',
    message: () => queryMessage({ Padding: 'x'.repeat(64 * 1024) }),
    call: () => ({ apiKey: null }),
  },
  {
    name: 'order: a missing API key before an unsupported cipher',
    code: RespCode.SEC2002,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ apiKey: null, encrypt: AES_GCM(SECRET), headers: { 'X-Encrypt-Type': 'SM4', 'X-Encrypt-Mode': 'GCM' } }),
  },
  {
    name: 'order: an unknown API key before a tampered ciphertext',
    code: RespCode.SEC2003,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ apiKey: 'no-such-key-0000000000', encrypt: AES_GCM(SECRET), mangle: tampered }),
  },
  {
    name: 'order: an unsupported cipher before required encryption',
    code: RespCode.SEC2005,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    message: (_f, ctx) => queryMessage({ InstId: ctx.strict.instId }),
    call: (_f, ctx) => ({
      apiKey: ctx.strict.apiKey,
      encrypt: AES_GCM(ctx.strict.secret),
      headers: { 'X-Encrypt-Type': 'SM4', 'X-Encrypt-Mode': 'GCM' },
    }),
  },
  {
    name: 'order: required encryption before an unreadable body',
    code: RespCode.SEC2006,
    status: 401,
    echo: 'none',
    call: (_f, ctx) => ({ apiKey: ctx.strict.apiKey, raw: '<in><Version>' }),
  },
  {
    name: 'order: a failed decryption before an unreadable body',
    code: RespCode.SEC2001,
    status: 401,
    echo: 'none',
    answer: 'utf8',
    call: () => ({ raw: '<in><Version>', encrypt: AES_GCM(randomBytes(32)) }),
  },
  {
    name: "order: an unreadable body before another institution's InstId",
    code: RespCode.PRM3001,
    status: 400,
    echo: 'none',
    message: (_f, ctx) => queryMessage({ InstId: ctx.other.instId }),
    call: raw((f, m) => withTail(f, m, '<BillKey>other</BillKey>', '"BillKey":"other"')),
  },
  {
    name: "order: another institution's InstId before TranCode ≠ path",
    code: RespCode.SEC2004,
    status: 401,
    path: echoPath('Query'),
    message: (_f, ctx) => payMessage({ InstId: ctx.other.instId }),
  },
  {
    name: 'order: TranCode ≠ path before Version',
    code: RespCode.PRM3004,
    status: 400,
    path: echoPath('Query'),
    message: () => payMessage({ Version: '9' }),
  },
  {
    name: 'order: Version before a missing field',
    code: RespCode.PRM3005,
    status: 400,
    message: () => without(queryMessage({ Version: '9' }), 'BillKey'),
  },
  {
    name: 'order: a missing field before TranDate',
    code: RespCode.PRM3002,
    status: 400,
    message: () => without(queryMessage({ TranDate: '2020-01-01' }), 'BillKey'),
  },
  {
    name: 'order: a bad field before TranDate',
    code: RespCode.PRM3003,
    status: 400,
    message: () => payMessage({ PayAmount: '-1', TranDate: '2020-01-01' }),
  },
  {
    name: 'order: TranDate before a used TranSeq',
    code: RespCode.PRM3006,
    status: 400,
    message: () => payMessage({ PayAmount: '2.00', TranDate: '2020-01-01' }),
    before: async (ctx, sent) => {
      const first = await sendPartner(
        ctx.t.http,
        echoPath('Pay'),
        { ...sent.message, PayAmount: '1.00', TranDate: businessDate() },
        sent.call,
      );
      expect(first.status).toBe(200);
    },
  },
  {
    name: 'order: a used TranSeq before the rate limit',
    code: RespCode.DEF0009,
    status: 400,
    message: () => payInvalidMessage(),
    before: async (ctx, sent) => {
      await awaitFreshMinute(5);
      // The same TranSeq and OriginalTranSeq, another BillKey: the original's one reversal a minute is used up.
      const first = await sendPartner(ctx.t.http, echoPath('PayInvalid'), { ...sent.message, BillKey: uniqueSeq('K') }, sent.call);
      expect(first.status).toBe(200);
    },
  },
  {
    name: 'order: a replay before the rate limit',
    code: RespCode.AAAAAAA,
    status: 200,
    message: () => payInvalidMessage(),
    before: async (ctx, sent) => {
      await awaitFreshMinute(5);
      const first = await sendPartner(ctx.t.http, echoPath('PayInvalid'), sent.message, sent.call);
      expect(first.status).toBe(200);
      const limited = await sendPartner(ctx.t.http, echoPath('PayInvalid'), { ...sent.message, TranSeq: uniqueSeq() }, sent.call);
      expect(limited.status).toBe(429);
    },
    check: (_a, _s, res) => expect(res.headers['idempotent-replayed']).toBe('true'),
  },
  {
    name: 'order: the rate limit before business rules',
    code: RespCode.LMT4001,
    status: 429,
    message: () => queryMessage({ BillKey: 'missing' }),
    before: async (ctx, sent) => {
      // An institution of its own whose Query limit is one per BillKey: the first 'missing' is DEF0001, the next refused.
      const api = adminApi(ctx.t);
      const created = await api.post('/admin/v1/institutions').send(institutionBody()).expect(201);
      await api
        .put(`/admin/v1/institutions/${created.body.instId}/limits`)
        .send({ Query: { perKey: 1 } })
        .expect(200);
      sent.message.InstId = created.body.instId;
      sent.call.apiKey = created.body.apiKey;
      await awaitFreshMinute(5);
      const first = await sendPartner(ctx.t.http, echoPath('Query'), { ...sent.message, TranSeq: uniqueSeq() }, sent.call);
      expect(openResponse(first, sent.call).message.RespCode).toBe('DEF0001');
    },
  },
];

function expectedContentType(c: Case, sent: Sent): RegExp {
  if (c.answer === 'json') return /^application\/json; charset=utf-8$/;
  if (sent.call.encrypt && !c.code.startsWith('SEC')) return /^text\/plain\b/;
  if (sent.format === 'JSON') return /^application\/json; charset=utf-8$/;
  if (c.answer === 'utf8') return /^application\/xml; charset=UTF-8$/;
  return new RegExp(`^application/xml; charset=${sent.call.charset}$`);
}

describe('protocol: every RespCode of the protocol layer', () => {
  const ctx = {} as Context;
  let api: AdminApi;

  async function institution(options: { requireEncryption?: boolean; legacyCiphers?: boolean }): Promise<Credentials> {
    const res = await api.post('/admin/v1/institutions').send(institutionBody(options)).expect(201);
    return { instId: res.body.instId, apiKey: res.body.apiKey, secret: Buffer.from(res.body.encKey, 'base64') };
  }

  beforeAll(async () => {
    ctx.t = await createTestApp(
      { DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') },
      { controllers: [EchoPartnerController] },
    );
    await ctx.t.app.get(DemoDataService).loadIfEmpty();
    api = adminApi(ctx.t);
    // Only the LMT4001 row may meet a limit: the table sends many Query and Pay requests per minute.
    const high = { perKey: 1_000_000, perInst: 1_000_000 };
    await api.put('/admin/v1/institutions/00001/limits').send({ Query: high, Pay: high }).expect(200);
    ctx.other = await institution({});
    ctx.legacy = await institution({ legacyCiphers: true });
    ctx.strict = await institution({ requireEncryption: true });
    const issued = await api.post('/admin/v1/institutions/00001/keys').expect(201);
    await api.delete(`/admin/v1/institutions/00001/keys/${issued.body.keyId}`).expect(200);
    ctx.revokedKey = issued.body.apiKey;
  });

  afterAll(() => ctx.t.close());

  describe.each(FORMATS.flatMap((format) => LANGUAGES.map((language) => [format, language] as const)))(
    '%s, language %s',
    (format, language) => {
      it.each(CASES.filter((c) => !c.formats || c.formats.includes(format)))('$code $name', async (c) => {
        const message = (c.message ?? (() => queryMessage()))(format, ctx);
        const requestId = `codes-${uniqueSeq()}`;
        const extra = c.call?.(format, ctx, message) ?? {};
        const call: PartnerCall = {
          format,
          charset: format === 'XML' ? 'GBK' : 'UTF-8',
          apiKey: API_KEY,
          ...extra,
          headers: { 'X-Request-Id': requestId, ...(language === 'en' ? { 'Accept-Language': 'en' } : {}), ...extra.headers },
        };
        const sent: Sent = { message, call, requestId, language, format };
        await c.before?.(ctx, sent);

        const res = await sendPartner(ctx.t.http, c.path ?? pathOf(message), message, call);

        expect({ status: res.status, requestId: res.headers['x-request-id'] }).toEqual({ status: c.status, requestId });
        expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{2}ms$/);
        expect(res.headers['content-type']).toMatch(expectedContentType(c, sent));
        const answer = openResponse(res, call);
        if (answer.format === 'XML' && call.charset === 'GBK' && c.answer === undefined) expect(answer.declaredEncoding).toBe('GBK');

        const { RespCode: code, RespMessage: respMessage, Data: data, ErrorDetail: detail, ...echo } = answer.message;
        expect(code).toBe(c.code);
        const tranCode =
          typeof message.TranCode === 'string' && OPERATIONS[message.TranCode as TranCode] ? (message.TranCode as TranCode) : 'Query';
        expect(respMessage).toBe(c.code === RespCode.AAAAAAA ? OPERATIONS[tranCode].successMessage[language] : messageOf(c.code, language));
        expect(respMessage).toMatch(language === 'zh' ? /\p{Script=Han}/u : /^[\x20-\x7e]+$/);
        expect((respMessage as string).length).toBeLessThanOrEqual(60);
        if (c.code === RespCode.AAAAAAA) {
          expect(data).toBeDefined();
          expect(detail).toBeUndefined();
        } else {
          expect(data).toBeUndefined();
          expect(detail).toEqual({
            ErrorCode: c.code,
            ErrorMsg: expect.any(String),
            ErrorTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
          });
        }

        const fields = ['InstId', 'TranCode', 'TranDate', 'TranSeq'];
        const echoed = c.echo === 'none' ? [] : fields.filter((f) => typeof c.echo !== 'object' || !c.echo.without.includes(f));
        const expectedEcho: Record<string, unknown> = { Version: '1.0.1' };
        for (const f of echoed) expectedEcho[f] = f === 'TranCode' ? `${message[f] as string}Res` : message[f];
        expect(echo).toEqual(expectedEcho);

        c.check?.(answer, sent, res);
      });
    },
  );

  it('gives one identical ErrorMsg for every decryption failure of every suite', async () => {
    const suites = [
      { type: 'AES', mode: 'GCM' },
      { type: 'SM4', mode: 'CBC' },
      { type: 'AES', mode: 'CBC' },
    ];
    const failures: Pick<PartnerCall, 'mangle'>[] = [
      { mangle: tampered },
      { mangle: (wire) => Buffer.from(Buffer.from(wire.toString('ascii'), 'base64').subarray(0, 20).toString('base64')) },
      { mangle: (wire) => Buffer.from(`${wire.toString('ascii')}A`) },
      { mangle: () => Buffer.from('%%%%') },
      { mangle: () => Buffer.alloc(0) },
      {},
    ];
    const answers = new Set<string>();
    for (const suite of suites) {
      for (const failure of failures) {
        const secret = failure.mangle ? SECRET : randomBytes(32);
        const res = await sendPartner(ctx.t.http, echoPath('Query'), queryMessage(), {
          apiKey: API_KEY,
          encrypt: { ...suite, secret },
          ...failure,
        });
        expect(res.status).toBe(401);
        const { RespCode: code, ErrorDetail: detail } = openResponse(res).message as {
          RespCode: string;
          ErrorDetail: { ErrorMsg: string };
        };
        answers.add(`${code} ${detail.ErrorMsg}`);
      }
    }
    expect([...answers]).toEqual([`SEC2001 ${messageOf(RespCode.SEC2001)}`]);
  });

  it('answers a GET under /api/app/ with a JSON 404 envelope and the common headers', async () => {
    const res = await request(ctx.t.http).get('/api/app/payCeb/getChargeOffs').set('X-Request-Id', 'get-404');
    expect(res.status).toBe(404);
    expect(res.headers).toMatchObject({ 'x-request-id': 'get-404', 'content-type': 'application/json; charset=utf-8' });
    expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{2}ms$/);
    expect(res.body).toMatchObject({ RespCode: 'PRM3004', ErrorDetail: { ErrorCode: 'PRM3004' } });
  });

  it('generates an X-Request-Id when none or a malformed one is sent', async () => {
    const none = await sendPartner(ctx.t.http, echoPath('Query'), queryMessage(), { apiKey: API_KEY });
    const malformed = await sendPartner(ctx.t.http, echoPath('Query'), queryMessage(), {
      apiKey: API_KEY,
      headers: { 'X-Request-Id': 'bad id!' },
    });
    for (const res of [none, malformed])
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(none.headers['x-request-id']).not.toBe(malformed.headers['x-request-id']);
  });
});
