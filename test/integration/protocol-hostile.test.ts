import fc from 'fast-check';
import iconv from 'iconv-lite';
import { randomBytes } from 'node:crypto';
import http, { IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuditEntry } from '../../src/admin/entities/audit-entry.entity';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { DemoDataService } from '../../src/demo/demo-data.service';
import { ResponseMessage } from '../../src/protocol/codec';
import { encodeBody, resolveCipherSuite } from '../../src/protocol/crypto';
import { PROCESSING_DEADLINE } from '../../src/protocol/envelope.interceptor';
import { BODY_READ_TIMEOUT } from '../../src/protocol/partner-body.middleware';
import { adminApi } from '../factories/admin-api';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { EchoPartnerController, echoPath } from '../support/echo-partner.controller';
import {
  openResponse,
  PartnerCall,
  payMessage,
  postBytes,
  queryMessage,
  sendPartner,
  TreeObject,
  uniqueSeq,
} from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Hostile bodies and slow parties (CONTRACT §1, §6, §10): read timeout, processing deadline, oversize bodies, and
 * property-based junk that must always be answered with a contract envelope, never a 500 or a hang.
 */

const API_KEY = 'protocol-hostile-api-key-0001';
const SECRET = randomBytes(32);
const KIB = 1024;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A POST over a plain socket that writes `chunks` with `gapMs` between them, as a slow or hostile client would,
 * and resolves with the answer as soon as it is complete — even if the server closes before the body is sent.
 */
function rawPost(
  port: number,
  path: string,
  headers: http.OutgoingHttpHeaders,
  chunks: Buffer[],
  gapMs = 0,
  end = true,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        answered = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) });
        req.destroy();
      });
    });
    req.flushHeaders();
    // Writing into a connection the server has closed fails once its answer is in: that is expected.
    req.on('error', (error) => {
      clearTimeout(timer);
      if (!answered) reject(error);
    });
    let next = 0;
    const writeNext = () => {
      if (req.destroyed) return;
      if (next < chunks.length) {
        req.write(chunks[next++]);
        timer = setTimeout(writeNext, gapMs);
      } else if (end) {
        req.end();
      }
    };
    writeNext();
  });
}

function envelopeOf(res: RawResponse): TreeObject {
  return openResponse({ body: res.body, headers: res.headers as Record<string, string> }).message;
}

const HEADERS = { 'Content-Type': 'application/json', 'X-Api-Key': API_KEY };

