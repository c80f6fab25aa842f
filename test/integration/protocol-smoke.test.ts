import { DemoDataService } from '../../src/demo/demo-data.service';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { EchoPartnerController } from '../support/echo-partner.controller';
import { decodeText, sendPartner, TODAY } from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';

const API_KEY = 'protocol-test-api-key-000001';
const SECRET = Buffer.alloc(32, 9);

describe('protocol smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') }, { controllers: [EchoPartnerController] });
    await t.app.get(DemoDataService).loadIfEmpty();
  });
  afterAll(() => t.close());

  const query = () => ({
    Version: '1.0.1',
    InstId: '00001',
    TranCode: 'Query',
    TranDate: TODAY(),
    TranSeq: 'Q1',
    BillKey: '123456',
    CompanyId: '654321',
  });

  it.each(['JSON', 'XML'] as const)('answers %s', async (format) => {
    const res = await sendPartner(t.http, OPERATIONS.Query.path, query(), { format, apiKey: API_KEY, charset: 'GBK' });
    console.log(res.status, res.headers, decodeText(res.body as Buffer, res.headers['content-type'] ?? ''));
    expect(res.status).toBe(200);
  });

  it('answers SM4', async () => {
    const res = await sendPartner(t.http, '/api/app/gateway', query(), { apiKey: API_KEY, encrypt: { type: 'SM4', secret: SECRET } });
    console.log(res.status, res.headers, (res.body as Buffer).toString());
    expect(res.status).toBe(200);
  });

  it('rejects', async () => {
    const res = await sendPartner(t.http, OPERATIONS.Query.path, { ...query(), BillKey: 'missing' }, { apiKey: API_KEY, format: 'XML' });
    console.log(res.status, res.headers, decodeText(res.body as Buffer, res.headers['content-type'] ?? ''));
    const res2 = await sendPartner(t.http, OPERATIONS.Query.path, { ...query(), BillKey: 'missing' }, { apiKey: 'nope' });
    console.log(res2.status, (res2.body as Buffer).toString());
  });
});
