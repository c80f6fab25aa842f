import { DataSource } from 'typeorm';
import { BillStatus } from '../../src/billing/entities/bill.entity';
import { DEMO } from '../../src/demo/demo-data.service';
import { BatchItemStatus, BatchStatus, DebitBatchItem } from '../../src/withholding/entities/debit-batch.entity';
import { AgreementStatus } from '../../src/withholding/entities/withholding-agreement.entity';
import {
  backDiscFields,
  batchNo,
  cancelDiscFields,
  debited,
  expectConsistent,
  failed,
  field,
  lineOf,
  PartnerAnswer,
  rows,
  sendDiscFields,
  SignedCustomer,
  signedCustomer,
  startWithholdingApp,
  WithholdingHarness,
} from '../factories/withholding';

/** Sends them all at once, in a shuffled order, so either may reach the database first. */
function race<T>(...calls: (() => Promise<T>)[]): Promise<T[]> {
  const order = calls.map((call, index) => ({ call, index, key: Math.random() })).sort((a, b) => a.key - b.key);
  const started = order.map(({ call, index }) => call().then((value) => ({ value, index })));
  return Promise.all(started).then((done) => done.sort((a, b) => a.index - b.index).map(({ value }) => value));
}

const ROUNDS = 20;

/** No money can move for a terminated agreement: no pending or debited item, no held or paid bill, no transaction. */
async function expectNeverDebitedAfterTermination(h: WithholdingHarness, customer: SignedCustomer, db: DataSource): Promise<void> {
  expect((await rows(h).agreement(customer.agreementNo)).status).toBe(AgreementStatus.Terminated);
  const items = await db.getRepository(DebitBatchItem).findBy({ agreementNo: customer.agreementNo });
  for (const item of items) expect([BatchItemStatus.Cancelled]).toContain(item.status);
  expect(await rows(h).billStatuses(customer.billNos)).toEqual(customer.billNos.map(() => BillStatus.Unpaid));
  expect(await rows(h).transactionsOf(customer.companyId, customer.billKey)).toEqual([]);
}