describe('protocol: hostile bodies and slow parties', () => {
  describe('with a 300 ms read timeout and a 100 ms processing deadline', () => {
    let t: TestApp;
    let port: number;

    beforeAll(async () => {
      t = await createTestApp(
        { DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') },
        {
          controllers: [EchoPartnerController],
          overrides: [
            { provide: BODY_READ_TIMEOUT, useValue: 300 },
            { provide: PROCESSING_DEADLINE, useValue: 100 },
          ],
        },
      );
      await t.app.get(DemoDataService).loadIfEmpty();
      await t.app.listen(0, '127.0.0.1');
      port = ((t.http as http.Server).address() as AddressInfo).port;
    });

    afterAll(() => t.close());

    afterEach(() => {
      EchoPartnerController.slowMs = 300;
    });

    const auditRows = (tranSeq: unknown) =>
      t.app.get(UnitOfWork).read(() =>
        t.app
          .get(UnitOfWork)
          .repository(AuditEntry)
          .countBy({ action: 'echo.pay', target: String(tranSeq) }),
      );

    it('answers a body trickled past the read timeout with 408 NET5001 in JSON', async () => {
      const body = Buffer.from(JSON.stringify(queryMessage()));
      // A byte every 40 ms: never idle for long, but the whole body takes far longer than 300 ms.
      const chunks = [body.subarray(0, 10), ...Array.from(body.subarray(10, 30), (byte) => Buffer.from([byte]))];
      const started = Date.now();
      const res = await rawPost(
        port,
        echoPath('Query'),
        { ...HEADERS, 'Content-Length': body.length, 'X-Request-Id': 'slow-body-1' },
        chunks,
        40,
        false,
      );
      const elapsed = Date.now() - started;

      expect(res.status).toBe(408);
      expect(res.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'slow-body-1' });
      expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{2}ms$/);
      expect(envelopeOf(res)).toMatchObject({ RespCode: 'NET5001', RespMessage: '请求超时', ErrorDetail: { ErrorCode: 'NET5001' } });
      // Not before the timeout: the client was still sending, a byte every 40 ms.
      expect(elapsed).toBeGreaterThanOrEqual(290);
    });

    it('answers a client that sends headers and then nothing with 408 NET5001', async () => {
      const res = await rawPost(port, echoPath('Pay'), { ...HEADERS, 'Content-Length': 100 }, [], 0, false);
      expect(res.status).toBe(408);
      expect(envelopeOf(res).RespCode).toBe('NET5001');
    });

    it('keeps serving after a client disconnects in the middle of a body', async () => {
      await new Promise<void>((resolve) => {
        const req = http.request({
          host: '127.0.0.1',
          port,
          path: echoPath('Pay'),
          method: 'POST',
          headers: { ...HEADERS, 'Content-Length': 500 },
          agent: false,
        });
        req.on('error', () => undefined);
        req.write('{"Version":"1.0.1",', () => {
          req.destroy();
          resolve();
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const res = await sendPartner(t.http, echoPath('Query'), queryMessage(), { apiKey: API_KEY });
      expect([res.status, openResponse(res).message.RespCode]).toEqual([200, 'AAAAAAA']);
    });

    it('answers a handler past the processing deadline with 408 NET5001 at the deadline, applies nothing, and executes the retry', async () => {
      EchoPartnerController.slowMs = 1000;
      const message = payMessage({ BillKey: 'slow' });
      const call: PartnerCall = { apiKey: API_KEY, format: 'XML', charset: 'GBK', headers: { 'X-Request-Id': 'deadline-1' } };
      const before = EchoPartnerController.executions;
      const returnsBefore = EchoPartnerController.slowReturns;

      const late = await sendPartner(t.http, echoPath('Pay'), message, call);
      expect(late.status).toBe(408);
      // Answered at the deadline, while the handler is still at work.
      expect(EchoPartnerController.slowReturns - returnsBefore).toBe(0);
      expect(late.headers).toMatchObject({ 'content-type': 'application/xml; charset=GBK', 'x-request-id': 'deadline-1' });
      expect(late.headers['x-response-time']).toMatch(/^\d+\.\d{2}ms$/);
      expect(openResponse(late, call).message).toMatchObject({
        TranCode: 'PayRes',
        TranSeq: message.TranSeq,
        RespCode: 'NET5001',
        ErrorDetail: { ErrorCode: 'NET5001' },
      });
      expect(EchoPartnerController.executions - before).toBe(1);

      // The handler's work, finishing after the answer, is rolled back.
      while (EchoPartnerController.slowReturns === returnsBefore) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await auditRows(message.TranSeq)).toBe(0);

      // Nothing was stored under the TranSeq: the same request, now within the deadline, executes.
      EchoPartnerController.slowMs = 0;
      const retried = await sendPartner(t.http, echoPath('Pay'), message, call);
      expect([retried.status, retried.headers['idempotent-replayed']]).toEqual([200, undefined]);
      expect(openResponse(retried, call).message).toMatchObject({
        RespCode: 'AAAAAAA',
        Data: { Transaction: { TranSeq: message.TranSeq } },
      });
      expect(EchoPartnerController.executions - before).toBe(2);
      expect(await auditRows(message.TranSeq)).toBe(1);
    });

    it('answers an encrypted request past the deadline encrypted', async () => {
      const message = payMessage({ BillKey: 'slow' });
      const call: PartnerCall = { apiKey: API_KEY, encrypt: { type: 'SM4', secret: SECRET } };
      const late = await sendPartner(t.http, echoPath('Pay'), message, call);
      expect(late.status).toBe(408);
      expect(late.headers['content-type']).toMatch(/^text\/plain\b/);
      expect(openResponse(late, call).message).toMatchObject({ RespCode: 'NET5001', TranSeq: message.TranSeq });
      expect(await auditRows(message.TranSeq)).toBe(0);
    });
  });

  describe('with the configured timeouts', () => {
    let t: TestApp;
    let port: number;

    beforeAll(async () => {
      t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') }, { controllers: [EchoPartnerController] });
      await t.app.get(DemoDataService).loadIfEmpty();
      await t.app.listen(0, '127.0.0.1');
      port = ((t.http as http.Server).address() as AddressInfo).port;
      const high = { perKey: 1_000_000, perInst: 1_000_000 };
      await adminApi(t).put('/admin/v1/institutions/00001/limits').send({ Query: high, Pay: high, PayInvalid: high }).expect(200);
    });

    afterAll(() => t.close());

    describe('oversize bodies', () => {
      it('answers a declared oversize body with 413 before it is sent', async () => {
        const res = await rawPost(
          port,
          echoPath('Query'),
          { ...HEADERS, 'Content-Length': 64 * KIB + 1, 'X-Request-Id': 'big-1' },
          [Buffer.from('{"Version":')],
          0,
          false,
        );
        expect(res.status).toBe(413);
        expect(res.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'big-1' });
        expect(envelopeOf(res)).toMatchObject({ RespCode: 'PRM3007', ErrorDetail: { ErrorCode: 'PRM3007' } });
      });

      it.each([
        ['JSON', 'application/json'],
        ['XML', 'application/xml; charset=GBK'],
        ['encrypted', 'text/plain'],
      ])('answers an undeclared (chunked) %s body over 64 KiB with 413 in JSON', async (_kind, contentType) => {
        const chunks = Array.from({ length: 9 }, () => Buffer.alloc(8 * KIB, 0x41));
        const encryption = contentType === 'text/plain' ? { 'X-Data-Type': 'JSON', 'X-Encrypt-Type': 'AES' } : {};
        const headers = { 'Content-Type': contentType, 'X-Api-Key': API_KEY, ...encryption };
        const res = await rawPost(port, echoPath('Pay'), headers, chunks, 5);
        expect(res.status).toBe(413);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(envelopeOf(res).RespCode).toBe('PRM3007');
      });

      it('reads a body of exactly 64 KiB', async () => {
        const message = JSON.stringify(queryMessage());
        const frame = `${message.slice(0, -1)},"Padding":""}`;
        const body = frame.replace('"Padding":""', `"Padding":"${'x'.repeat(64 * KIB - frame.length)}"`);
        expect(Buffer.byteLength(body)).toBe(64 * KIB);
        const res = await postBytes(t.http, echoPath('Query'), HEADERS, body);
        expect([res.status, openResponse(res).message.RespCode]).toEqual([200, 'AAAAAAA']);
      });

      it("allows 16 MiB on PayCheck's own path only", async () => {
        const big = await rawPost(port, echoPath('PayCheck'), { ...HEADERS, 'Content-Length': 16 * KIB * KIB + 1 }, [], 0, false);
        expect([big.status, envelopeOf(big).RespCode]).toEqual([413, 'PRM3007']);
        // 100 KiB is read there (and refused further on: the message has none of PayCheck's fields).
        const res = await postBytes(t.http, OPERATIONS.PayCheck.path, HEADERS, `{"Padding":"${'x'.repeat(100 * KIB)}"}`);
        expect(res.status).not.toBe(413);
        expect(openResponse(res).message.RespCode).not.toBe('PRM3007');
      });

      it.each([
        ['an XML list', 'application/xml; charset=UTF-8', () => `<in><L>${'<Item/>'.repeat((16 * KIB * KIB) / 7 - 3)}</L></in>`],
        ['a JSON list', 'application/json', () => `{"L":[${'1,'.repeat(8 * KIB * KIB - 8)}1]}`],
      ])("refuses 16 MiB of %s on PayCheck's path as PRM3001, and goes on serving", async (_case, contentType, body) => {
        const res = await postBytes(t.http, OPERATIONS.PayCheck.path, { ...HEADERS, 'Content-Type': contentType }, body());
        expect(res.status).toBe(400);
        const format = contentType.includes('xml') ? 'XML' : 'JSON';
        expect(openResponse(res, { format }).message).toMatchObject({ RespCode: 'PRM3001', ErrorDetail: { ErrorCode: 'PRM3001' } });

        const next = await sendPartner(t.http, echoPath('Query'), queryMessage(), { apiKey: API_KEY });
        expect([next.status, openResponse(next).message.RespCode]).toEqual([200, 'AAAAAAA']);
      });
    });

    describe('property-based junk', () => {
      const RUNS = { numRuns: 200 };
      const CONTRACT_CODE = /^(PRM300[1-8]|SEC200[1-6])$/;

      /** Posts, bounded in time: a hang fails the property instead of the suite. */
      const post = (path: string, headers: Record<string, string>, body: Buffer | string) =>
        postBytes(t.http, path, headers, body).timeout({ response: 5000, deadline: 10_000 });

      /** A contract envelope with a format or security code, in the clear or sealed with the call's suite. */
      function expectRefusal(res: { status: number; body: unknown; headers: Record<string, string> }, call: PartnerCall = {}): string {
        expect([400, 401, 413, 415]).toContain(res.status);
        expect(res.headers['x-request-id']).toBeTruthy();
        expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{2}ms$/);
        const message = openResponse(res, call).message;
        expect(message.RespCode).toMatch(CONTRACT_CODE);
        expect(message.ErrorDetail).toMatchObject({ ErrorCode: message.RespCode, ErrorMsg: expect.any(String) });
        return message.RespCode as string;
      }

      const contentTypes = fc.constantFrom(
        'application/json',
        'application/xml',
        'application/xml; charset=GBK',
        'text/xml; charset=UTF-8',
      );
      const paths = fc.constantFrom(echoPath('Query'), echoPath('Pay'), echoPath('PayInvalid'), '/api/app/gateway');
      const suites = fc.constantFrom({ type: 'AES', mode: 'GCM' }, { type: 'SM4', mode: 'CBC' }, { type: 'AES', mode: 'CBC' });

      it('answers random bytes as JSON or XML with a PRM/SEC envelope', async () => {
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), contentTypes, paths, async (bytes, contentType, path) => {
            const res = await post(path, { 'Content-Type': contentType, 'X-Api-Key': API_KEY }, Buffer.from(bytes));
            expectRefusal(res);
          }),
          RUNS,
        );
      });

      it('answers random bytes as an encrypted body with SEC2001 in the clear', async () => {
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), suites, fc.boolean(), paths, async (bytes, suite, asBase64, path) => {
            const body = asBase64 ? Buffer.from(Buffer.from(bytes).toString('base64')) : Buffer.from(bytes);
            const headers = {
              'Content-Type': 'text/plain',
              'X-Api-Key': API_KEY,
              'X-Data-Type': 'JSON',
              'X-Encrypt-Type': suite.type,
              'X-Encrypt-Mode': suite.mode,
            };
            const res = await post(path, headers, body);
            expect(expectRefusal(res)).toBe('SEC2001');
          }),
          RUNS,
        );
      });

      const xmlToken = fc.oneof(
        fc.constantFrom(
          '<?xml version="1.0" encoding="GBK"?>',
          '<?xml version="1.0"?>',
          '<in>',
          '</in>',
          '<Version>1.0.1</Version>',
          '<InstId>00001</InstId>',
          '<TranCode>Query</TranCode>',
          '<TranSeq>',
          '</TranSeq>',
          '<BillKey>',
          '</BillKey>',
          '<Item>',
          '</Item>',
          '<A x="1">',
          '<B/>',
          '<__proto__>',
          '<!DOCTYPE in [<!ENTITY e "x">]>',
          '<!ENTITY e SYSTEM "file:///etc/passwd">',
          '&e;',
          '&amp;',
          '&#0;',
          '&#x1F600;',
          '<![CDATA[',
          ']]>',
          '<!--',
          '-->',
          '<?pi x?>',
          '<',
          '>',
          '张三丰',
        ),
        fc.string({ maxLength: 12 }),
      );

      it('answers random XML-ish text with a PRM/SEC envelope', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(xmlToken, { maxLength: 40 }), fc.constantFrom('GBK', 'UTF-8'), paths, async (tokens, charset, path) => {
            const text = tokens.join('');
            const body = charset === 'GBK' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
            const res = await post(path, { 'Content-Type': `application/xml; charset=${charset}`, 'X-Api-Key': API_KEY }, body);
            expectRefusal(res);
          }),
          RUNS,
        );
      });

      it('answers random JSON values, in the clear as JSON or XML or encrypted, with a PRM envelope', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.jsonValue({ maxDepth: 20 }),
            fc.constantFrom('JSON', 'XML', 'encrypted'),
            suites,
            paths,
            async (value, how, suite, path) => {
              const text = JSON.stringify(value) ?? 'null';
              if (how === 'encrypted') {
                const call: PartnerCall = { format: 'JSON', encrypt: { ...suite, secret: SECRET } };
                const sealed = encodeBody(resolveCipherSuite(suite.type, suite.mode)!, Buffer.from(text, 'utf8'), SECRET);
                const headers = {
                  'Content-Type': 'text/plain',
                  'X-Api-Key': API_KEY,
                  'X-Data-Type': 'JSON',
                  'X-Encrypt-Type': suite.type,
                  'X-Encrypt-Mode': suite.mode,
                };
                const res = await post(path, headers, sealed);
                expect(res.headers['content-type']).toMatch(/^text\/plain\b/);
                expect(expectRefusal(res, call)).toMatch(/^PRM/);
                return;
              }
              const res = await post(
                path,
                { 'Content-Type': how === 'XML' ? 'application/xml' : 'application/json', 'X-Api-Key': API_KEY },
                text,
              );
              expect(expectRefusal(res)).toMatch(/^PRM/);
            },
          ),
          RUNS,
        );
      });

      it('answers messages with random field values with an envelope of a known code, never a 500', async () => {
        const value = fc.oneof(
          fc.constantFrom(
            '1.0.1',
            '00001',
            'Query',
            'Pay',
            'PayInvalid',
            '150.00',
            '0',
            '-1',
            '1e2',
            'REV1',
            '',
            ' ',
            '张三丰',
            '20230229',
          ),
          fc.string({ maxLength: 50 }),
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
          fc.array(fc.string(), { maxLength: 3 }),
          fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
        );
        const fields = [
          'Version',
          'InstId',
          'TranCode',
          'TranDate',
          'TranSeq',
          'BillKey',
          'CompanyId',
          'PayAmount',
          'SubChannel',
          'BillNo',
          'OriginalTranSeq',
        ];
        const message = fc.record(Object.fromEntries(fields.map((name) => [name, value])), {
          requiredKeys: [],
        });
        await fc.assert(
          fc.asyncProperty(message, paths, fc.boolean(), async (fields, path, keepValid) => {
            const base = keepValid ? payMessage({ TranSeq: uniqueSeq('F') }) : {};
            const body = JSON.stringify({ ...base, ...fields });
            const res = await post(path, { 'Content-Type': 'application/json', 'X-Api-Key': API_KEY }, body);
            expect([200, 400, 401]).toContain(res.status);
            const answer = openResponse(res).message;
            expect(answer.RespCode).toMatch(/^(AAAAAAA|PRM300[1-6]|SEC2004|DEF000[139])$/);
          }),
          RUNS,
        );
      });

      it('answers random header combinations with an envelope of a known code, never a 500', async () => {
        const token = fc.oneof(
          fc.constantFrom('', 'NONE', 'AES', 'SM4', '3DES', 'SM2', 'GCM', 'CBC', 'XML', 'JSON', 'aes', 'Aes'),
          fc.stringMatching(/^[\x21-\x7e]{0,12}$/),
        );
        const contentType = fc.oneof(
          fc.constantFrom(
            'application/json',
            'application/xml; charset=GBK',
            'text/xml',
            'text/plain',
            'text/html',
            'application/json; charset=GBK',
            'multipart/form-data',
          ),
          fc.stringMatching(/^[\x21-\x7e]{0,20}$/),
        );
        await fc.assert(
          fc.asyncProperty(
            contentType,
            fc.option(token),
            fc.option(token),
            fc.option(token),
            async (type, dataType, encryptType, encryptMode) => {
              const headers: Record<string, string> = { 'Content-Type': type, 'X-Api-Key': API_KEY };
              if (dataType !== null) headers['X-Data-Type'] = dataType;
              if (encryptType !== null) headers['X-Encrypt-Type'] = encryptType;
              if (encryptMode !== null) headers['X-Encrypt-Mode'] = encryptMode;
              const res = await post(echoPath('Query'), headers, JSON.stringify(queryMessage()));
              expect([200, 400, 401, 415]).toContain(res.status);
              const answer = res.headers['content-type']?.startsWith('text/plain') ? null : openResponse(res).message;
              if (answer) expect(answer.RespCode).toMatch(/^(AAAAAAA|PRM300[1-8]|SEC200[1-6])$/);
            },
          ),
          RUNS,
        );
      });

      it('survives all of it: the process still answers a normal Query and Pay', async () => {
        const query = await sendPartner(t.http, echoPath('Query'), queryMessage(), { apiKey: API_KEY, format: 'XML', charset: 'GBK' });
        expect([query.status, openResponse(query).message.RespCode]).toEqual([200, 'AAAAAAA']);
        const payment: ResponseMessage = payMessage();
        const pay = await sendPartner(t.http, echoPath('Pay'), payment, { apiKey: API_KEY, encrypt: { type: 'AES', secret: SECRET } });
        expect(pay.status).toBe(200);
        expect(openResponse(pay, { encrypt: { type: 'AES', secret: SECRET } }).message).toMatchObject({
          RespCode: 'AAAAAAA',
          TranSeq: payment.TranSeq,
        });
        expect(Object.prototype).not.toHaveProperty('polluted');
      });
    });
  });
});
