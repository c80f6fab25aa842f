import request from 'supertest';
import type { TestApp } from '../support/test-app';
import { ADMIN_TOKEN } from '../support/test-app';
import { companyBody, institutionBody } from './admin-requests';

/** supertest against the admin API with the admin token set: `api.post('/admin/v1/bills').send(body)`. */
export function adminApi(t: TestApp, token: string = ADMIN_TOKEN) {
  const auth = (test: request.Test) => test.set('Authorization', `Bearer ${token}`);
  return {
    get: (path: string) => auth(request(t.http).get(path)),
    post: (path: string) => auth(request(t.http).post(path)),
    put: (path: string) => auth(request(t.http).put(path)),
    delete: (path: string) => auth(request(t.http).delete(path)),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;

/** A new institution with one new company assigned to it, created through the API. */
export async function institutionWithCompany(
  api: AdminApi,
): Promise<{ instId: string; companyId: string; apiKey: string; encKey: string }> {
  const institution = await api.post('/admin/v1/institutions').send(institutionBody()).expect(201);
  const company = companyBody();
  await api.post(`/admin/v1/institutions/${institution.body.instId}/companies`).send(company).expect(201);
  return {
    instId: institution.body.instId,
    companyId: company.companyId,
    apiKey: institution.body.apiKey,
    encKey: institution.body.encKey,
  };
}

/** The names of the fields a 400 body names. */
export function fieldNames(body: unknown): string[] {
  return (body as { fields: { field: string }[] }).fields.map((f) => f.field);
}

/** One property of every item of a page body: `pluck(res.body, 'billNo')`. */
export function pluck(body: unknown, key: string): unknown[] {
  return (body as { items: Record<string, unknown>[] }).items.map((item) => item[key]);
}