describe('withholding under concurrency', () => {
  let h: WithholdingHarness;
  beforeAll(async () => {
    h = await startWithholdingApp();
  });
  afterAll(() => h.close());
  afterEach(() => expectConsistent(h));

  it(`Termination racing SendDisc: the batch is refused or its item cancelled, never debited (${ROUNDS} rounds of 4)`, async () => {
    const outcomes = { refused: 0, cancelled: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      const customers = await Promise.all(Array.from({ length: 4 }, () => signedCustomer(h, ['33.00', '4.10'])));
      const no = batchNo();
      const [send, ...terminations] = await race<PartnerAnswer>(
        () =>
          h.call(
            'SendDisc',
            sendDiscFields(
              no,
              customers.map((customer) => lineOf(customer)),
            ),
          ),
        ...customers.map(
          (customer) => () =>
            h.call('Termination', { BillKey: customer.billKey, CompanyId: customer.companyId, AgreementNo: customer.agreementNo }),
        ),
      );
      expect(terminations.map((answer) => answer.code)).toEqual(['AAAAAAA', 'AAAAAAA', 'AAAAAAA', 'AAAAAAA']);
      expect(['AAAAAAA', 'DEF0007']).toContain(send.code);
      if (send.code === 'AAAAAAA') {
        outcomes.cancelled += 1;
        expect(await rows(h).batch(DEMO.instId, no)).toMatchObject({ status: BatchStatus.Cancelled, cancelCount: 4 });
        // The bank's results come back "debited": refused, nothing written off.
        const back = await h.call(
          'BackDisc',
          backDiscFields(
            no,
            customers.map((customer) => debited(lineOf(customer))),
          ),
        );
        expect(back.code).toBe('DEF0013');
      } else {
        outcomes.refused += 1;
        expect(await rows(h).batchesNumbered(no)).toEqual([]);
      }
      for (const customer of customers) await expectNeverDebitedAfterTermination(h, customer, h.db);
      await expectConsistent(h);
    }
    expect(outcomes.refused + outcomes.cancelled).toBe(ROUNDS);
  });

  it(`Termination racing the BackDisc of its batch: cancelled and refused, or debited before it (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const [leaving, staying] = await Promise.all([signedCustomer(h, ['21.00']), signedCustomer(h, ['13.00'])]);
      const no = batchNo();
      expect((await h.call('SendDisc', sendDiscFields(no, [lineOf(leaving), lineOf(staying)]))).code).toBe('AAAAAAA');
      const [termination, back] = await race<PartnerAnswer>(
        () => h.call('Termination', { BillKey: leaving.billKey, CompanyId: leaving.companyId, AgreementNo: leaving.agreementNo }),
        () => h.call('BackDisc', backDiscFields(no, [debited(lineOf(leaving)), debited(lineOf(staying))])),
      );
      expect(termination.code).toBe('AAAAAAA');
      const [item] = await rows(h).items(DEMO.instId, no);
      if (back.code === 'AAAAAAA') {
        // The results were applied first: the debit happened while the agreement was signed, and stays.
        expect(item.status).toBe(BatchItemStatus.Debited);
        expect(await rows(h).transactionsOf(leaving.companyId, leaving.billKey)).toHaveLength(1);
      } else {
        expect(back.code).toBe('DEF0010');
        expect(item.status).toBe(BatchItemStatus.Cancelled);
        await expectNeverDebitedAfterTermination(h, leaving, h.db);
      }
    }
  });

  it(`50 concurrent BackDiscs of one batch apply it once (${5} rounds)`, async () => {
    for (let round = 0; round < 5; round += 1) {
      const customers = await Promise.all(Array.from({ length: 3 }, () => signedCustomer(h, ['18.00', '0.50'])));
      const no = batchNo();
      await h.call(
        'SendDisc',
        sendDiscFields(
          no,
          customers.map((customer) => lineOf(customer)),
        ),
      );
      // Half report everything debited, half the first customer failed: whichever is applied, it is applied alone.
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          h.call(
            'BackDisc',
            backDiscFields(
              no,
              customers.map((customer, line) => (line === 0 && index % 2 === 1 ? failed(lineOf(customer)) : debited(lineOf(customer)))),
            ),
          ),
        ),
      );
      const winners = answers.filter((answer) => answer.code === 'AAAAAAA');
      expect(winners).toHaveLength(1);
      expect(answers.filter((answer) => answer.code === 'DEF0013')).toHaveLength(49);
      const firstFailed = field(winners[0].data, 'Batch', 'SuccessCount') === '2';
      expect(await rows(h).transactionsOf(customers[0].companyId, customers[0].billKey)).toHaveLength(firstFailed ? 0 : 1);
      for (const customer of customers.slice(1)) expect(await rows(h).transactionsOf(customer.companyId, customer.billKey)).toHaveLength(1);
      expect((await rows(h).withholds()).filter((tx) => tx.batchNo === no)).toHaveLength(firstFailed ? 2 : 3);
      await expectConsistent(h);
    }
  });

  it('50 concurrent copies of one BackDisc (same TranSeq): one executes, the others replay it', async () => {
    const customers = await Promise.all(Array.from({ length: 2 }, () => signedCustomer(h, ['9.99'])));
    const no = batchNo();
    await h.call(
      'SendDisc',
      sendDiscFields(
        no,
        customers.map((customer) => lineOf(customer)),
      ),
    );
    const fields = {
      ...backDiscFields(
        no,
        customers.map((customer) => debited(lineOf(customer))),
      ),
      TranSeq: `BDDUP${no}`,
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => h.call('BackDisc', fields)));
    expect(answers.every((answer) => answer.code === 'AAAAAAA')).toBe(true);
    expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect((await rows(h).withholds()).filter((tx) => tx.batchNo === no)).toHaveLength(2);
  });

  it(`CancelDisc racing BackDisc: cancelled or debited, never both (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const [a, b] = await Promise.all([signedCustomer(h, ['5.00']), signedCustomer(h, ['6.00'])]);
      const no = batchNo();
      await h.call('SendDisc', sendDiscFields(no, [lineOf(a), lineOf(b)]));
      const [cancel, back] = await race<PartnerAnswer>(
        () => h.call('CancelDisc', cancelDiscFields(no, lineOf(a))),
        () => h.call('BackDisc', backDiscFields(no, [debited(lineOf(a)), debited(lineOf(b))])),
      );
      const [item] = await rows(h).items(DEMO.instId, no);
      if (cancel.code === 'AAAAAAA') {
        expect(back.code).toBe('DEF0010');
        expect(item.status).toBe(BatchItemStatus.Cancelled);
        expect(await rows(h).billStatuses(a.billNos)).toEqual([BillStatus.Unpaid]);
        expect(await rows(h).transactionsOf(a.companyId, a.billKey)).toEqual([]);
      } else {
        expect([cancel.code, back.code]).toEqual(['DEF0014', 'AAAAAAA']);
        expect(item.status).toBe(BatchItemStatus.Debited);
        expect(await rows(h).billStatuses(a.billNos)).toEqual([BillStatus.Paid]);
      }
    }
  });

  it(`two batches racing for one customer: one holds the bills, the other is refused (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const customer = await signedCustomer(h, ['7.70']);
      const [first, second] = await race<PartnerAnswer>(
        () => h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(customer)])),
        () => h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(customer)])),
      );
      expect([first.code, second.code].sort()).toEqual(['AAAAAAA', 'DEF0012']);
      expect(await h.db.getRepository(DebitBatchItem).countBy({ agreementNo: customer.agreementNo })).toBe(1);
    }
  });

  it(`a counter payment racing a debit batch for the same bills: exactly one takes them (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const customer = await signedCustomer(h, ['15.00', '2.00']);
      const no = batchNo();
      const [send, pay] = await race<PartnerAnswer>(
        () => h.call('SendDisc', sendDiscFields(no, [lineOf(customer)])),
        () => h.call('Pay', { BillKey: customer.billKey, CompanyId: customer.companyId, PayAmount: customer.total }),
      );
      const winners = [send, pay].filter((answer) => answer.code === 'AAAAAAA');
      expect(winners).toHaveLength(1);
      if (send.code === 'AAAAAAA') {
        // DEF0012 when Pay reads the bills held; DEF0003 when it read them unpaid and found nothing left to settle.
        expect(['DEF0012', 'DEF0003']).toContain(pay.code);
        expect(await rows(h).billStatuses(customer.billNos)).toEqual([BillStatus.Held, BillStatus.Held]);
      } else {
        expect(['DEF0002', 'DEF0012']).toContain(send.code);
        expect(await rows(h).batchesNumbered(no)).toEqual([]);
        expect(await rows(h).billStatuses(customer.billNos)).toEqual([BillStatus.Paid, BillStatus.Paid]);
      }
      await expectConsistent(h);
    }
  });

  it('concurrent SendDiscs of one BatchNo: one is taken, the others are DEF0009', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, () => signedCustomer(h, ['1.00'])));
    const no = batchNo();
    const answers = await Promise.all(customers.map((customer) => h.call('SendDisc', sendDiscFields(no, [lineOf(customer)]))));
    expect(answers.map((answer) => answer.code).sort()).toEqual(['AAAAAAA', ...Array<string>(9).fill('DEF0009')]);
    expect(await rows(h).batchesNumbered(no)).toHaveLength(1);
  });

  it('concurrent Terminations of one agreement: one succeeds, the others are DEF0007', async () => {
    const customer = await signedCustomer(h, ['1.00']);
    const no = batchNo();
    await h.call('SendDisc', sendDiscFields(no, [lineOf(customer)]));
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.call('Termination', { BillKey: customer.billKey, CompanyId: customer.companyId, AgreementNo: customer.agreementNo }),
      ),
    );
    expect(answers.map((answer) => answer.code).sort()).toEqual(['AAAAAAA', ...Array<string>(19).fill('DEF0007')]);
    expect(await rows(h).batch(DEMO.instId, no)).toMatchObject({ status: BatchStatus.Cancelled, cancelCount: 1 });
    await expectNeverDebitedAfterTermination(h, customer, h.db);
  });
});
