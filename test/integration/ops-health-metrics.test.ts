import request from 'supertest';
import { DemoDataService } from '../../src/demo/demo-data.service';
import type { ResponseMessage } from '../../src/protocol/codec';
import { OPERATIONS, TranCode } from '../../src/protocol/partner-operation';
import { adminApi } from '../factories/admin-api';
import { awaitFreshMinute, businessDate, PartnerCall, payMessage, queryMessage, sendPartner, uniqueSeq } from '../support/partner-client';
import { startRedisServer } from '../support/redis-server';
import { createTestApp, TestApp } from '../support/test-app';

const API_KEY = 'ops-demo-key-0123456789';
const SECRET = Buffer.alloc(32, 3);

/** The value of one sample of the Prometheus text, or undefined; `labels` must all be on the sample. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('health', () => {
  it('answers liveness without dependencies and readiness with the database', async () => {
    const t = await createTestApp();
    try {
      const live = await request(t.http).get('/health/live').expect(200);
      expect(live.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
      for (const path of ['/health', '/health/ready']) {
        const ready = await request(t.http).get(path).expect(200);
        expect(ready.body).toEqual({
          status: 'ok',
          info: { database: { status: 'up' } },
          error: {},
          details: { database: { status: 'up' } },
        });
      }
    } finally {
      await t.close();
    }
  });

  it('checks Redis when REDIS_URL is set: ready while it answers, 503 when it does not; liveness stays up', async () => {
    const redis = await startRedisServer();
    const t = await createTestApp({ REDIS_URL: redis.url });
    try {
      const ready = await request(t.http).get('/health/ready').expect(200);
      expect(ready.body.info).toEqual({ database: { status: 'up' }, redis: { status: 'up' } });

      await redis.stop();
      const down = await request(t.http).get('/health/ready').expect(503);
      expect(down.body).toMatchObject({ status: 'error', info: { database: { status: 'up' } }, error: { redis: { status: 'down' } } });
      await request(t.http).get('/health').expect(503);
      await request(t.http).get('/health/live').expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('metrics at /metrics', () => {
  let t: TestApp;
  const metrics = async () => {
    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain\b.*version=0\.0\.4/);
    return res.text;
  };
  const call = (tranCode: TranCode, message: ResponseMessage, options: PartnerCall = {}) =>
    sendPartner(t.http, OPERATIONS[tranCode].path, message, { apiKey: API_KEY, ...options });

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') });
    await t.app.get(DemoDataService).loadIfEmpty();
  });

  afterAll(async () => {
    await t.close();
  });

  it('counts partner requests and their latency by operation and RespCode', async () => {
    await call('Query', queryMessage({ BillKey: '123456' })).expect(200);
    await call('Query', queryMessage({ BillKey: '123456' }), { format: 'XML', charset: 'GBK' }).expect(200);
    await call('Query', queryMessage()).expect(400);
    await sendPartner(t.http, OPERATIONS.Query.path, queryMessage(), { apiKey: API_KEY, headers: { 'Content-Type': 'text/html' } }).expect(
      415,
    );
    // Through the gateway the operation is still the one TranCode names.
    await sendPartner(t.http, '/api/app/gateway', queryMessage({ BillKey: '123456' }), { apiKey: API_KEY }).expect(200);

    const text = await metrics();
    expect(sample(text, 'gateway_partner_requests_total', { operation: 'queryBill', resp_code: 'AAAAAAA', status: '200' })).toBe(3);
    expect(sample(text, 'gateway_partner_requests_total', { operation: 'queryBill', resp_code: 'DEF0001', status: '400' })).toBe(1);
    expect(sample(text, 'gateway_partner_requests_total', { operation: 'unknown', resp_code: 'PRM3008', status: '415' })).toBe(1);
    expect(sample(text, 'gateway_partner_request_duration_seconds_count', { operation: 'queryBill', resp_code: 'AAAAAAA' })).toBe(3);
    expect(
      sample(text, 'gateway_partner_request_duration_seconds_bucket', { operation: 'queryBill', resp_code: 'AAAAAAA', le: '+Inf' }),
    ).toBe(3);
    expect(text).toContain('# TYPE gateway_partner_request_duration_seconds histogram');
    expect(text).toContain('gateway_process_cpu_seconds_total');
  });

  it('counts idempotent replays, rate-limit rejections and cipher failures', async () => {
    const pay = payMessage({ BillKey: '234567', PayAmount: '98.50' });
    await call('Pay', pay).expect(200);
    const replay = await call('Pay', pay).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    await awaitFreshMinute();
    // 10 per minute per (InstId, BillKey): an unknown customer is counted too (the limit comes before the business rules).
    const statuses: number[] = [];
    const billKey = uniqueSeq('K');
    for (let i = 0; i < 11; i++) statuses.push((await call('Query', queryMessage({ BillKey: billKey }))).status);
    expect(statuses).toEqual([...Array<number>(10).fill(400), 429]);

    const tampered: PartnerCall = { encrypt: { type: 'SM4', secret: SECRET }, mangle: (wire) => Buffer.from(`AAAA${wire.toString()}`) };
    await call('Query', queryMessage({ BillKey: '123456' }), tampered).expect(401);
    await call('Query', queryMessage({ BillKey: '123456' }), {
      headers: { 'X-Encrypt-Type': 'SM4', 'X-Encrypt-Mode': 'GCM', 'X-Data-Type': 'JSON' },
    }).expect(401);

    const text = await metrics();
    expect(sample(text, 'gateway_idempotent_replays_total', { operation: 'payBill' })).toBe(1);
    expect(sample(text, 'gateway_rate_limit_rejections_total', { operation: 'queryBill' })).toBe(1);
    expect(sample(text, 'gateway_partner_requests_total', { operation: 'queryBill', resp_code: 'LMT4001', status: '429' })).toBe(1);
    expect(sample(text, 'gateway_cipher_failures_total', { resp_code: 'SEC2001', encrypt_type: 'SM4' })).toBe(1);
    expect(sample(text, 'gateway_cipher_failures_total', { resp_code: 'SEC2005', encrypt_type: 'SM4' })).toBe(1);
  });

  it('counts debit batches and reconciliations from the database, and the admin routes by template', async () => {
    const batch = uniqueSeq('B');
    const sendDisc: ResponseMessage = {
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'SendDisc',
      TranDate: businessDate(),
      TranSeq: uniqueSeq('S'),
      BatchNo: batch,
      TotalCount: 1,
      TotalAmount: '86.40',
      WithholdingList: [{ BillKey: '123456', CompanyId: '654321', AgreementNo: 'AGR001', PayAmount: '86.40' }],
    };
    await call('SendDisc', sendDisc).expect(200);
    const payCheck: ResponseMessage = {
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'PayCheck',
      TranDate: businessDate(),
      TranSeq: uniqueSeq('S'),
      CompanyId: '654321',
      PayDate: '20240101',
      PayCount: 0,
      PayMoney: '0.00',
      FileName: '654321_20240101.txt',
    };
    await call('PayCheck', payCheck).expect(200);
    await adminApi(t).get('/admin/v1/institutions/00001/keys').expect(200);
    await request(t.http).get('/health/live').expect(200);

    const text = await metrics();
    expect(sample(text, 'gateway_debit_batches', { status: '1', origin: 'partner' })).toBe(1);
    expect(sample(text, 'gateway_reconciliation_checks', { check_status: '0' })).toBe(1);
    expect(
      sample(text, 'gateway_http_requests_total', { method: 'GET', route: '/admin/v1/institutions/:instId/keys', status: '200' }),
    ).toBe(1);
    expect(sample(text, 'gateway_http_requests_total', { method: 'GET', route: '/health/live', status: '200' })).toBeGreaterThanOrEqual(1);
  });
});
