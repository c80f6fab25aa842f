import request from 'supertest';
import { DataSource } from 'typeorm';
import { Bill, BillStatus } from '../../src/billing/entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill, TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { Fen } from '../../src/common/fen';
import { DEMO, DemoDataService } from '../../src/demo/demo-data.service';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { assertLedgerConsistent } from '../support/ledger-invariant';
import { decodeText, sendPartner, TODAY } from '../support/partner-client';
import { ADMIN_TOKEN, createTestApp, TestApp } from '../support/test-app';

const API_KEY = 'billing-test-api-key-000001';
const SECRET = Buffer.alloc(32, 3);

type Message = Record<string, unknown>;

describe(`billing operations (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let db: DataSource;
  let seq = 0;
  const nextSeq = () => `T${Date.now().toString(36)}${(seq++).toString(36)}`.toUpperCase();
  const base = (tranCode: string) => ({ Version: '1.0.1', InstId: DEMO.instId, TranCode: tranCode, TranDate: TODAY(), TranSeq: nextSeq() });

  async function call(tranCode: keyof typeof OPERATIONS, fields: Message, options: { format?: 'XML' | 'JSON'; apiKey?: string } = {}) {
    const res = await sendPartner(
      t.http,
      OPERATIONS[tranCode].path,
      { ...base(tranCode), ...fields },
      {
        apiKey: options.apiKey ?? API_KEY,
        format: options.format ?? 'JSON',
      },
    );
    const text = decodeText(res.body as Buffer, res.headers['content-type'] ?? '');
    return { status: res.status, text, body: (options.format ?? 'JSON') === 'JSON' ? (JSON.parse(text) as Message) : ({} as Message) };
  }

  const admin = () => request(t.http);
  async function createCustomerWithBills(billKey: string, amounts: string[]): Promise<string[]> {
    const billNos: string[] = [];
    for (const [i, amount] of amounts.entries()) {
      const res = await admin()
        .post('/admin/v1/bills')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({
          companyId: DEMO.companyId,
          billKey,
          customerName: '王小明',
          amount,
          period: `2025${String(i + 1).padStart(2, '0')}`,
          dueDate: '2099-12-31',
        })
        .expect(201);
      billNos.push((res.body as { billNo: string }).billNo);
    }
    return billNos;
  }

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') });
    db = t.app.get(DataSource);
    await t.app.get(DemoDataService).loadIfEmpty();
    // Tests here exercise the rules; the limits have their own suite.
    await admin()
      .put(`/admin/v1/institutions/${DEMO.instId}/limits`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({
        Query: { perKey: 100000, perInst: 100000 },
        Pay: { perKey: 100000, perInst: 100000 },
        PayInvalid: { perKey: 100000, perInst: 100000 },
        PayQuery: { perInst: 100000 },
      })
      .expect(200);
  });

  afterEach(async () => {
    await assertLedgerConsistent(db);
  });

  afterAll(() => t.close());

  describe('the reversal seed (PayInvalid)', () => {
    it.each(['JSON', 'XML'] as const)('reverses TXN123456789012 as the seed example shows, in %s', async (format) => {
      // Each format needs a payment of its own to reverse; the first run uses the demo payment.
      let original: string = DEMO.paymentTranSeq;
      if (format === 'XML') {
        const [billNo] = await createCustomerWithBills('SEEDXML', ['150.00']);
        const paid = await call('Pay', { BillKey: 'SEEDXML', CompanyId: DEMO.companyId, PayAmount: '150.00', BillNo: billNo });
        expect(paid.status).toBe(200);
        original = (paid.body.Data as { Transaction: { TranSeq: string } }).Transaction.TranSeq;
      }
      const billKey = format === 'XML' ? 'SEEDXML' : DEMO.billKey;
      const res = await sendPartner(
        t.http,
        OPERATIONS.PayInvalid.path,
        {
          Version: '1.0.1',
          InstId: '00001',
          TranCode: 'PayInvalid',
          TranDate: TODAY(),
          TranSeq: format === 'XML' ? '123456789014' : '123456789013',
          OriginalTranSeq: original,
          BillKey: billKey,
          CompanyId: '654321',
        },
        { apiKey: API_KEY, format },
      );
      const text = decodeText(res.body as Buffer, res.headers['content-type'] ?? '');
      expect(res.status).toBe(200);
      if (format === 'JSON') {
        const body = JSON.parse(text) as Message;
        expect(body).toMatchObject({
          Version: '1.0.1',
          InstId: '00001',
          TranCode: 'PayInvalidRes',
          TranSeq: '123456789013',
          RespCode: 'AAAAAAA',
          RespMessage: '红冲成功',
        });
        expect(body.Data).toMatchObject({
          Transaction: {
            TranSeq: 'REV123456789013',
            BillKey: '123456',
            CompanyId: '654321',
            TranCode: 'PayInvalid',
            PayAmount: -150,
            TranStatus: 1,
            RespCode: 'AAAAAAA',
            RespMessage: '成功',
          },
        });
        expect(text).toContain('"PayAmount":-150.00');
        expect((body.Data as { Transaction: { PayDate: string } }).Transaction.PayDate).toMatch(
          /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
        );
      } else {
        expect(text).toContain('<TranCode>PayInvalidRes</TranCode>');
        expect(text).toContain('<RespMessage>红冲成功</RespMessage>');
        expect(text).toMatch(
          /<Transaction><TranSeq>REV123456789014<\/TranSeq><BillKey>SEEDXML<\/BillKey><CompanyId>654321<\/CompanyId>.*<TranCode>PayInvalid<\/TranCode><PayAmount>-150.00<\/PayAmount>/,
        );
      }
      const reversed = await db.getRepository(LedgerTransaction).findOneByOrFail({ instId: '00001', tranSeq: original });
      expect(reversed.tranStatus).toBe(TranStatus.Reversed);
      const bills = await db.getRepository(LedgerTransactionBill).findBy({ transactionId: reversed.id });
      for (const line of bills)
        expect((await db.getRepository(Bill).findOneByOrFail({ billNo: line.billNo })).status).toBe(BillStatus.Unpaid);
    });
  });

  describe('Query', () => {
    it('lists the unpaid bills oldest first with the masked name and the signed agreement', async () => {
      const res = await call('Query', { BillKey: DEMO.billKey, CompanyId: DEMO.companyId });
      expect(res.status).toBe(200);
      const data = res.body.Data as { Customer: Message; TotalAmount: number; Bills: Message[] };
      expect(data.Customer).toEqual({ BillKey: '123456', CustomerName: '张*丰', CompanyId: '654321', AgreementNo: 'AGR001' });
      const periods = data.Bills.map((b) => b.Period as string);
      expect([...periods].sort()).toEqual(periods);
      expect(data.Bills.every((b) => b.BillStatus === 0 || b.BillStatus === 2)).toBe(true);
    });

    it('answers a known customer with nothing unpaid with an empty list and 0.00', async () => {
      const [billNo] = await createCustomerWithBills('Q-EMPTY', ['10.00']);
      expect((await call('Pay', { BillKey: 'Q-EMPTY', CompanyId: DEMO.companyId, PayAmount: '10.00', BillNo: billNo })).status).toBe(200);
      const res = await call('Query', { BillKey: 'Q-EMPTY', CompanyId: DEMO.companyId });
      expect(res.status).toBe(200);
      expect(res.text).toContain('"TotalAmount":0.00');
      expect((res.body.Data as { Bills: unknown[] }).Bills).toEqual([]);
    });

    it('names an unknown customer, and answers another institution exactly like a missing one', async () => {
      const unknown = await call('Query', { BillKey: '999999', CompanyId: DEMO.companyId });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ RespCode: 'DEF0001', ErrorDetail: { ErrorMsg: '客户编号999999不存在' } });

      const other = await admin()
        .post('/admin/v1/institutions')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ instId: 'OTHER1', name: '他行' })
        .expect(201);
      const foreign = await sendPartner(
        t.http,
        OPERATIONS.Query.path,
        { ...base('Query'), InstId: 'OTHER1', BillKey: DEMO.billKey, CompanyId: DEMO.companyId },
        { apiKey: (other.body as { apiKey: string }).apiKey },
      );
      const foreignBody = JSON.parse((foreign.body as Buffer).toString()) as Message;
      expect(foreign.status).toBe(400);
      expect(foreignBody).toMatchObject({ RespCode: 'DEF0001', ErrorDetail: { ErrorMsg: `客户编号${DEMO.billKey}不存在` } });
    });
  });

  describe('Pay', () => {
    it('settles all unpaid bills for their exact total and records one transaction listing them', async () => {
      const billNos = await createCustomerWithBills('P-ALL', ['10.10', '20.20']);
      expect((await call('Pay', { BillKey: 'P-ALL', CompanyId: DEMO.companyId, PayAmount: '30.29' })).body).toMatchObject({
        RespCode: 'DEF0002',
      });
      const res = await call('Pay', { BillKey: 'P-ALL', CompanyId: DEMO.companyId, PayAmount: Fen.parseYuan('30.30'), SubChannel: '7' });
      expect(res.status).toBe(200);
      expect(res.body.Data).toMatchObject({
        Transaction: { BillNos: billNos, TranCode: 'Pay', PayAmount: 30.3, SubChannel: 7, TranStatus: 1 },
      });
      expect(res.text).toContain('"PayAmount":30.30');
      expect((await call('Pay', { BillKey: 'P-ALL', CompanyId: DEMO.companyId, PayAmount: '30.30' })).body).toMatchObject({
        RespCode: 'DEF0003',
      });
    });

    it('settles one BillNo, refuses an unknown one and a bill held by a debit batch', async () => {
      const [first, second] = await createCustomerWithBills('P-ONE', ['11.00', '12.00']);
      expect((await call('Pay', { BillKey: 'P-ONE', CompanyId: DEMO.companyId, PayAmount: '12.00', BillNo: 'NOPE' })).body).toMatchObject({
        RespCode: 'DEF0001',
      });
      await db.getRepository(Bill).update({ billNo: second }, { status: BillStatus.Held });
      expect((await call('Pay', { BillKey: 'P-ONE', CompanyId: DEMO.companyId, PayAmount: '12.00', BillNo: second })).body).toMatchObject({
        RespCode: 'DEF0012',
      });
      expect((await call('Pay', { BillKey: 'P-ONE', CompanyId: DEMO.companyId, PayAmount: '11.00', BillNo: first })).status).toBe(200);
      // Only the held bill is left open: the payment has to wait for the debit's result.
      expect((await call('Pay', { BillKey: 'P-ONE', CompanyId: DEMO.companyId, PayAmount: '12.00' })).body).toMatchObject({
        RespCode: 'DEF0012',
      });
      await db.getRepository(Bill).update({ billNo: second }, { status: BillStatus.Unpaid });
    });
  });

  describe('PayInvalid and PayQuery', () => {
    async function paidTransaction(billKey: string, amount = '25.00'): Promise<string> {
      await createCustomerWithBills(billKey, [amount]);
      const paid = await call('Pay', { BillKey: billKey, CompanyId: DEMO.companyId, PayAmount: amount });
      expect(paid.status).toBe(200);
      return (paid.body.Data as { Transaction: { TranSeq: string } }).Transaction.TranSeq;
    }

    it('applies every rule in order', async () => {
      const original = await paidTransaction('R-RULES');
      const reverse = (fields: Message) =>
        call('PayInvalid', { OriginalTranSeq: original, BillKey: 'R-RULES', CompanyId: DEMO.companyId, ...fields });
      expect((await reverse({ OriginalTranSeq: 'NOSUCH' })).body).toMatchObject({ RespCode: 'DEF0001' });
      expect((await reverse({ BillKey: 'R-OTHER' })).body).toMatchObject({ RespCode: 'DEF0008' });
      expect((await reverse({ PayAmount: '24.99' })).body).toMatchObject({ RespCode: 'DEF0002' });
      const done = await reverse({ PayAmount: '25.00' });
      expect(done.status).toBe(200);
      const reversalSeq = (done.body.Data as { Transaction: { TranSeq: string } }).Transaction.TranSeq;
      expect((await reverse({})).body).toMatchObject({ RespCode: 'DEF0005' });
      expect((await reverse({ OriginalTranSeq: reversalSeq })).body).toMatchObject({ RespCode: 'DEF0004' });

      const query = await call('PayQuery', { OriginalTranSeq: original, CompanyId: DEMO.companyId });
      expect(query.body.Data).toMatchObject({ Transaction: { TranSeq: original, TranStatus: 2, PayAmount: 25 } });
      expect((await call('PayQuery', { OriginalTranSeq: reversalSeq, CompanyId: DEMO.companyId })).body.Data).toMatchObject({
        Transaction: { TranSeq: reversalSeq, TranCode: 'PayInvalid', PayAmount: -25, OriginalTranSeq: original },
      });
      expect((await call('PayQuery', { OriginalTranSeq: original, CompanyId: '000000' })).body).toMatchObject({ RespCode: 'DEF0001' });
    });

    it("answers another institution's payment as not found", async () => {
      const original = await paidTransaction('R-FOREIGN');
      const other = await admin()
        .post('/admin/v1/institutions')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ instId: 'OTHER2', name: '他行2' })
        .expect(201);
      await admin()
        .post('/admin/v1/institutions/OTHER2/companies')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ companyId: DEMO.companyId, name: '示范自来水公司第一营业所' })
        .expect(201);
      const res = await sendPartner(
        t.http,
        OPERATIONS.PayInvalid.path,
        { ...base('PayInvalid'), InstId: 'OTHER2', OriginalTranSeq: original, BillKey: 'R-FOREIGN', CompanyId: DEMO.companyId },
        { apiKey: (other.body as { apiKey: string }).apiKey },
      );
      expect(res.status).toBe(400);
      expect(JSON.parse((res.body as Buffer).toString())).toMatchObject({ RespCode: 'DEF0001' });
    });

    it('reverses a payment and lets the bills be paid again', async () => {
      const original = await paidTransaction('R-AGAIN', '40.00');
      expect((await call('PayInvalid', { OriginalTranSeq: original, BillKey: 'R-AGAIN', CompanyId: DEMO.companyId })).status).toBe(200);
      expect((await call('Pay', { BillKey: 'R-AGAIN', CompanyId: DEMO.companyId, PayAmount: '40.00' })).status).toBe(200);
    });
  });

  describe('headers of a successful answer (CONTRACT §2)', () => {
    const query = () => ({ ...base('Query'), BillKey: DEMO.billKey, CompanyId: DEMO.companyId });

    it.each([
      ['JSON', { format: 'JSON' as const }, 'application/json; charset=utf-8'],
      ['GBK XML', { format: 'XML' as const, charset: 'GBK' as const }, 'application/xml; charset=GBK'],
      ['SM4', { format: 'JSON' as const, encrypt: { type: 'SM4' as const, secret: SECRET } }, 'text/plain; charset=us-ascii'],
    ])(
      '%s: Content-Type, the exact Content-Length, X-Request-Id, X-Response-Time and the rate limit',
      async (_label, call, contentType) => {
        const res = await sendPartner(t.http, OPERATIONS.Query.path, query(), {
          apiKey: API_KEY,
          headers: { 'X-Request-Id': 'ok-headers-1' },
          ...call,
        });
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe(contentType);
        expect(Number(res.headers['content-length'])).toBe((res.body as Buffer).length);
        expect(res.headers['x-request-id']).toBe('ok-headers-1');
        expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{2}ms$/);
        expect(Number(res.headers['x-ratelimit-limit'])).toBeGreaterThan(0);
        expect(Number(res.headers['x-ratelimit-remaining'])).toBeGreaterThanOrEqual(0);
        expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
        expect(res.headers['idempotent-replayed']).toBeUndefined();
      },
    );

    it('a replayed payment says so, with the same headers and body', async () => {
      await createCustomerWithBills('HDR-REPLAY', ['12.00']);
      const pay = { ...base('Pay'), BillKey: 'HDR-REPLAY', CompanyId: DEMO.companyId, PayAmount: '12.00' };
      const first = await sendPartner(t.http, OPERATIONS.Pay.path, pay, { apiKey: API_KEY, format: 'XML', charset: 'GBK' });
      const again = await sendPartner(t.http, OPERATIONS.Pay.path, pay, { apiKey: API_KEY, format: 'XML', charset: 'GBK' });
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toBe('application/xml; charset=GBK');
      expect(Number(again.headers['content-length'])).toBe((again.body as Buffer).length);
      expect((again.body as Buffer).equals(first.body as Buffer)).toBe(true);
    });
  });
});
