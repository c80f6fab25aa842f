import { AuditService } from '../../src/admin/audit/audit.service';
import { adminApi, AdminApi, fieldNames } from '../factories/admin-api';
import { billBody, billCsv, billRow, companyBody, customerBody, institutionBody } from '../factories/admin-requests';
import { createTestApp, TestApp } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface AuditItem {
  id: number;
  occurredAt: string;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  requestId: string | null;
}

describe('admin API: audit trail', () => {
  let t: TestApp;
  let api: AdminApi;

  beforeAll(async () => {
    t = await createTestApp();
    api = adminApi(t);
  });

  afterAll(async () => {
    await t.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const auditTrail = async (): Promise<{ items: AuditItem[]; total: number }> =>
    (await api.get('/admin/v1/audit?pageSize=1000').expect(200)).body as { items: AuditItem[]; total: number };

  it('records every write, newest first, with operator, request id and no secrets', async () => {
    const institution = institutionBody();
    const created = (
      await api.post('/admin/v1/institutions').set('X-Operator', 'zhang.wei').set('X-Request-Id', 'req-0001').send(institution).expect(201)
    ).body;
    const instId = created.instId;
    const rotated = (await api.post(`/admin/v1/institutions/${instId}/keys`).expect(201)).body;
    await api.delete(`/admin/v1/institutions/${instId}/keys/${created.keyId}`).set('X-Operator', 'li.na').expect(200);
    await api
      .put(`/admin/v1/institutions/${instId}/limits`)
      .send({ Pay: { perKey: 9 } })
      .expect(200);
    const company = companyBody();
    await api.post(`/admin/v1/institutions/${instId}/companies`).send(company).expect(201);
    const customer = customerBody(company.companyId);
    await api.post('/admin/v1/customers').send(customer).expect(201);
    const bill = (
      await api
        .post('/admin/v1/bills')
        .send(billBody(company.companyId, { billNo: 'AUD-1' }))
        .expect(201)
    ).body;
    const imported = (
      await api
        .post('/admin/v1/bills/import')
        .set('Content-Type', 'text/csv')
        .send(billCsv([billRow(company.companyId), billRow(company.companyId)]))
        .expect(201)
    ).body;

    const trail = await auditTrail();
    expect(trail.total).toBe(8);
    expect(trail.items.map((entry) => [entry.action, entry.target])).toEqual([
      ['bill.import', 'bills'],
      ['bill.create', 'bill:AUD-1'],
      ['customer.create', `customer:${company.companyId}/${customer.billKey}`],
      ['institution.company.assign', `institution:${instId}`],
      ['institution.limits.set', `institution:${instId}`],
      ['institution.key.revoke', `institution:${instId}`],
      ['institution.key.rotate', `institution:${instId}`],
      ['institution.create', `institution:${instId}`],
    ]);
    const [importEntry, billEntry, customerEntry, assignEntry, limitsEntry, revokeEntry, rotateEntry, createEntry] = trail.items;
    expect(createEntry).toEqual({
      id: expect.any(Number),
      occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      actor: 'zhang.wei',
      action: 'institution.create',
      target: `institution:${instId}`,
      detail: { name: institution.name, requireEncryption: false, legacyCiphers: false, keyId: created.keyId },
      requestId: 'req-0001',
    });
    // Without X-Request-Id the entry carries the id generated for the response.
    expect(rotateEntry).toMatchObject({ actor: 'admin', requestId: expect.stringMatching(UUID), detail: { keyId: rotated.keyId } });
    expect(revokeEntry).toMatchObject({ actor: 'li.na', detail: { keyId: created.keyId } });
    expect(limitsEntry.detail).toEqual({ changes: { Pay: { perKey: 9, perInst: null } } });
    expect(assignEntry.detail).toEqual({ companyId: company.companyId, name: company.name, companyCreated: true });
    expect(customerEntry.detail).toEqual({ name: customer.name });
    expect(billEntry.detail).toMatchObject({
      companyId: company.companyId,
      amount: bill.amount,
      period: bill.period,
      dueDate: bill.dueDate,
    });
    expect(importEntry.detail).toEqual({ imported: 2, billNos: imported.billNos });

    const json = JSON.stringify(trail);
    for (const secret of [created.apiKey, created.encKey, rotated.apiKey, rotated.encKey]) expect(json).not.toContain(secret);
  });

  it('writes nothing for a failed or refused write, nor for revoking a revoked key', async () => {
    const created = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body;
    await api.delete(`/admin/v1/institutions/${created.instId}/keys/${created.keyId}`).expect(200);
    const before = (await auditTrail()).total;

    await api.post('/admin/v1/institutions').send({ instId: created.instId, name: 'again' }).expect(409);
    await api.post('/admin/v1/institutions').send({ instId: 'bad id' }).expect(400);
    await api.delete(`/admin/v1/institutions/${created.instId}/keys/${created.keyId}`).expect(200);
    await api.post('/admin/v1/institutions/NOPE/keys').expect(404);
    await api.put('/admin/v1/institutions/NOPE/limits').send({}).expect(404);
    await api.post('/admin/v1/bills').send(billBody('NOPE')).expect(404);
    await api
      .post('/admin/v1/bills/import')
      .set('Content-Type', 'text/csv')
      .send(billCsv([billRow('NOPE')]))
      .expect(400);

    expect((await auditTrail()).total).toBe(before);
  });

  it('rolls the write back when its audit entry cannot be written', async () => {
    jest.spyOn(t.app.get(AuditService), 'record').mockRejectedValueOnce(new Error('disk full'));
    const body = institutionBody();
    const res = await api.post('/admin/v1/institutions').send(body).expect(500);
    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error; see the server log' });
    expect(JSON.stringify(res.body)).not.toContain('disk full');

    const institutions = (await api.get('/admin/v1/institutions').expect(200)).body as { instId: string }[];
    expect(institutions.map((institution) => institution.instId)).not.toContain(body.instId);
    await api.post('/admin/v1/institutions').send(body).expect(201);
  });

  it('ignores an over-long operator and a malformed request id', async () => {
    await api
      .post('/admin/v1/institutions')
      .set('X-Operator', 'o'.repeat(101))
      .set('X-Request-Id', 'not a request id!')
      .send(institutionBody())
      .expect(201);
    const [latest] = (await auditTrail()).items;
    expect(latest).toMatchObject({ action: 'institution.create', actor: 'admin', requestId: expect.stringMatching(UUID) });
  });

  it('pages newest first', async () => {
    const total = (await auditTrail()).total;
    const first = await api.get('/admin/v1/audit?pageSize=2').expect(200);
    expect(first.body).toMatchObject({ total, page: 1, pageSize: 2 });
    const second = await api.get('/admin/v1/audit?pageSize=2&page=2').expect(200);
    expect(first.body.items[1].id).toBeGreaterThan(second.body.items[0].id);
    const bad = await api.get('/admin/v1/audit?pageSize=1001').expect(400);
    expect(fieldNames(bad.body)).toEqual(['pageSize']);
  });
});
