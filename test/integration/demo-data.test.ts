import { DataSource } from 'typeorm';
import { Bill, BillStatus } from '../../src/billing/entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill, TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { BusinessClock } from '../../src/common/business-clock';
import { hashApiKey, SecretBox } from '../../src/common/secret-box';
import { DEMO, DemoDataService } from '../../src/demo/demo-data.service';
import { InstitutionService } from '../../src/reference/institution.service';
import { ReferenceRepository } from '../../src/reference/reference.repository';
import { AgreementStatus, WithholdingAgreement } from '../../src/withholding/entities/withholding-agreement.entity';
import { createTestApp, TestApp } from '../support/test-app';

const DEMO_API_KEY = 'demo-key-for-integration-tests-0001';
const DEMO_ENC_KEY = Buffer.alloc(32, 0x5a).toString('base64');

describe(`demo data (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY, DEMO_ENC_KEY });
    db = t.app.get(DataSource);
    expect(await t.app.get(DemoDataService).loadIfEmpty()).toBe(true);
  });

  afterAll(async () => {
    await t.close();
  });

  it('loads once: a second start on the same database changes nothing', async () => {
    const bills = await db.getRepository(Bill).count();
    expect(await t.app.get(DemoDataService).loadIfEmpty()).toBe(false);
    expect(await db.getRepository(Bill).count()).toBe(bills);
  });

  it('issues the configured demo key and payload secret to institution 00001', async () => {
    const key = await t.app.get(ReferenceRepository).findApiKeyByHash(hashApiKey(DEMO_API_KEY));
    expect(key).toMatchObject({ instId: DEMO.instId, status: 'active' });
    expect(t.app.get(InstitutionService).secretOf(key!).toString('base64')).toBe(DEMO_ENC_KEY);
    const raw = JSON.stringify(await db.query('SELECT * FROM api_key'));
    expect(raw).not.toContain(DEMO_API_KEY);
    expect(raw).not.toContain(DEMO_ENC_KEY);
  });

  it('gives customer 123456 an unpaid bill and a paid one settled by TXN123456789012 for 150.00', async () => {
    expect(await t.app.get(ReferenceRepository).findAssignment(DEMO.instId, DEMO.companyId)).not.toBeNull();
    expect((await t.app.get(ReferenceRepository).findCustomer(DEMO.companyId, DEMO.billKey))?.name).toBe('张三丰');
    const bills = await db.getRepository(Bill).findBy({ companyId: DEMO.companyId, billKey: DEMO.billKey });
    expect(bills.map((b) => b.status).sort()).toEqual([BillStatus.Unpaid, BillStatus.Paid]);
    const today = t.app.get(BusinessClock).today();
    for (const bill of bills.filter((b) => b.status === BillStatus.Unpaid)) expect(bill.dueDate > today).toBe(true);

    const payment = await db.getRepository(LedgerTransaction).findOneByOrFail({ instId: DEMO.instId, tranSeq: DEMO.paymentTranSeq });
    expect(payment).toMatchObject({ tranCode: 'Pay', tranStatus: TranStatus.Success, companyId: DEMO.companyId, billKey: DEMO.billKey });
    expect(payment.amount.toYuan()).toBe('150.00');
    const settled = await db.getRepository(LedgerTransactionBill).findBy({ transactionId: payment.id });
    const paidBill = bills.find((b) => b.status === BillStatus.Paid)!;
    expect(settled.map((s) => s.billNo)).toEqual([paidBill.billNo]);
    expect(settled[0].amount.equals(paidBill.dueTotal())).toBe(true);
  });

  it('signs agreement AGR001 with the account number sealed at rest and masked in clear', async () => {
    const agreement = await db.getRepository(WithholdingAgreement).findOneByOrFail({ agreementNo: DEMO.agreementNo });
    expect(agreement).toMatchObject({ status: AgreementStatus.Signed, accountNoMasked: '6222***********0123', accountNameMasked: '张*丰' });
    expect(JSON.stringify(await db.query('SELECT * FROM withholding_agreement'))).not.toContain(DEMO.accountNo);
    expect(t.app.get(SecretBox).openText(agreement.accountNoEnc, `agreement:${DEMO.agreementNo}:account_no`)).toBe(DEMO.accountNo);
    expect(() => t.app.get(SecretBox).openText(agreement.accountNoEnc, `agreement:${DEMO.agreementNo}:account_name`)).toThrow();
  });
});
