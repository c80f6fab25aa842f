import request from 'supertest';
import { DEMO, DemoDataService } from '../../src/demo/demo-data.service';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { sendPartner, TODAY } from '../support/partner-client';
import { ADMIN_TOKEN, createTestApp, TestApp } from '../support/test-app';

/** Credentials and limit overrides are served from memory for a moment; admin writes must still apply at once. */
describe(`cached reference data (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let n = 0;
  const admin = () => request(t.http);
  const query = (apiKey: string) =>
    sendPartner(
      t.http,
      OPERATIONS.Query.path,
      {
        Version: '1.0.1',
        InstId: DEMO.instId,
        TranCode: 'Query',
        TranDate: TODAY(),
        TranSeq: `CACHE${n++}`,
        BillKey: DEMO.billKey,
        CompanyId: DEMO.companyId,
      },
      { apiKey },
    );
  const code = (res: { body: unknown }) => (JSON.parse((res.body as Buffer).toString()) as { RespCode: string }).RespCode;

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: 'cache-test-api-key-000001' });
    await t.app.get(DemoDataService).loadIfEmpty();
  });

  afterAll(() => t.close());

  it('refuses a key on the first request after its revocation, although it was just used', async () => {
    const issued = await admin()
      .post(`/admin/v1/institutions/${DEMO.instId}/keys`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .expect(201);
    const { apiKey, keyId } = issued.body as { apiKey: string; keyId: string };
    expect(code(await query(apiKey))).toBe('AAAAAAA');
    await admin().delete(`/admin/v1/institutions/${DEMO.instId}/keys/${keyId}`).set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    const refused = await query(apiKey);
    expect(refused.status).toBe(401);
    expect(code(refused)).toBe('SEC2003');
  });

  it('applies a limit override on the next request, although the old limits were just read', async () => {
    expect(code(await query('cache-test-api-key-000001'))).toBe('AAAAAAA');
    await admin()
      .put(`/admin/v1/institutions/${DEMO.instId}/limits`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ Query: { perInst: 1 } })
      .expect(200);
    // Whatever this minute counted so far, a limit of one is now spent.
    const limited = await query('cache-test-api-key-000001');
    expect(limited.status).toBe(429);
    expect(code(limited)).toBe('LMT4001');
  });
});
