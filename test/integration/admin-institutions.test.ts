import request from 'supertest';
import { adminApi, AdminApi, fieldNames } from '../factories/admin-api';
import { companyBody, institutionBody } from '../factories/admin-requests';
import { createTestApp, TestApp } from '../support/test-app';

describe('admin API: access, body parsing, institutions, keys, limits, companies', () => {
  let t: TestApp;
  let api: AdminApi;

  beforeAll(async () => {
    t = await createTestApp();
    api = adminApi(t);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('authentication', () => {
    it('answers 401 JSON without a token', async () => {
      const res = await request(t.http).get('/admin/v1/institutions').expect(401);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="admin"');
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/missing/) });
    });

    it('answers 401 with a wrong token, a shorter token or another scheme', async () => {
      for (const authorization of ['Bearer wrong-token-0123456789', 'Bearer x', 'Basic dGVzdDp0ZXN0', 'Bearer']) {
        const res = await request(t.http).get('/admin/v1/institutions').set('Authorization', authorization).expect(401);
        expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
    });

    it('guards every admin route, writes included, and does not read an unauthenticated body', async () => {
      await request(t.http).post('/admin/v1/institutions').send(institutionBody()).expect(401);
      await request(t.http).post('/admin/v1/bills/import').set('Content-Type', 'text/csv').send('x').expect(401);
      await request(t.http).get('/admin/v1/audit').expect(401);
      const malformed = await request(t.http)
        .post('/admin/v1/institutions')
        .set('Content-Type', 'application/json')
        .send('{"instId":')
        .expect(401);
      expect(malformed.body.statusCode).toBe(401);
      await adminApi(t, 'wrong-token-0123456789').get('/admin/v1/bills').expect(401);
    });
  });

  it('documents every admin operation behind AdminBearer in the OpenAPI document', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: Record<string, unknown>[]; tags?: string[] }>>;
    };
    const adminOperations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/admin/v1/'))
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]) => ({ operation: `${method} ${path}`, ...operation })),
      );
    expect(adminOperations.map((o) => o.operation)).toEqual(
      expect.arrayContaining([
        'post /admin/v1/institutions',
        'put /admin/v1/institutions/{instId}/limits',
        'post /admin/v1/bills/import',
        'get /admin/v1/audit',
      ]),
    );
    for (const operation of adminOperations) {
      expect(operation.security).toContainEqual({ AdminBearer: [] });
      expect(operation.tags?.length).toBeGreaterThan(0);
    }
  });

  describe('body parsing', () => {
    it('answers malformed JSON with a 400 JSON body', async () => {
      const res = await api.post('/admin/v1/institutions').set('Content-Type', 'application/json').send('{"instId": "00001",').expect(400);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'malformed JSON body' });
    });

    it('answers a body over 1 MiB with a 413 JSON body', async () => {
      const res = await api
        .post('/admin/v1/institutions')
        .send({ ...institutionBody(), name: 'x'.repeat(1024 * 1024) })
        .expect(413);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    });

    it('answers other content types with 415 JSON', async () => {
      const res = await api.post('/admin/v1/institutions').set('Content-Type', 'text/plain').send('instId=1').expect(415);
      expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    });

    it('refuses a JSON array or scalar where an object is expected', async () => {
      await api.post('/admin/v1/institutions').send([institutionBody()]).expect(400);
      await api.post('/admin/v1/institutions').set('Content-Type', 'application/json').send('"00001"').expect(400);
    });
  });

  describe('institutions', () => {
    it('creates an institution and shows its secrets once', async () => {
      const body = institutionBody({ requireEncryption: true });
      const res = await api.post('/admin/v1/institutions').send(body).expect(201);
      expect(res.body).toEqual({
        instId: body.instId,
        name: body.name,
        requireEncryption: true,
        legacyCiphers: false,
        apiKey: expect.stringMatching(/^ak_/),
        encKey: expect.any(String),
        keyId: expect.stringMatching(/^key_/),
      });
      expect(Buffer.from(res.body.encKey, 'base64')).toHaveLength(32);

      const list = await api.get('/admin/v1/institutions').expect(200);
      expect(list.body).toContainEqual({
        instId: body.instId,
        name: body.name,
        requireEncryption: true,
        legacyCiphers: false,
        createdAt: expect.any(String),
      });
      const json = JSON.stringify(list.body);
      expect(json).not.toContain(res.body.apiKey);
      expect(json).not.toContain(res.body.encKey);
    });

    it('answers 409 for an existing InstId', async () => {
      const body = institutionBody();
      await api.post('/admin/v1/institutions').send(body).expect(201);
      const res = await api
        .post('/admin/v1/institutions')
        .send({ ...body, name: 'another' })
        .expect(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining(body.instId) });
    });

    it('creates an institution once when the same InstId is sent concurrently', async () => {
      const body = institutionBody();
      const answers = await Promise.all(Array.from({ length: 5 }, () => api.post('/admin/v1/institutions').send(body)));
      expect(answers.map((res) => res.status).sort()).toEqual([201, 409, 409, 409, 409]);
      for (const res of answers.filter((answer) => answer.status === 409))
        expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    });

    it.each([
      ['instId', { instId: 'bad id!' }],
      ['instId', { instId: 'x'.repeat(31) }],
      ['instId', { instId: '' }],
      ['name', { name: '' }],
      ['name', { name: 'x'.repeat(151) }],
      ['requireEncryption', { requireEncryption: 'yes' }],
      ['apiKey', { apiKey: 'chosen-by-caller' }],
    ])('answers 400 naming %s', async (field, overrides) => {
      const res = await api
        .post('/admin/v1/institutions')
        .send({ ...institutionBody(), ...overrides })
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
      expect(fieldNames(res.body)).toContain(field);
    });

    it('answers 400 naming the missing fields', async () => {
      const res = await api.post('/admin/v1/institutions').send({}).expect(400);
      expect(fieldNames(res.body)).toEqual(['instId', 'name']);
    });
  });

  describe('keys', () => {
    it('rotates, lists and revokes keys without ever listing a secret', async () => {
      const created = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body;
      const instId = created.instId;

      const rotated = await api.post(`/admin/v1/institutions/${instId}/keys`).expect(201);
      expect(rotated.body).toEqual({
        apiKey: expect.stringMatching(/^ak_/),
        encKey: expect.any(String),
        keyId: expect.stringMatching(/^key_/),
      });
      expect(rotated.body.keyId).not.toBe(created.keyId);

      const revoked = await api.delete(`/admin/v1/institutions/${instId}/keys/${created.keyId}`).expect(200);
      expect(revoked.body).toEqual({
        keyId: created.keyId,
        status: 'revoked',
        createdAt: expect.any(String),
        lastUsedAt: null,
        revokedAt: expect.any(String),
      });

      const again = await api.delete(`/admin/v1/institutions/${instId}/keys/${created.keyId}`).expect(200);
      expect(again.body).toEqual(revoked.body);

      const list = await api.get(`/admin/v1/institutions/${instId}/keys`).expect(200);
      expect(list.body).toHaveLength(2);
      expect(list.body).toEqual(
        expect.arrayContaining([
          { keyId: created.keyId, status: 'revoked', createdAt: expect.any(String), lastUsedAt: null, revokedAt: revoked.body.revokedAt },
          { keyId: rotated.body.keyId, status: 'active', createdAt: expect.any(String), lastUsedAt: null, revokedAt: null },
        ]),
      );
      const json = JSON.stringify(list.body);
      for (const secret of [created.apiKey, created.encKey, rotated.body.apiKey, rotated.body.encKey]) expect(json).not.toContain(secret);
      expect(json).not.toMatch(/hash|secret/i);
    });

    it('answers 404 for an unknown institution or key', async () => {
      const { instId } = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body;
      const unknown = await api.get('/admin/v1/institutions/NOPE/keys').expect(404);
      expect(unknown.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'institution NOPE not found' });
      await api.post('/admin/v1/institutions/NOPE/keys').expect(404);
      await api.delete('/admin/v1/institutions/NOPE/keys/key_0000000000000000').expect(404);
      const key = await api.delete(`/admin/v1/institutions/${instId}/keys/key_0000000000000000`).expect(404);
      expect(key.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: expect.stringContaining('key_0000000000000000') });
    });

    it("does not revoke another institution's key", async () => {
      const first = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body;
      const second = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body;
      await api.delete(`/admin/v1/institutions/${second.instId}/keys/${first.keyId}`).expect(404);
      const keys = await api.get(`/admin/v1/institutions/${first.instId}/keys`).expect(200);
      expect(keys.body[0].status).toBe('active');
    });
  });

  describe('rate-limit overrides', () => {
    it('sets, merges, clears and lists overrides', async () => {
      const { instId } = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body;
      await expect(api.get(`/admin/v1/institutions/${instId}/limits`).expect(200)).resolves.toMatchObject({ body: { instId, limits: {} } });

      const set = await api
        .put(`/admin/v1/institutions/${instId}/limits`)
        .send({ Pay: { perKey: 20, perInst: 2000 }, Query: { perInst: 5000 }, SendDisc: { perInst: 1 } })
        .expect(200);
      expect(set.body).toEqual({
        instId,
        limits: { Pay: { perKey: 20, perInst: 2000 }, Query: { perKey: null, perInst: 5000 }, SendDisc: { perKey: null, perInst: 1 } },
      });

      const changed = await api
        .put(`/admin/v1/institutions/${instId}/limits`)
        .send({
          Pay: { perKey: null, perInst: 1_000_000 },
          Query: { perKey: null, perInst: null },
          SendDisc: null,
          DiscQuery: { perKey: 7 },
        })
        .expect(200);
      expect(changed.body).toEqual({
        instId,
        limits: { DiscQuery: { perKey: 7, perInst: null }, Pay: { perKey: null, perInst: 1_000_000 } },
      });

      await expect(api.get(`/admin/v1/institutions/${instId}/limits`).expect(200)).resolves.toMatchObject({ body: changed.body });
    });

    it.each([
      ['Refund', { Refund: { perInst: 1 } }],
      ['Pay.perKey', { Pay: { perKey: 0 } }],
      ['Pay.perKey', { Pay: { perKey: 1.5 } }],
      ['Pay.perInst', { Pay: { perInst: 1_000_001 } }],
      ['Pay.perInst', { Pay: { perInst: '10' } }],
      ['Pay.perMinute', { Pay: { perMinute: 10 } }],
      ['Pay', { Pay: 10 }],
    ])('answers 400 naming %s', async (field, body) => {
      const { instId } = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body;
      const res = await api.put(`/admin/v1/institutions/${instId}/limits`).send(body).expect(400);
      expect(fieldNames(res.body)).toContain(field);
      await expect(api.get(`/admin/v1/institutions/${instId}/limits`).expect(200)).resolves.toMatchObject({ body: { limits: {} } });
    });

    it('answers 404 for an unknown institution', async () => {
      await api
        .put('/admin/v1/institutions/NOPE/limits')
        .send({ Pay: { perKey: 1 } })
        .expect(404);
      await api.get('/admin/v1/institutions/NOPE/limits').expect(404);
    });
  });

  describe('companies', () => {
    it('creates a company on first assignment and assigns an existing one to another institution', async () => {
      const first = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body.instId;
      const second = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body.instId;
      const company = companyBody();
      const created = await api.post(`/admin/v1/institutions/${first}/companies`).send(company).expect(201);
      expect(created.body).toEqual({ instId: first, companyId: company.companyId, name: company.name });
      const assigned = await api.post(`/admin/v1/institutions/${second}/companies`).send(company).expect(201);
      expect(assigned.body).toEqual({ instId: second, companyId: company.companyId, name: company.name });
    });

    it('answers 409 for a second assignment or an existing company under another name', async () => {
      const instId = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body.instId;
      const other = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body.instId;
      const company = companyBody();
      await api.post(`/admin/v1/institutions/${instId}/companies`).send(company).expect(201);
      const twice = await api.post(`/admin/v1/institutions/${instId}/companies`).send(company).expect(409);
      expect(twice.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('already assigned') });
      const renamed = await api
        .post(`/admin/v1/institutions/${other}/companies`)
        .send({ ...company, name: 'another name' })
        .expect(409);
      expect(renamed.body.message).toContain('another name');
    });

    it('answers 404 for an unknown institution and 400 for bad fields', async () => {
      await api.post('/admin/v1/institutions/NOPE/companies').send(companyBody()).expect(404);
      const instId = (await api.post('/admin/v1/institutions').send(institutionBody()).expect(201)).body.instId;
      const res = await api.post(`/admin/v1/institutions/${instId}/companies`).send({ companyId: '65 43', name: '', extra: 1 }).expect(400);
      expect(fieldNames(res.body).sort()).toEqual(['companyId', 'extra', 'name']);
    });
  });
});
