import iconv from 'iconv-lite';
import { randomBytes } from 'node:crypto';
import { DemoDataService } from '../../src/demo/demo-data.service';
import { decodeBody, resolveCipherSuite } from '../../src/protocol/crypto';
import { adminApi, AdminApi } from '../factories/admin-api';
import { institutionBody } from '../factories/admin-requests';
import { EchoPartnerController, echoPath } from '../support/echo-partner.controller';
import { openResponse, PartnerCall, payMessage, queryMessage, sendPartner, uniqueSeq } from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Payload encryption over HTTP (CONTRACT §5): every cipher suite in both formats, answered with the same suite and a
 * fresh IV; GBK text inside the ciphertext; and key rotation, where each API key selects the secret issued with it.
 */

const API_KEY = 'protocol-crypto-api-key-000001';
const SECRET = randomBytes(32);
const HIGH = { perKey: 1_000_000, perInst: 1_000_000 };

interface Suite {
  name: string;
  type: string;
  mode?: string;
  /** The suite the answer must open with: the request's, with its default mode filled in. */
  opens: { type: string; mode: string };
  legacy?: boolean;
}

const SUITES: Suite[] = [
  { name: 'AES/GCM', type: 'AES', mode: 'GCM', opens: { type: 'AES', mode: 'GCM' } },
  { name: 'AES (default mode GCM)', type: 'AES', opens: { type: 'AES', mode: 'GCM' } },
  { name: 'SM4/CBC', type: 'SM4', mode: 'CBC', opens: { type: 'SM4', mode: 'CBC' } },
  { name: 'SM4 (default mode CBC), lower-case headers', type: 'sm4', opens: { type: 'SM4', mode: 'CBC' } },
  { name: 'AES/CBC', type: 'AES', mode: 'CBC', opens: { type: 'AES', mode: 'CBC' } },
  { name: '3DES/CBC for a legacy institution', type: '3DES', mode: 'CBC', opens: { type: '3DES', mode: 'CBC' }, legacy: true },
  { name: '3DES (default mode CBC) for a legacy institution', type: '3DES', opens: { type: '3DES', mode: 'CBC' }, legacy: true },
];

const WIRE = [
  { format: 'JSON', charset: 'UTF-8' },
  { format: 'XML', charset: 'UTF-8' },
  { format: 'XML', charset: 'GBK' },
] as const;

/** Opens a wire body with one suite; null when it does not open (it was sealed with another suite or secret). */
function tryOpen(body: Buffer, type: string, mode: string, secret: Buffer): Buffer | null {
  try {
    return decodeBody(resolveCipherSuite(type, mode)!, body.toString('ascii'), secret);
  } catch {
    return null;
  }
}

const CBC_SHA256 = ['AES/CBC', '3DES/CBC'];

function sharesMacKey(a: { type: string; mode: string }, b: { type: string; mode: string }): boolean {
  return CBC_SHA256.includes(`${a.type}/${a.mode}`) && CBC_SHA256.includes(`${b.type}/${b.mode}`);
}

function ivOf(body: Buffer, length: number): string {
  return Buffer.from(body.toString('ascii'), 'base64').subarray(0, length).toString('hex');
}

