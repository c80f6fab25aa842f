import { Fen } from '../../src/common/fen';
import { TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { BatchStatus } from '../../src/withholding/entities/debit-batch.entity';
import { AgreementStatus } from '../../src/withholding/entities/withholding-agreement.entity';
import { adminApi, AdminApi, fieldNames, institutionWithCompany, pluck } from '../factories/admin-api';
import { billBody, companyBody, uniqueId } from '../factories/admin-requests';
import {
  agreement,
  debitBatch,
  debitBatchItem,
  insertAgreement,
  insertBatch,
  insertTransaction,
  ledgerTransaction,
} from '../factories/ledger-records';
import { createTestApp, TestApp } from '../support/test-app';

const yuan = (text: string) => Fen.parseYuan(text, { allowNegative: true }) as Fen;

describe('admin API: listings', () => {
  let t: TestApp;
  let api: AdminApi;

  beforeAll(async () => {
    t = await createTestApp();
    api = adminApi(t);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('bills', () => {
    let instId: string;
    let otherInstId: string;
    let companyId: string;
    let sharedCompanyId: string;
    let billKey: string;

    beforeAll(async () => {
      ({ instId, companyId } = await institutionWithCompany(api));
      ({ instId: otherInstId } = await institutionWithCompany(api));
      const shared = companyBody();
      sharedCompanyId = shared.companyId;
      await api.post(`/admin/v1/institutions/${instId}/companies`).send(shared).expect(201);
      await api.post(`/admin/v1/institutions/${otherInstId}/companies`).send(shared).expect(201);

      billKey = uniqueId('K');
      // Seven bills of the institution's own company (five of one customer), two of the shared company.
      for (let i = 1; i <= 5; i += 1) {
        await api
          .post('/admin/v1/bills')
          .send(
            billBody(companyId, {
              billKey,
              billNo: `L-${companyId}-${i}`,
              amount: `${i}.50`,
              dueDate: i <= 2 ? '2024-01-31' : '2024-02-29',
            }),
          )
          .expect(201);
      }
      for (let i = 6; i <= 7; i += 1)
        await api
          .post('/admin/v1/bills')
          .send(billBody(companyId, { billNo: `L-${companyId}-${i}` }))
          .expect(201);
      for (let i = 1; i <= 2; i += 1)
        await api
          .post('/admin/v1/bills')
          .send(billBody(sharedCompanyId, { billNo: `L-${sharedCompanyId}-${i}` }))
          .expect(201);
    });

    it('pages through a company in billNo order', async () => {
      const first = await api.get(`/admin/v1/bills?companyId=${companyId}&pageSize=3`).expect(200);
      expect(first.body).toMatchObject({ total: 7, page: 1, pageSize: 3 });
      expect(pluck(first.body, 'billNo')).toEqual([1, 2, 3].map((i) => `L-${companyId}-${i}`));
      expect(first.body.items[0]).toEqual({
        billNo: `L-${companyId}-1`,
        companyId,
        billKey,
        amount: '1.50',
        lateFee: '0.00',
        period: '202401',
        dueDate: '2024-01-31',
        status: 0,
      });
      const third = await api.get(`/admin/v1/bills?companyId=${companyId}&pageSize=3&page=3`).expect(200);
      expect(pluck(third.body, 'billNo')).toEqual([`L-${companyId}-7`]);
      const beyond = await api.get(`/admin/v1/bills?companyId=${companyId}&pageSize=3&page=4`).expect(200);
      expect(beyond.body).toEqual({ items: [], total: 7, page: 4, pageSize: 3 });
    });

    it('filters by customer, status and due date in either form', async () => {
      await expect(api.get(`/admin/v1/bills?companyId=${companyId}&billKey=${billKey}`).expect(200)).resolves.toMatchObject({
        body: { total: 5 },
      });
      await expect(api.get(`/admin/v1/bills?billKey=${billKey}&date=20240131`).expect(200)).resolves.toMatchObject({ body: { total: 2 } });
      await expect(api.get(`/admin/v1/bills?billKey=${billKey}&date=2024-02-29`).expect(200)).resolves.toMatchObject({
        body: { total: 3 },
      });
      await expect(api.get(`/admin/v1/bills?companyId=${companyId}&status=0`).expect(200)).resolves.toMatchObject({ body: { total: 7 } });
      await expect(api.get(`/admin/v1/bills?companyId=${companyId}&status=1`).expect(200)).resolves.toMatchObject({ body: { total: 0 } });
    });

    it('filters by institution through the companies assigned to it', async () => {
      const own = await api.get(`/admin/v1/bills?instId=${instId}`).expect(200);
      expect(own.body.total).toBe(9);
      const other = await api.get(`/admin/v1/bills?instId=${otherInstId}&pageSize=1000`).expect(200);
      expect(other.body.total).toBe(2);
      expect(pluck(other.body, 'companyId').every((id) => id === sharedCompanyId)).toBe(true);
      await expect(api.get('/admin/v1/bills?instId=NOPE').expect(200)).resolves.toMatchObject({ body: { total: 0, items: [] } });
    });

    it('defaults to page 1 of 50', async () => {
      await expect(api.get(`/admin/v1/bills?companyId=${companyId}`).expect(200)).resolves.toMatchObject({
        body: { page: 1, pageSize: 50 },
      });
    });

    it.each([
      ['page', 'page=0'],
      ['page', 'page=abc'],
      ['page', 'page=1.5'],
      ['pageSize', 'pageSize=1001'],
      ['pageSize', 'pageSize=0'],
      ['status', 'status=3'],
      ['status', 'status=x'],
      ['status', 'status='],
      ['pageSize', 'pageSize='],
      ['date', 'date=20240230'],
      ['date', 'date=2024/01/31'],
      ['billKey', 'billKey=a&billKey=b'],
      ['colour', 'colour=red'],
    ])('answers 400 naming %s', async (field, query) => {
      const res = await api.get(`/admin/v1/bills?${query}`).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(fieldNames(res.body)).toEqual([field]);
    });
  });

  describe('transactions', () => {
    const instId = uniqueId('TI');
    const otherInstId = uniqueId('TI');
    let payment: string;

    beforeAll(async () => {
      const original = await insertTransaction(t, ledgerTransaction({ instId, tranStatus: TranStatus.Reversed, amount: yuan('150.00') }), [
        'B1',
        'B2',
      ]);
      payment = original.tranSeq;
      await insertTransaction(
        t,
        ledgerTransaction({
          instId,
          tranSeq: `REV${original.tranSeq}`,
          tranCode: 'PayInvalid',
          amount: yuan('-150.00'),
          originalTranSeq: original.tranSeq,
          businessDate: '2024-01-16',
        }),
        ['B1', 'B2'],
      );
      for (let i = 0; i < 3; i += 1)
        await insertTransaction(t, ledgerTransaction({ instId, billKey: 'OTHER', subChannel: 2, amount: yuan('10.05') }));
      await insertTransaction(t, ledgerTransaction({ instId: otherInstId, tranCode: 'Withhold' }));
    });

    it('lists in the order written, with bills, reversals negative', async () => {
      const res = await api.get(`/admin/v1/transactions?instId=${instId}&pageSize=2`).expect(200);
      expect(res.body).toMatchObject({ total: 5, page: 1, pageSize: 2 });
      expect(res.body.items).toEqual([
        {
          tranSeq: payment,
          tranCode: 'Pay',
          instId,
          companyId: '654321',
          billKey: '123456',
          amount: '150.00',
          tranStatus: 2,
          payDate: '2024-01-15T02:30:00.000Z',
          originalTranSeq: null,
          subChannel: 0,
          billNos: ['B1', 'B2'],
        },
        {
          tranSeq: `REV${payment}`,
          tranCode: 'PayInvalid',
          instId,
          companyId: '654321',
          billKey: '123456',
          amount: '-150.00',
          tranStatus: 1,
          payDate: '2024-01-15T02:30:00.000Z',
          originalTranSeq: payment,
          subChannel: 0,
          billNos: ['B1', 'B2'],
        },
      ]);
      const last = await api.get(`/admin/v1/transactions?instId=${instId}&pageSize=2&page=3`).expect(200);
      expect(last.body.items).toEqual([expect.objectContaining({ billKey: 'OTHER', amount: '10.05', subChannel: 2, billNos: [] })]);
    });

    it('filters by institution, customer, status and business date', async () => {
      await expect(api.get(`/admin/v1/transactions?instId=${instId}&billKey=OTHER`).expect(200)).resolves.toMatchObject({
        body: { total: 3 },
      });
      await expect(api.get(`/admin/v1/transactions?instId=${instId}&status=2`).expect(200)).resolves.toMatchObject({ body: { total: 1 } });
      await expect(api.get(`/admin/v1/transactions?instId=${instId}&date=20240116`).expect(200)).resolves.toMatchObject({
        body: { total: 1 },
      });
      await expect(api.get(`/admin/v1/transactions?instId=${instId}&date=2024-01-15&companyId=654321`).expect(200)).resolves.toMatchObject({
        body: { total: 4 },
      });
      const other = await api.get(`/admin/v1/transactions?instId=${otherInstId}`).expect(200);
      expect(other.body.items).toEqual([expect.objectContaining({ tranCode: 'Withhold', instId: otherInstId })]);
    });

    it('answers 400 naming a bad status', async () => {
      const res = await api.get('/admin/v1/transactions?status=0').expect(400);
      expect(fieldNames(res.body)).toEqual(['status']);
    });
  });

  describe('agreements', () => {
    const instId = uniqueId('AI');
    const agreements = [
      agreement({ instId, agreementNo: `${instId}-C`, accountNo: '6222021234567890123', accountName: '张三丰' }),
      agreement({
        instId,
        agreementNo: `${instId}-A`,
        accountNo: '12345678',
        accountName: '李四',
        bankName: '他行',
        signDate: '2024-01-10',
      }),
      agreement({ instId, agreementNo: `${instId}-B`, status: AgreementStatus.Terminated, terminationDate: '2024-01-20' }),
    ];

    beforeAll(async () => {
      for (const row of agreements) await insertAgreement(t, row);
    });

    it('lists by agreementNo with only the masks of account name and number', async () => {
      const res = await api.get(`/admin/v1/agreements?instId=${instId}`).expect(200);
      expect(res.body.total).toBe(3);
      expect(pluck(res.body, 'agreementNo')).toEqual([`${instId}-A`, `${instId}-B`, `${instId}-C`]);
      expect(res.body.items[0]).toEqual({
        agreementNo: `${instId}-A`,
        instId,
        companyId: '654321',
        billKey: agreements[1].billKey,
        accountNo: '*5678',
        accountName: '李*',
        bankName: '他行',
        status: 1,
        signDate: '2024-01-10',
        terminationDate: null,
      });
      expect(res.body.items[2]).toMatchObject({ accountNo: '6222***********0123', accountName: '张*丰' });
      const json = JSON.stringify(res.body);
      expect(json).not.toContain('6222021234567890123');
      expect(json).not.toContain('张三丰');
      expect(json).not.toContain('sealed');
    });

    it('filters by status, sign date and customer, and pages', async () => {
      await expect(api.get(`/admin/v1/agreements?instId=${instId}&status=2`).expect(200)).resolves.toMatchObject({
        body: { total: 1, items: [{ terminationDate: '2024-01-20' }] },
      });
      await expect(api.get(`/admin/v1/agreements?instId=${instId}&date=20240110`).expect(200)).resolves.toMatchObject({
        body: { total: 1 },
      });
      await expect(api.get(`/admin/v1/agreements?companyId=654321&billKey=${agreements[0].billKey}`).expect(200)).resolves.toMatchObject({
        body: { total: 1 },
      });
      const second = await api.get(`/admin/v1/agreements?instId=${instId}&pageSize=2&page=2`).expect(200);
      expect(second.body).toMatchObject({ total: 3, page: 2, pageSize: 2, items: [{ agreementNo: `${instId}-C` }] });
    });
  });

  describe('batches', () => {
    const instId = uniqueId('BI');

    beforeAll(async () => {
      await insertBatch(t, debitBatch({ instId, batchNo: 'SEND-1', totalCount: 2, totalAmount: yuan('236.40') }), [
        debitBatchItem({ billKey: 'CUST-1' }),
        debitBatchItem({ lineNo: 2, billKey: 'CUST-2', amount: yuan('86.40') }),
      ]);
      await insertBatch(
        t,
        debitBatch({ instId, batchNo: 'A202401160001', origin: 'auto', status: BatchStatus.Pending, businessDate: '2024-01-16' }),
        [debitBatchItem({ companyId: 'OTHERCO', billKey: 'CUST-1' })],
      );
      await insertBatch(t, debitBatch({ instId, batchNo: 'SEND-2', status: BatchStatus.Succeeded, successCount: 1 }), [
        debitBatchItem({ billKey: 'CUST-3' }),
      ]);
    });

    it('lists in the order created', async () => {
      const res = await api.get(`/admin/v1/batches?instId=${instId}`).expect(200);
      expect(res.body.total).toBe(3);
      expect(res.body.items[0]).toEqual({
        batchNo: 'SEND-1',
        instId,
        status: 1,
        totalCount: 2,
        totalAmount: '236.40',
        successCount: 0,
        failCount: 0,
        cancelCount: 0,
        origin: 'partner',
        businessDate: '2024-01-15',
      });
      expect(pluck(res.body, 'batchNo')).toEqual(['SEND-1', 'A202401160001', 'SEND-2']);
    });

    it('filters by status, business date and the companies and customers of its items', async () => {
      const batchNos = async (query: string) =>
        pluck((await api.get(`/admin/v1/batches?instId=${instId}&${query}`).expect(200)).body, 'batchNo');
      await expect(batchNos('status=0')).resolves.toEqual(['A202401160001']);
      await expect(batchNos('date=20240115')).resolves.toEqual(['SEND-1', 'SEND-2']);
      await expect(batchNos('companyId=OTHERCO')).resolves.toEqual(['A202401160001']);
      await expect(batchNos('billKey=CUST-1')).resolves.toEqual(['SEND-1', 'A202401160001']);
      await expect(batchNos('companyId=654321&billKey=CUST-1')).resolves.toEqual(['SEND-1']);
      await expect(batchNos('companyId=654321&page=2&pageSize=1')).resolves.toEqual(['SEND-2']);
    });

    it('answers 400 naming a bad status', async () => {
      const res = await api.get('/admin/v1/batches?status=5').expect(400);
      expect(fieldNames(res.body)).toEqual(['status']);
    });
  });
});
