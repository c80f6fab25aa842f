import request from 'supertest';
import { DemoDataService } from '../../src/demo/demo-data.service';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { adminApi } from '../factories/admin-api';
import { ObservedResponse, OpenApiContract, OpenApiDocument } from '../support/openapi-validation';
import { awaitFreshMinute, PartnerCall, queryMessage, sendPartner } from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';

const API_KEY = 'contract-demo-key-0123456789';
const SECRET = Buffer.alloc(32, 9);
const QUERY = OPERATIONS.Query.path;

/**
 * Every response an integration suite's app writes is checked against the document it serves (test/support/
 * test-app.ts installs the check; `close()` fails on any mismatch). Here: that the check sees every format, status
 * and cipher, and that it does catch what does not conform.
 */
describe('responses checked against the served OpenAPI document', () => {
  let t: TestApp;
  let contract: OpenApiContract;

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') });
    await t.app.get(DemoDataService).loadIfEmpty();
    contract = t.contract!;
  });

  afterAll(async () => {
    await t.close();
  });

  const demoQuery = () => queryMessage({ BillKey: '123456' });

  it('checks the answers in JSON, GBK XML and encrypted, and the errors of every status the app gives here', async () => {
    const calls: [string, PartnerCall][] = [
      ['JSON', { apiKey: API_KEY }],
      ['GBK XML', { apiKey: API_KEY, format: 'XML', charset: 'GBK' }],
      ['SM4 JSON', { apiKey: API_KEY, encrypt: { type: 'SM4', secret: SECRET } }],
      ['AES XML', { apiKey: API_KEY, format: 'XML', encrypt: { type: 'AES', secret: SECRET } }],
    ];
    for (const [, call] of calls) expect((await sendPartner(t.http, QUERY, demoQuery(), call)).status).toBe(200);
    expect((await sendPartner(t.http, QUERY, queryMessage(), { apiKey: API_KEY, format: 'XML', charset: 'GBK' })).status).toBe(400);
    expect((await sendPartner(t.http, QUERY, demoQuery(), { apiKey: 'no-such-key-0123456789' })).status).toBe(401);
    expect((await sendPartner(t.http, QUERY, demoQuery(), { apiKey: API_KEY, raw: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await sendPartner(t.http, QUERY, demoQuery(), { apiKey: API_KEY, headers: { 'Content-Type': 'text/html' } })).status).toBe(415);
    const tampered: PartnerCall = {
      apiKey: API_KEY,
      encrypt: { type: 'SM4', secret: SECRET },
      mangle: (wire) => Buffer.from(`A${wire.toString()}`),
    };
    expect((await sendPartner(t.http, QUERY, demoQuery(), tampered)).status).toBe(401);
    await awaitFreshMinute();
    const limited = queryMessage({ BillKey: '123456' });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await sendPartner(t.http, QUERY, { ...limited, TranSeq: `LIM${i}` }, { apiKey: API_KEY })).status);
    expect(statuses.at(-1)).toBe(429);
    await adminApi(t).get('/admin/v1/institutions').expect(200);
    await request(t.http).get('/admin/v1/institutions').expect(401);
    await request(t.http).get('/health/live').expect(200);
    await request(t.http).get('/metrics').expect(200);

    expect(contract.violations).toEqual([]);
    const checked = [...contract.checked.keys()];
    for (const status of [200, 400, 401, 413, 415, 429]) expect(checked).toContain(`POST ${QUERY} ${status}`);
    expect(checked).toEqual(
      expect.arrayContaining(['GET /admin/v1/institutions 200', 'GET /admin/v1/institutions 401', 'GET /metrics 200']),
    );
    expect([...contract.bodiesChecked.keys()]).toEqual(
      expect.arrayContaining(['application/json', 'application/xml', 'decrypted JSON', 'decrypted XML', 'text/plain']),
    );
  });

  describe('catches what does not conform', () => {
    let checker: OpenApiContract;
    const ok = (body: string, overrides: Partial<ObservedResponse> = {}): ObservedResponse => ({
      method: 'POST',
      path: QUERY,
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r1', 'x-response-time': '1.00ms' },
      body: Buffer.from(body),
      ...overrides,
    });
    const success = {
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'QueryRes',
      TranDate: '20240101',
      TranSeq: 'S1',
      RespCode: 'AAAAAAA',
      RespMessage: '成功',
      Data: { Customer: { BillKey: '123456', CustomerName: '张*丰', CompanyId: '654321' }, TotalAmount: 0.0, Bills: [] },
    };

    beforeAll(async () => {
      checker = new OpenApiContract((await request(t.http).get('/docs-json').expect(200)).body as OpenApiDocument);
    });

    it('passes a conforming answer', () => {
      expect(checker.check(ok(JSON.stringify(success)))).toEqual([]);
    });

    it('names a body that breaks the schema', () => {
      expect(checker.check(ok(JSON.stringify({ ...success, RespCode: 'DEF0001' })))).toEqual([
        'application/json: RespCode must be equal to one of the allowed values',
      ]);
      const data: Record<string, unknown> = { ...success.Data, Extra: 1 };
      delete data.Customer;
      expect(checker.check(ok(JSON.stringify({ ...success, Data: data })))).toEqual(
        expect.arrayContaining([
          "application/json: Data must have required property 'Customer'",
          'application/json: Data must NOT have additional properties',
        ]),
      );
    });

    it('types XML text by the schema before checking it', () => {
      const xml = (total: string) =>
        ok(
          '<?xml version="1.0" encoding="UTF-8"?><out><Version>1.0.1</Version><InstId>00001</InstId><TranCode>QueryRes</TranCode>' +
            '<TranDate>20240101</TranDate><TranSeq>S1</TranSeq><RespCode>AAAAAAA</RespCode><RespMessage>成功</RespMessage><Data>' +
            `<Customer><BillKey>1</BillKey><CustomerName>张*</CustomerName><CompanyId>2</CompanyId></Customer><TotalAmount>${total}</TotalAmount>` +
            '<Bills></Bills></Data></out>',
          { headers: { 'content-type': 'application/xml; charset=UTF-8', 'x-request-id': 'r', 'x-response-time': '1.00ms' } },
        );
      expect(checker.check(xml('0.00'))).toEqual([]);
      expect(checker.check(xml('zero'))).toEqual(['application/xml: Data/TotalAmount must be number']);
    });

    it('names an undocumented status or media type, and a missing required header', () => {
      expect(checker.check(ok('{}', { status: 418 }))[0]).toMatch(/^status 418 is not documented/);
      expect(
        checker.check(ok('<html/>', { headers: { 'content-type': 'text/html', 'x-request-id': 'r', 'x-response-time': '1ms' } }))[0],
      ).toMatch(/^media type text\/html is not documented/);
      expect(checker.check(ok(JSON.stringify(success), { headers: { 'content-type': 'application/json' } }))).toEqual([
        'required header X-Request-Id is missing',
        'required header X-Response-Time is missing',
      ]);
    });

    it('records them for the report that fails the suite', () => {
      expect(checker.violations.length).toBeGreaterThanOrEqual(5);
      expect(checker.report()).toContain(`POST ${QUERY} (queryBill) → 418`);
    });
  });
});