describe('protocol: payload encryption', () => {
  let t: TestApp;
  let api: AdminApi;
  let legacy: { instId: string; apiKey: string; secret: Buffer };

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') }, { controllers: [EchoPartnerController] });
    await t.app.get(DemoDataService).loadIfEmpty();
    api = adminApi(t);
    await api.put('/admin/v1/institutions/00001/limits').send({ Query: HIGH, Pay: HIGH }).expect(200);
    const created = await api
      .post('/admin/v1/institutions')
      .send(institutionBody({ legacyCiphers: true }))
      .expect(201);
    legacy = { instId: created.body.instId, apiKey: created.body.apiKey, secret: Buffer.from(created.body.encKey, 'base64') };
    await api.put(`/admin/v1/institutions/${legacy.instId}/limits`).send({ Query: HIGH, Pay: HIGH }).expect(200);
  });

  afterAll(() => t.close());

  function credentials(suite: Suite) {
    return suite.legacy
      ? { instId: legacy.instId, apiKey: legacy.apiKey, secret: legacy.secret }
      : { instId: '00001', apiKey: API_KEY, secret: SECRET };
  }

  describe.each(SUITES)('$name', (suite) => {
    it.each(WIRE)('round-trips a Query and a Pay as $format in $charset, answered with the same suite', async ({ format, charset }) => {
      const { instId, apiKey, secret } = credentials(suite);
      const call: PartnerCall = { format, charset, apiKey, encrypt: { type: suite.type, mode: suite.mode, secret } };
      const billKey = `张三丰${uniqueSeq('')}`;

      const query = await sendPartner(t.http, echoPath('Query'), queryMessage({ InstId: instId, BillKey: billKey }), call);
      expect(query.status).toBe(200);
      expect(query.headers['content-type']).toMatch(/^text\/plain\b/);
      expect(query.text).toBeUndefined();
      const body = query.body as Buffer;
      expect(body.toString('ascii')).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);

      // Opens with the request's suite and secret, and with no other suite.
      const plain = tryOpen(body, suite.opens.type, suite.opens.mode, secret);
      expect(plain).not.toBeNull();
      const others = [
        ['AES', 'GCM'],
        ['SM4', 'CBC'],
        ['AES', 'CBC'],
        ['3DES', 'CBC'],
      ].filter(([type, mode]) => type !== suite.opens.type || mode !== suite.opens.mode);
      for (const [type, mode] of others) {
        const opened = tryOpen(body, type, mode, secret);
        // CONTRACT §5 gives 3DES/CBC the Km of AES/CBC, so between those two the MAC checks out and about one body in
        // 500 decrypts, under the wrong cipher, to bytes with valid padding: never to the message itself.
        if (sharesMacKey(suite.opens, { type, mode })) expect(opened === null || !opened.equals(plain!)).toBe(true);
        else expect(opened).toBeNull();
      }
      expect(tryOpen(body, suite.opens.type, suite.opens.mode, randomBytes(32))).toBeNull();

      const answer = openResponse(query, { ...call, encrypt: { ...suite.opens, secret } });
      expect(answer.format).toBe(format);
      if (format === 'XML') expect(answer.declaredEncoding).toBe(charset);
      if (charset === 'GBK') {
        expect(iconv.decode(plain!, 'gbk')).toContain(billKey);
        expect(plain!.toString('utf8')).not.toContain(billKey);
      }
      expect(answer.message).toMatchObject({
        InstId: instId,
        TranCode: 'QueryRes',
        RespCode: 'AAAAAAA',
        RespMessage: '成功',
        Data: { Customer: { BillKey: billKey, CompanyId: '654321', CustomerName: '张*丰' }, TotalAmount: '86.40' },
      });

      const payment = payMessage({ InstId: instId, BillKey: billKey, PayAmount: '99.90' });
      const pay = await sendPartner(t.http, echoPath('Pay'), payment, call);
      expect(pay.status).toBe(200);
      expect(openResponse(pay, { ...call, encrypt: { ...suite.opens, secret } }).message).toMatchObject({
        RespCode: 'AAAAAAA',
        TranSeq: payment.TranSeq,
        Data: { Transaction: { TranSeq: payment.TranSeq, BillKey: billKey, PayAmount: '99.90' } },
      });
    });

    it('answers with a fresh IV: identical requests and a replay give different ciphertexts of one plaintext', async () => {
      const { instId, apiKey, secret } = credentials(suite);
      const call: PartnerCall = { format: 'JSON', apiKey, encrypt: { type: suite.type, mode: suite.mode, secret } };
      const ivLength = suite.opens.mode === 'GCM' ? 12 : suite.opens.type === '3DES' ? 8 : 16;

      const query = queryMessage({ InstId: instId });
      const payment = payMessage({ InstId: instId });
      const answers = [
        await sendPartner(t.http, echoPath('Query'), query, call),
        await sendPartner(t.http, echoPath('Query'), query, call),
        await sendPartner(t.http, echoPath('Pay'), payment, call),
        await sendPartner(t.http, echoPath('Pay'), payment, call),
      ];
      expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200]);
      expect(answers[3].headers['idempotent-replayed']).toBe('true');
      const opened = answers.map((res) => openResponse(res, { ...call, encrypt: { ...suite.opens, secret } }).text);
      expect(opened[1]).toBe(opened[0]);
      expect(opened[3]).toBe(opened[2]);
      const bodies = answers.map((res) => (res.body as Buffer).toString('ascii'));
      expect(new Set(bodies).size).toBe(4);
      expect(new Set(answers.map((res) => ivOf(res.body as Buffer, ivLength))).size).toBe(4);
    });
  });
});

