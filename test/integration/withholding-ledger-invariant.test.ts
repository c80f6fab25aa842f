import { Bill, BillStatus } from '../../src/billing/entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill, TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { Fen } from '../../src/common/fen';
import { DEMO } from '../../src/demo/demo-data.service';
import { insertTransaction, ledgerTransaction } from '../factories/ledger-records';
import { startWithholdingApp, WithholdingHarness } from '../factories/withholding';
import { assertLedgerConsistent, assertWithholdingConsistent, findHoldViolations, findLedgerViolations } from '../support/ledger-invariant';

/** The shared ledger check must catch what it promises to, or every suite relying on it proves nothing. */
describe('the ledger invariant check', () => {
  let h: WithholdingHarness;
  let paidBill: Bill;
  let payment: LedgerTransaction;

  beforeAll(async () => {
    h = await startWithholdingApp();
    payment = await h.db.getRepository(LedgerTransaction).findOneByOrFail({ tranSeq: DEMO.paymentTranSeq });
    paidBill = await h.db.getRepository(Bill).findOneByOrFail({ billKey: DEMO.billKey, status: BillStatus.Paid });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    // Each case undoes its damage: the demo data is consistent again.
    await assertWithholdingConsistent(h.db);
  });

  it('holds on the demo data', async () => {
    expect(await findLedgerViolations(h.db)).toEqual([]);
    expect(await findHoldViolations(h.db)).toEqual([]);
  });

  it('catches a Paid bill no live transaction settled', async () => {
    const [unpaid] = await h.db.getRepository(Bill).findBy({ billKey: DEMO.secondBillKey, status: BillStatus.Unpaid });
    await h.db.getRepository(Bill).update({ billNo: unpaid.billNo }, { status: BillStatus.Paid });
    try {
      await expect(assertLedgerConsistent(h.db)).rejects.toThrow(`bill ${unpaid.billNo}: Paid but settled by no live transaction`);
    } finally {
      await h.db.getRepository(Bill).update({ billNo: unpaid.billNo }, { status: BillStatus.Unpaid });
    }
  });

  it('catches a bill settled twice (a double debit)', async () => {
    const twice = await insertTransaction(
      h.t,
      ledgerTransaction({ tranCode: 'Withhold', billKey: DEMO.billKey, amount: paidBill.dueTotal() }),
      [paidBill.billNo],
    );
    try {
      expect(await findLedgerViolations(h.db)).toEqual([
        expect.stringContaining(`bill ${paidBill.billNo}: settled by 2 live transactions (${DEMO.paymentTranSeq}, ${twice.tranSeq})`),
      ]);
    } finally {
      await h.db.getRepository(LedgerTransactionBill).delete({ transactionId: twice.id });
      await h.db.getRepository(LedgerTransaction).delete({ id: twice.id });
    }
  });

  it('catches amounts that do not match the bills, and a reversal flag without its reversal', async () => {
    await h.db.getRepository(LedgerTransaction).update({ id: payment.id }, { amount: Fen.of(14999), tranStatus: TranStatus.Reversed });
    await h.db.getRepository(LedgerTransactionBill).update({ transactionId: payment.id }, { amount: Fen.of(14999) });
    try {
      const violations = await findLedgerViolations(h.db);
      expect(violations).toContainEqual(expect.stringContaining(`Pay ${DEMO.paymentTranSeq}: TranStatus 2 but no PayInvalid names it`));
      expect(violations).toContainEqual(expect.stringContaining(`bill ${paidBill.billNo}: Paid but settled by no live transaction`));
      await h.db.getRepository(LedgerTransaction).update({ id: payment.id }, { tranStatus: TranStatus.Success });
      expect(await findLedgerViolations(h.db)).toEqual([
        expect.stringContaining(`Pay ${DEMO.paymentTranSeq}: records 14999 for bill ${paidBill.billNo}, whose due total is 15000`),
      ]);
    } finally {
      await h.db.getRepository(LedgerTransaction).update({ id: payment.id }, { amount: Fen.of(15000), tranStatus: TranStatus.Success });
      await h.db.getRepository(LedgerTransactionBill).update({ transactionId: payment.id }, { amount: Fen.of(15000) });
    }
  });

  it('catches a held bill no pending item of an open batch holds', async () => {
    const [unpaid] = await h.db.getRepository(Bill).findBy({ billKey: DEMO.secondBillKey, status: BillStatus.Unpaid });
    await h.db.getRepository(Bill).update({ billNo: unpaid.billNo }, { status: BillStatus.Held });
    try {
      expect(await findHoldViolations(h.db)).toEqual([`bill ${unpaid.billNo} is held (status 2) by no pending item of an open batch`]);
    } finally {
      await h.db.getRepository(Bill).update({ billNo: unpaid.billNo }, { status: BillStatus.Unpaid });
    }
  });
});
