import { BILL_CSV_COLUMNS } from '../../src/admin/bills/bill-csv';
import { adminApi, AdminApi, fieldNames, institutionWithCompany, pluck } from '../factories/admin-api';
import { BillBody, billBody, billCsv, billRow, customerBody } from '../factories/admin-requests';
import { createTestApp, TestApp } from '../support/test-app';

describe('admin API: customers, bills and the CSV import', () => {
  let t: TestApp;
  let api: AdminApi;
  let companyId: string;

  beforeAll(async () => {
    t = await createTestApp();
    api = adminApi(t);
    ({ companyId } = await institutionWithCompany(api));
  });

  afterAll(async () => {
    await t.close();
  });

  const billsOf = async (company: string) =>
    (await api.get(`/admin/v1/bills?companyId=${company}&pageSize=1000`).expect(200)).body as { items: unknown[]; total: number };

  describe('customers', () => {
    it('creates a customer', async () => {
      const body = customerBody(companyId);
      const res = await api.post('/admin/v1/customers').send(body).expect(201);
      expect(res.body).toEqual(body);
    });

    it('answers 409 for an existing customer, 404 for an unknown company, 400 for bad fields', async () => {
      const body = customerBody(companyId);
      await api.post('/admin/v1/customers').send(body).expect(201);
      await expect(api.post('/admin/v1/customers').send(body).expect(409)).resolves.toMatchObject({
        body: { statusCode: 409, error: 'Conflict' },
      });
      const unknown = await api.post('/admin/v1/customers').send(customerBody('NOPE')).expect(404);
      expect(unknown.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'company NOPE not found' });
      const bad = await api
        .post('/admin/v1/customers')
        .send({ companyId, billKey: 'k'.repeat(36), name: ' ' })
        .expect(400);
      expect(fieldNames(bad.body).sort()).toEqual(['billKey', 'name']);
    });
  });

  describe('bills', () => {
    it('creates a bill with its customer, defaulting dates, late fee and bill number', async () => {
      const body = billBody(companyId, { amount: '86.4', period: '202402', dueDate: '2024-03-10' });
      const res = await api.post('/admin/v1/bills').send(body).expect(201);
      expect(res.body).toEqual({
        billNo: expect.stringMatching(/^B202402[0-9A-F]{12}$/),
        companyId,
        billKey: body.billKey,
        amount: '86.40',
        lateFee: '0.00',
        period: '202402',
        startDate: '2024-02-01',
        endDate: '2024-02-29',
        dueDate: '2024-03-10',
        status: 0,
      });
      // The customer now exists: a second bill needs no name.
      const second: Partial<BillBody> = billBody(companyId, {
        billKey: body.billKey,
        billNo: 'MY-BILL_0001',
        lateFee: '1.30',
        startDate: '2024-01-05',
        endDate: '2024-02-04',
      });
      delete second.customerName;
      const again = await api.post('/admin/v1/bills').send(second).expect(201);
      expect(again.body).toMatchObject({ billNo: 'MY-BILL_0001', lateFee: '1.30', startDate: '2024-01-05', endDate: '2024-02-04' });
      await expect(
        api
          .post('/admin/v1/customers')
          .send(customerBody(companyId, { billKey: body.billKey }))
          .expect(409),
      ).resolves.toBeDefined();
    });

    it('answers 400 naming customerName for a new customer without a name', async () => {
      const body: Partial<BillBody> = billBody(companyId);
      delete body.customerName;
      const res = await api.post('/admin/v1/bills').send(body).expect(400);
      expect(fieldNames(res.body)).toEqual(['customerName']);
      expect(res.body.message).toContain('customerName');
    });

    it('answers 404 for an unknown company and 409 for an existing billNo', async () => {
      const unknown = await api.post('/admin/v1/bills').send(billBody('NOPE')).expect(404);
      expect(unknown.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'company NOPE not found' });
      await api
        .post('/admin/v1/bills')
        .send(billBody(companyId, { billNo: 'DUP-1' }))
        .expect(201);
      const dup = await api
        .post('/admin/v1/bills')
        .send(billBody(companyId, { billNo: 'DUP-1' }))
        .expect(409);
      expect(dup.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'bill DUP-1 already exists' });
    });

    it.each([
      ['amount', { amount: '1.234' }],
      ['amount', { amount: '-1' }],
      ['amount', { amount: '1e3' }],
      ['amount', { amount: '0' }],
      ['amount', { amount: '0.00' }],
      ['amount', { amount: '' }],
      ['amount', { amount: '１５０' }],
      ['amount', { amount: '12345678901234' }],
      ['amount', { amount: 150 }],
      ['lateFee', { lateFee: '-0.01' }],
      ['lateFee', { lateFee: '1.' }],
      ['period', { period: '202413' }],
      ['period', { period: '202400' }],
      ['period', { period: '2024-01' }],
      ['dueDate', { dueDate: '2024-02-30' }],
      ['dueDate', { dueDate: '2023-02-29' }],
      ['dueDate', { dueDate: '20240131' }],
      ['startDate', { startDate: '2024-13-01' }],
      ['endDate', { startDate: '2024-01-20', endDate: '2024-01-10' }],
      ['billNo', { billNo: 'has space' }],
      ['billNo', { billNo: 'x'.repeat(41) }],
      ['billKey', { billKey: 'k'.repeat(36) }],
      ['companyId', { companyId: '' }],
      ['customerName', { customerName: 'x'.repeat(151) }],
      ['surcharge', { surcharge: '1.00' }],
    ])('answers 400 naming %s', async (field, overrides) => {
      const res = await api
        .post('/admin/v1/bills')
        .send({ ...billBody(companyId), ...overrides })
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(fieldNames(res.body)).toEqual([field]);
    });

    it('accepts a zero late fee, a leap day and the largest amount', async () => {
      const res = await api
        .post('/admin/v1/bills')
        .send(billBody(companyId, { amount: '9999999999999.99', lateFee: '0', dueDate: '2024-02-29' }))
        .expect(201);
      expect(res.body).toMatchObject({ amount: '9999999999999.99', lateFee: '0.00', dueDate: '2024-02-29' });
    });
  });

  describe('CSV import', () => {
    it('imports every row in one go, creating new customers', async () => {
      const { companyId: company } = await institutionWithCompany(api);
      const existing = customerBody(company);
      await api.post('/admin/v1/customers').send(existing).expect(201);
      const csv = billCsv([
        billRow(company, { billNo: 'IMP-1', lateFee: '1.30' }),
        billRow(company, { billKey: existing.billKey, customerName: '', amount: '52' }),
        billRow(company, { billKey: 'NEW-1', customerName: '王五', period: '202402', dueDate: '2024-03-01' }),
        billRow(company, { billKey: 'NEW-1', customerName: '', period: '202403', dueDate: '2024-04-01' }),
      ]);
      const res = await api.post('/admin/v1/bills/import').set('Content-Type', 'text/csv').send(csv).expect(201);
      expect(res.body.imported).toBe(4);
      expect(res.body.billNos).toHaveLength(4);
      expect(res.body.billNos[0]).toBe('IMP-1');

      const listed = await billsOf(company);
      expect(listed.total).toBe(4);
      expect(pluck(listed, 'billNo').sort()).toEqual([...res.body.billNos].sort());
      expect(listed.items).toContainEqual({
        billNo: 'IMP-1',
        companyId: company,
        billKey: expect.any(String),
        amount: '150.00',
        lateFee: '1.30',
        period: '202401',
        dueDate: '2024-01-31',
        status: 0,
      });
      await api
        .post('/admin/v1/customers')
        .send(customerBody(company, { billKey: 'NEW-1' }))
        .expect(409);
    });

    it('takes columns in any order, without the optional ones, with CRLF line ends and quoted cells', async () => {
      const { companyId: company } = await institutionWithCompany(api);
      const csv =
        'dueDate,period,amount,billKey,companyId,customerName\r\n' +
        `2024-01-31,202401,10.00,Q-1,${company},"Zhang, San"\r\n` +
        '\r\n' +
        `2024-01-31,202401,20.00,Q-2,${company},"He said ""hi"""\r\n`;
      const res = await api.post('/admin/v1/bills/import').set('Content-Type', 'text/csv; charset=utf-8').send(csv).expect(201);
      expect(res.body.imported).toBe(2);
      expect((await billsOf(company)).total).toBe(2);
    });

    it('refuses a file with bad rows, naming each line, and imports nothing', async () => {
      const { companyId: company } = await institutionWithCompany(api);
      const before = await billsOf(company);
      const csv = billCsv([
        billRow(company),
        billRow(company, { amount: '1.234' }),
        billRow(company),
        billRow(company, { period: '202413', dueDate: '2024-02-30' }),
        billRow(company),
      ]);
      const res = await api.post('/admin/v1/bills/import').set('Content-Type', 'text/csv').send(csv).expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: '2 bad rows, nothing imported',
        errors: [
          { line: 3, field: 'amount', message: expect.any(String) },
          { line: 5, field: 'period', message: expect.any(String) },
          { line: 5, field: 'dueDate', message: expect.any(String) },
        ],
      });
      expect(await billsOf(company)).toEqual(before);
    });

    it('reports unknown companies, repeated and existing bill numbers and missing customer names', async () => {
      const { companyId: company } = await institutionWithCompany(api);
      await api
        .post('/admin/v1/bills')
        .send(billBody(company, { billNo: 'TAKEN-1' }))
        .expect(201);
      const before = await billsOf(company);
      const csv = billCsv([
        billRow(company, { billNo: 'F-1' }),
        billRow('NOPE'),
        billRow(company, { billNo: 'F-1' }),
        billRow(company, { billNo: 'TAKEN-1' }),
        billRow(company, { customerName: '' }),
      ]);
      const res = await api.post('/admin/v1/bills/import').set('Content-Type', 'text/csv').send(csv).expect(400);
      expect(res.body.message).toBe('4 bad rows, nothing imported');
      expect(res.body.errors).toEqual([
        { line: 3, field: 'companyId', message: 'company NOPE not found' },
        { line: 4, field: 'billNo', message: 'billNo F-1 repeats line 2' },
        { line: 5, field: 'billNo', message: 'bill TAKEN-1 already exists' },
        { line: 6, field: 'customerName', message: expect.stringContaining('customerName is required') },
      ]);
      expect(await billsOf(company)).toEqual(before);
    });

    it('refuses unusable files as a whole', async () => {
      const post = (csv: string) => api.post('/admin/v1/bills/import').set('Content-Type', 'text/csv').send(csv);
      const header = await post('companyId,billKey,amount,period,colour\nC,K,1.00,202401,red\n').expect(400);
      expect(header.body.errors).toEqual([
        { line: 1, message: 'unknown column "colour" (column 5)' },
        { line: 1, field: 'dueDate', message: 'missing column dueDate' },
      ]);
      await expect(post('').expect(400)).resolves.toMatchObject({ body: { message: 'the file is empty, nothing imported' } });
      await expect(post(`${BILL_CSV_COLUMNS.join(',')}\n`).expect(400)).resolves.toMatchObject({
        body: { message: 'the file has no bill rows, nothing imported' },
      });
      const unreadable = await post(`${BILL_CSV_COLUMNS.join(',')}\n"${companyId},K\n`).expect(400);
      expect(unreadable.body).toMatchObject({
        message: 'the file is not readable CSV, nothing imported',
        errors: [{ line: expect.any(Number) }],
      });
      const wide = await post(`companyId,billKey,amount,period,dueDate\n${companyId},K,1.00,202401,2024-01-31,extra\n`).expect(400);
      expect(wide.body.errors).toEqual([{ line: 2, message: '6 cells but the header names 5 columns' }]);
    });

    it('answers 415 for anything but text/csv', async () => {
      const csv = billCsv([billRow(companyId)]);
      await api.post('/admin/v1/bills/import').set('Content-Type', 'text/plain').send(csv).expect(415);
      const json = await api.post('/admin/v1/bills/import').send({ csv }).expect(415);
      expect(json.body).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: 'this endpoint takes Content-Type: text/csv',
      });
    });

    it('answers 413 for more than 10,000 rows or 10 MiB', async () => {
      const rows = Array.from({ length: 10_001 }, (_, i) => billRow(companyId, { billKey: `K${i}` }));
      const many = await api.post('/admin/v1/bills/import').set('Content-Type', 'text/csv').send(billCsv(rows)).expect(413);
      expect(many.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'at most 10000 bill rows per import; this file has 10001',
      });
      const big = `${BILL_CSV_COLUMNS.join(',')}\n${'x'.repeat(10 * 1024 * 1024)}\n`;
      await expect(api.post('/admin/v1/bills/import').set('Content-Type', 'text/csv').send(big).expect(413)).resolves.toMatchObject({
        body: { statusCode: 413 },
      });
    });

    it('imports 10,000 rows, more than one INSERT can carry', async () => {
      const { companyId: company } = await institutionWithCompany(api);
      const rows = Array.from({ length: 10_000 }, (_, i) =>
        billRow(company, { billKey: `K${i % 4000}`, customerName: '赵六', billNo: `BULK-${i}` }),
      );
      const res = await api.post('/admin/v1/bills/import').set('Content-Type', 'text/csv').send(billCsv(rows)).expect(201);
      expect(res.body.imported).toBe(10_000);
      const page = await api.get(`/admin/v1/bills?companyId=${company}&pageSize=1`).expect(200);
      expect(page.body.total).toBe(10_000);
    });
  });
});
