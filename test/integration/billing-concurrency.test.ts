import request from 'supertest';
import { DataSource } from 'typeorm';
import { LedgerTransaction } from '../../src/billing/entities/ledger-transaction.entity';
import { DEMO, DemoDataService } from '../../src/demo/demo-data.service';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { assertLedgerConsistent } from '../support/ledger-invariant';
import { sendPartner, TODAY } from '../support/partner-client';
import { ADMIN_TOKEN, createTestApp, TestApp } from '../support/test-app';

const API_KEY = 'billing-race-api-key-000001';
const N = 50;

type Message = Record<string, unknown>;

describe(`billing exactly once under concurrency (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let db: DataSource;
  let counter = 0;
  const seq = () => `C${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase();

  async function call(tranCode: keyof typeof OPERATIONS, fields: Message, tranSeq = seq()) {
    const res = await sendPartner(
      t.http,
      OPERATIONS[tranCode].path,
      { Version: '1.0.1', InstId: DEMO.instId, TranCode: tranCode, TranDate: TODAY(), TranSeq: tranSeq, ...fields },
      { apiKey: API_KEY },
    );
    return {
      status: res.status,
      body: JSON.parse((res.body as Buffer).toString()) as Message,
      replayed: res.headers['idempotent-replayed'] === 'true',
    };
  }

  async function customerWithBill(billKey: string, amount: string): Promise<void> {
    await request(t.http)
      .post('/admin/v1/bills')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ companyId: DEMO.companyId, billKey, customerName: '赵六', amount, period: '202501', dueDate: '2099-12-31' })
      .expect(201);
  }

  async function paid(billKey: string, amount: string): Promise<string> {
    await customerWithBill(billKey, amount);
    const res = await call('Pay', { BillKey: billKey, CompanyId: DEMO.companyId, PayAmount: amount });
    expect(res.status).toBe(200);
    return (res.body.Data as { Transaction: { TranSeq: string } }).Transaction.TranSeq;
  }

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: Buffer.alloc(32, 4).toString('base64') });
    db = t.app.get(DataSource);
    await t.app.get(DemoDataService).loadIfEmpty();
    await request(t.http)
      .put(`/admin/v1/institutions/${DEMO.instId}/limits`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ Pay: { perKey: 100000, perInst: 100000 }, PayInvalid: { perKey: 100000, perInst: 100000 } })
      .expect(200);
  });

  afterEach(async () => {
    await assertLedgerConsistent(db);
  });

  afterAll(() => t.close());

  it('50 concurrent payments of one customer: exactly one succeeds, the rest DEF0003', async () => {
    await customerWithBill('RACE-PAY', '88.00');
    const results = await Promise.all(
      Array.from({ length: N }, () => call('Pay', { BillKey: 'RACE-PAY', CompanyId: DEMO.companyId, PayAmount: '88.00' })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body.RespCode === 'DEF0003')).toBe(true);
    expect(await db.getRepository(LedgerTransaction).countBy({ billKey: 'RACE-PAY' })).toBe(1);
  });

  it('50 concurrent reversals of one payment with different TranSeq: exactly one negative row', async () => {
    const original = await paid('RACE-REV', '66.00');
    const results = await Promise.all(
      Array.from({ length: N }, () => call('PayInvalid', { OriginalTranSeq: original, BillKey: 'RACE-REV', CompanyId: DEMO.companyId })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body.RespCode === 'DEF0005')).toBe(true);
    expect(await db.getRepository(LedgerTransaction).countBy({ originalTranSeq: original })).toBe(1);
  });

  it('50 concurrent reversals with the same TranSeq: one execution, the rest replay it', async () => {
    const original = await paid('RACE-SAME', '55.00');
    const tranSeq = seq();
    const results = await Promise.all(
      Array.from({ length: N }, () =>
        call('PayInvalid', { OriginalTranSeq: original, BillKey: 'RACE-SAME', CompanyId: DEMO.companyId }, tranSeq),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const transactions = new Set(results.map((r) => JSON.stringify(r.body.Data)));
    expect(transactions.size).toBe(1);
    expect(await db.getRepository(LedgerTransaction).countBy({ originalTranSeq: original })).toBe(1);
  });

  it('a payment racing its own reversal, and a reversal racing a new payment, leave a consistent ledger', async () => {
    for (let round = 0; round < 10; round++) {
      const billKey = `RACE-MIX${round}`;
      const original = await paid(billKey, '12.34');
      // The reversal reopens the bill while a new payment tries to settle it again.
      const [reversal, repayment, second] = await Promise.all([
        call('PayInvalid', { OriginalTranSeq: original, BillKey: billKey, CompanyId: DEMO.companyId }),
        call('Pay', { BillKey: billKey, CompanyId: DEMO.companyId, PayAmount: '12.34' }),
        call('PayInvalid', { OriginalTranSeq: original, BillKey: billKey, CompanyId: DEMO.companyId }),
      ]);
      expect([reversal.status, second.status].filter((s) => s === 200)).toHaveLength(1);
      expect([200, 400]).toContain(repayment.status);
      await assertLedgerConsistent(db);
    }
  });
});