describe('protocol: key rotation', () => {
  let t: TestApp;
  let api: AdminApi;

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') }, { controllers: [EchoPartnerController] });
    await t.app.get(DemoDataService).loadIfEmpty();
    api = adminApi(t);
  });

  afterAll(() => t.close());

  async function query(apiKey: string, secret: Buffer) {
    const call: PartnerCall = { apiKey, format: 'XML', charset: 'GBK', encrypt: { type: 'SM4', secret } };
    const res = await sendPartner(t.http, echoPath('Query'), queryMessage(), call);
    return { status: res.status, res, call };
  }

  it('serves a second key with its own secret, keeps the first until revoked, and never mixes their secrets', async () => {
    const [first] = (await api.get('/admin/v1/institutions/00001/keys').expect(200)).body as { keyId: string }[];
    const issued = await api.post('/admin/v1/institutions/00001/keys').expect(201);
    const second = {
      apiKey: issued.body.apiKey as string,
      secret: Buffer.from(issued.body.encKey as string, 'base64'),
      keyId: issued.body.keyId as string,
    };
    expect(second.secret).toHaveLength(32);
    expect(second.secret.equals(SECRET)).toBe(false);
    const keys = (await api.get('/admin/v1/institutions/00001/keys').expect(200)).body as Record<string, unknown>[];
    expect(keys.map((k) => [k.keyId, k.status])).toEqual(
      expect.arrayContaining([
        [first.keyId, 'active'],
        [second.keyId, 'active'],
      ]),
    );
    expect(JSON.stringify(keys)).not.toContain(issued.body.encKey as string);

    // Each key with its own secret, answered under that secret only.
    const withSecond = await query(second.apiKey, second.secret);
    expect(withSecond.status).toBe(200);
    expect(openResponse(withSecond.res, withSecond.call).message.RespCode).toBe('AAAAAAA');
    expect(tryOpen(withSecond.res.body as Buffer, 'SM4', 'CBC', SECRET)).toBeNull();
    const withFirst = await query(API_KEY, SECRET);
    expect(withFirst.status).toBe(200);
    expect(openResponse(withFirst.res, withFirst.call).message.RespCode).toBe('AAAAAAA');

    // The other key's secret does not decrypt: SEC2001, in the clear.
    for (const crossed of [await query(second.apiKey, SECRET), await query(API_KEY, second.secret)]) {
      expect(crossed.status).toBe(401);
      expect(openResponse(crossed.res).message).toMatchObject({ RespCode: 'SEC2001' });
    }

    await api.delete(`/admin/v1/institutions/00001/keys/${first.keyId}`).expect(200);
    const revoked = await query(API_KEY, SECRET);
    expect(revoked.status).toBe(401);
    expect(openResponse(revoked.res).message).toMatchObject({ RespCode: 'SEC2003' });
    expect((await query(second.apiKey, second.secret)).status).toBe(200);
    const plain = await sendPartner(t.http, echoPath('Query'), queryMessage(), { apiKey: second.apiKey });
    expect(plain.status).toBe(200);
  });
});
