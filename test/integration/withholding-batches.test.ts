import { BillStatus } from '../../src/billing/entities/bill.entity';
import { LedgerTransactionBill, TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { Fen } from '../../src/common/fen';
import { DEMO } from '../../src/demo/demo-data.service';
import { BatchItemStatus, BatchStatus } from '../../src/withholding/entities/debit-batch.entity';
import { AgreementStatus } from '../../src/withholding/entities/withholding-agreement.entity';
import { institutionWithCompany } from '../factories/admin-api';
import { debitBatch, debitBatchItem, insertBatch } from '../factories/ledger-records';
import {
  backDiscFields,
  batchNo,
  callPartner,
  cancelDiscFields,
  customerWithBills,
  debited,
  DebitLine,
  expectConsistent,
  failed,
  field,
  lineOf,
  raiseLimits,
  rows,
  sendDiscFields,
  SignedCustomer,
  signedCustomer,
  signingFields,
  startWithholdingApp,
  WithholdingHarness,
} from '../factories/withholding';
import { businessDate, TODAY } from '../support/partner-client';

const today = () => `${TODAY().slice(0, 4)}-${TODAY().slice(4, 6)}-${TODAY().slice(6, 8)}`;
const DEMO_COMPANY_NAME = '示范自来水公司第一营业所';

describe('debit batches: SendDisc, BackDisc, CancelDisc, DiscQuery', () => {
  let h: WithholdingHarness;
  let other: { instId: string; companyId: string; apiKey: string };

  beforeAll(async () => {
    h = await startWithholdingApp();
    other = await institutionWithCompany(h.api);
    await raiseLimits(h.api, other.instId);
    await h.api
      .post(`/admin/v1/institutions/${other.instId}/companies`)
      .send({ companyId: DEMO.companyId, name: DEMO_COMPANY_NAME })
      .expect(201);
  });
  afterAll(() => h.close());
  afterEach(() => expectConsistent(h));

  /** Sends a batch of these lines under a fresh BatchNo and expects it accepted. */
  async function sent(lines: DebitLine[]): Promise<string> {
    const no = batchNo();
    const res = await h.call('SendDisc', sendDiscFields(no, lines));
    if (res.code !== 'AAAAAAA') throw new Error(`SendDisc refused: ${res.text}`);
    return no;
  }

  const customers = (count: number, amounts: string[] = ['35.00', '12.30']) =>
    Promise.all(Array.from({ length: count }, () => signedCustomer(h, amounts)));

  describe('SendDisc', () => {
    it.each(['JSON', 'XML'] as const)('takes a batch in %s: status 1 at the bank, the bills held', async (format) => {
      const [a, b] = await customers(2);
      const withFee = await signedCustomer(h, ['10.00', '20.00']);
      const fee = await customerWithBills(h.api, ['3.00'], { lateFees: ['0.45'] });
      const feeSigned = await h.call('Signing', signingFields(fee));
      const feeLine = { ...fee, agreementNo: field(feeSigned.data, 'Agreement', 'AgreementNo') as string };
      const no = batchNo();
      const res = await h.call('SendDisc', sendDiscFields(no, [lineOf(a), lineOf(b), lineOf(withFee), lineOf(feeLine, '3.45')]), {
        format,
      });
      expect(res.status).toBe(200);
      expect(res.message).toMatchObject({ TranCode: 'SendDiscRes', RespCode: 'AAAAAAA', RespMessage: '成功' });
      expect(field(res.data, 'Batch')).toEqual({
        BatchNo: no,
        BatchStatus: '1',
        TotalCount: '4',
        TotalAmount: '128.05',
        SuccessCount: '0',
        SuccessAmount: '0.00',
        FailCount: '0',
        CancelCount: '0',
      });
      for (const customer of [a, b, withFee, fee])
        expect(await rows(h).billStatuses(customer.billNos)).toEqual(customer.billNos.map(() => BillStatus.Held));
      expect(await rows(h).batch(DEMO.instId, no)).toMatchObject({
        origin: 'partner',
        status: BatchStatus.Processing,
        businessDate: today(),
      });
      const items = await rows(h).items(DEMO.instId, no);
      expect(items.map((item) => [item.lineNo, item.billKey, item.amount.toYuan(), item.status, item.billNos])).toEqual([
        [1, a.billKey, '47.30', BatchItemStatus.Pending, a.billNos],
        [2, b.billKey, '47.30', BatchItemStatus.Pending, b.billNos],
        [3, withFee.billKey, '30.00', BatchItemStatus.Pending, withFee.billNos],
        [4, fee.billKey, '3.45', BatchItemStatus.Pending, fee.billNos],
      ]);
    });

    it('refuses a BatchNo this institution used (DEF0009); another institution may use it; a refused batch reserves nothing', async () => {
      const [a, b] = await customers(2);
      const no = batchNo();
      const refused = await h.call('SendDisc', sendDiscFields(no, [lineOf(a)], { TotalCount: 2 }));
      expect(refused.code).toBe('DEF0010');
      expect(await rows(h).batchesNumbered(no)).toEqual([]);
      expect((await h.call('SendDisc', sendDiscFields(no, [lineOf(a)]))).code).toBe('AAAAAAA');
      const again = await h.call('SendDisc', sendDiscFields(no, [lineOf(b)]));
      expect([again.status, again.code]).toEqual([400, 'DEF0009']);
      expect(again.errorMsg).toBe(`批次号${no}已使用`);
      expect(await rows(h).billStatuses(b.billNos)).toEqual([0, 0]);

      const foreign = await signedCustomer(h, ['8.00'], { apiKey: other.apiKey, instId: other.instId });
      const elsewhere = await callPartner(h.t, 'SendDisc', sendDiscFields(no, [lineOf(foreign)]), {
        apiKey: other.apiKey,
        instId: other.instId,
      });
      expect(elsewhere.code).toBe('AAAAAAA');
      expect(await rows(h).batchesNumbered(no)).toHaveLength(2);
    });

    it('refuses totals that are not the list (DEF0010), before looking at any item', async () => {
      const [a, b] = await customers(2);
      const lines = [lineOf(a), { ...lineOf(b), agreementNo: 'AGNOSUCH' }];
      const count = await h.call('SendDisc', sendDiscFields(batchNo(), lines, { TotalCount: 3 }));
      expect(count.code).toBe('DEF0010');
      expect(count.errorMsg).toBe('总笔数3与明细2笔不符');
      const amount = await h.call('SendDisc', sendDiscFields(batchNo(), lines, { TotalAmount: '94.59' }));
      expect(amount.code).toBe('DEF0010');
      expect(amount.errorMsg).toBe('总金额94.59与明细合计94.60不符');
      // A used BatchNo answers before the totals.
      const used = await sent([lineOf(a)]);
      expect((await h.call('SendDisc', sendDiscFields(used, lines, { TotalCount: 3 }))).code).toBe('DEF0009');
    });

    it('refuses an item of a company not assigned to the institution as not found (DEF0001)', async () => {
      const [a] = await customers(1);
      const foreign = await customerWithBills(h.api, ['5.00'], { companyId: other.companyId });
      const res = await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(a), { ...foreign, agreementNo: 'AGR001', amount: '5.00' }]));
      expect(res.code).toBe('DEF0001');
      expect(res.errorMsg).toBe(`第2笔: 客户编号${foreign.billKey}不存在`);
      expect(await rows(h).billStatuses(a.billNos)).toEqual([0, 0]);
    });

    it('refuses an item without a signed agreement of that customer with this institution (DEF0007)', async () => {
      const [a, b] = await customers(2);
      const gone = await signedCustomer(h, ['9.00']);
      await h.call('Termination', { BillKey: gone.billKey, CompanyId: gone.companyId, AgreementNo: gone.agreementNo });
      const foreign = await signedCustomer(h, ['8.00'], { apiKey: other.apiKey, instId: other.instId });
      const cases: DebitLine[] = [
        { ...lineOf(b), agreementNo: 'AGNOSUCH' },
        lineOf(gone),
        { ...lineOf(b), agreementNo: a.agreementNo },
        lineOf(foreign),
      ];
      for (const bad of cases) {
        const res = await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(a), bad]));
        expect(res.code).toBe('DEF0007');
        expect(res.errorMsg).toBe(`第2笔: 客户${bad.billKey}无已签约的协议${bad.agreementNo}`);
      }
      expect(await rows(h).billStatuses([...a.billNos, ...b.billNos, ...gone.billNos])).toEqual([0, 0, 0, 0, 0]);
    });

    it("refuses an item whose customer's bills are held by an open batch, or a customer twice (DEF0012)", async () => {
      const [a, b] = await customers(2);
      await sent([lineOf(a)]);
      const held = await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(b), lineOf(a)]));
      expect(held.code).toBe('DEF0012');
      expect(held.errorMsg).toBe(`第2笔: 客户${a.billKey}的账单已在代扣处理中`);
      const twice = await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(b), lineOf(b)]));
      expect(twice.code).toBe('DEF0012');
      expect(await rows(h).billStatuses(b.billNos)).toEqual([0, 0]);
    });

    it('refuses an amount other than the unpaid total (DEF0002), and a customer with nothing unpaid', async () => {
      const [a, b] = await customers(2);
      for (const amount of ['47.29', '47.31', '35.00']) {
        const res = await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(b), lineOf(a, amount)]));
        expect(res.code).toBe('DEF0002');
        expect(res.errorMsg).toBe(`第2笔: 客户${a.billKey}应缴47.30, 扣款金额${amount}不符`);
      }
      const no = await sent([lineOf(a)]);
      await h.call('BackDisc', backDiscFields(no, [debited(lineOf(a))]));
      const nothing = await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(a)]));
      expect(nothing.code).toBe('DEF0002');
      expect(nothing.errorMsg).toBe(`第1笔: 客户${a.billKey}应缴0.00, 扣款金额47.30不符`);
    });

    it("refuses an amount over the agreement's MaxAmount (DEF0011); exactly the maximum is fine", async () => {
      const capped = await signedCustomer(h, ['60.00'], { maxAmount: '59.99' });
      const exact = await signedCustomer(h, ['60.00'], { maxAmount: '60.00' });
      const res = await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(exact), lineOf(capped)]));
      expect(res.code).toBe('DEF0011');
      expect(res.errorMsg).toBe('第2笔: 扣款金额60.00超出协议限额59.99');
      expect(await rows(h).billStatuses([...exact.billNos, ...capped.billNos])).toEqual([0, 0]);
      await sent([lineOf(exact)]);
    });

    it('answers the first failing item, each item checked in the order of the rules', async () => {
      const [a, b] = await customers(2);
      const capped = await signedCustomer(h, ['60.00'], { maxAmount: '10.00' });
      // Item 1 has the wrong amount, item 2 no agreement: item 1 answers.
      expect((await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(a, '1.00'), { ...lineOf(b), agreementNo: 'X' }]))).code).toBe(
        'DEF0002',
      );
      // Within an item: the agreement (DEF0007) before the amount (DEF0002) before the limit (DEF0011).
      expect((await h.call('SendDisc', sendDiscFields(batchNo(), [{ ...lineOf(a, '1.00'), agreementNo: 'X' }]))).code).toBe('DEF0007');
      expect((await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(capped, '1.00')]))).code).toBe('DEF0002');
      expect((await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(capped)]))).code).toBe('DEF0011');
    });

    it.each([
      ['TotalCount 0', { TotalCount: 0 }, 'PRM3003', 'TotalCount'],
      ['TotalCount 1001', { TotalCount: 1001 }, 'PRM3003', 'TotalCount'],
      ['a BatchNo of 51 characters', { BatchNo: 'B'.repeat(51) }, 'PRM3003', 'BatchNo'],
      ['no list', { WithholdingList: undefined }, 'PRM3002', 'WithholdingList'],
      ['a negative TotalAmount', { TotalAmount: '-1.00' }, 'PRM3003', 'TotalAmount'],
    ])('refuses %s', async (_name, overrides, code, named) => {
      const [a] = await customers(1);
      const res = await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(a)], overrides));
      expect(res.code).toBe(code);
      expect(res.errorMsg).toContain(named);
    });

    it('names the bad field of an item', async () => {
      const [a] = await customers(1);
      const fields = sendDiscFields(batchNo(), [lineOf(a), lineOf(a)]);
      (fields.WithholdingList as Record<string, unknown>[])[1] = { BillKey: a.billKey, CompanyId: a.companyId, AgreementNo: a.agreementNo };
      const missing = await h.call('SendDisc', fields);
      expect(missing.code).toBe('PRM3002');
      expect(missing.errorMsg).toContain('WithholdingList[2].PayAmount');
      (fields.WithholdingList as Record<string, unknown>[])[1] = {
        BillKey: 'K'.repeat(36),
        CompanyId: a.companyId,
        AgreementNo: a.agreementNo,
        PayAmount: '1.00',
      };
      const long = await h.call('SendDisc', fields);
      expect(long.code).toBe('PRM3003');
      expect(long.errorMsg).toContain('WithholdingList[2].BillKey');
    });

    it('replays a repeated SendDisc without a second batch', async () => {
      const [a] = await customers(1);
      const no = batchNo();
      const fields = { ...sendDiscFields(no, [lineOf(a)]), TranSeq: `SD${a.billKey}` };
      const first = await h.call('SendDisc', fields);
      const again = await h.call('SendDisc', fields, { format: 'XML' });
      expect(first.code).toBe('AAAAAAA');
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.message).toEqual(first.message);
      expect(await rows(h).batchesNumbered(no)).toHaveLength(1);
    });
  });

  describe('BackDisc', () => {
    it.each(['JSON', 'XML'] as const)('writes debited items off with one Withhold transaction each, in %s', async (format) => {
      const [a, b] = await customers(2);
      const no = await sent([lineOf(a), lineOf(b)]);
      const res = await h.call('BackDisc', backDiscFields(no, [debited(lineOf(a)), debited(lineOf(b))]), { format });
      expect(res.message).toMatchObject({ TranCode: 'BackDiscRes', RespCode: 'AAAAAAA' });
      expect(field(res.data, 'Batch')).toEqual({
        BatchNo: no,
        BatchStatus: '2',
        TotalCount: '2',
        TotalAmount: '94.60',
        SuccessCount: '2',
        SuccessAmount: '94.60',
        FailCount: '0',
        CancelCount: '0',
      });
      expect(await rows(h).billStatuses([...a.billNos, ...b.billNos])).toEqual([1, 1, 1, 1]);
      const items = await rows(h).items(DEMO.instId, no);
      for (const [index, customer] of [a, b].entries()) {
        const [tx] = await rows(h).transactionsOf(customer.companyId, customer.billKey);
        expect(tx).toMatchObject({
          instId: DEMO.instId,
          tranCode: 'Withhold',
          amount: Fen.of(4730),
          tranStatus: TranStatus.Success,
          batchNo: no,
          businessDate: today(),
          subChannel: 0,
          originalTranSeq: null,
          respCode: 'AAAAAAA',
        });
        expect(tx.tranSeq).toMatch(/^WH\d+L\d+[0-9A-F]{6}$/);
        expect(tx.tranSeq.length).toBeLessThanOrEqual(40);
        expect(tx.payDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(items[index]).toMatchObject({
          status: BatchItemStatus.Debited,
          tranSeq: tx.tranSeq,
          resultCode: '0000',
          bankTranSeq: `BK${no}${index + 1}`,
        });
        const lines = await h.db.getRepository(LedgerTransactionBill).find({ where: { transactionId: tx.id }, order: { billNo: 'ASC' } });
        expect(lines.map((line) => [line.billNo, line.amount.toYuan()]).sort()).toEqual(
          [
            [customer.billNos[0], '35.00'],
            [customer.billNos[1], '12.30'],
          ].sort(),
        );
      }
      // An ordinary ledger row: the admin listing shows it with its bills, as it would a payment.
      const listed = await h.api.get(`/admin/v1/transactions?billKey=${a.billKey}`).expect(200);
      expect(listed.body.items).toEqual([
        expect.objectContaining({ tranCode: 'Withhold', amount: '47.30', tranStatus: 1, billNos: [...a.billNos].sort() }),
      ]);
    });

    it('leaves a Withhold transaction reversible by PayInvalid like any payment; the bills can then be debited again', async () => {
      const [a] = await customers(1);
      const no = await sent([lineOf(a)]);
      await h.call('BackDisc', backDiscFields(no, [debited(lineOf(a))]));
      const [tx] = await rows(h).transactionsOf(a.companyId, a.billKey);
      const reversal = await h.call('PayInvalid', {
        OriginalTranSeq: tx.tranSeq,
        BillKey: a.billKey,
        CompanyId: a.companyId,
        PayAmount: '47.30',
      });
      expect(reversal.message).toMatchObject({ RespCode: 'AAAAAAA', RespMessage: '红冲成功' });
      expect(field(reversal.data, 'Transaction')).toMatchObject({
        TranSeq: `REV${reversal.message.TranSeq as string}`,
        PayAmount: '-47.30',
      });
      expect(await rows(h).billStatuses(a.billNos)).toEqual([BillStatus.Unpaid, BillStatus.Unpaid]);
      const [original, negative] = await rows(h).transactionsOf(a.companyId, a.billKey);
      expect(original).toMatchObject({ tranCode: 'Withhold', tranStatus: TranStatus.Reversed });
      expect(negative).toMatchObject({ tranCode: 'PayInvalid', originalTranSeq: tx.tranSeq, amount: Fen.of(-4730) });
      await expectConsistent(h);
      await sent([lineOf(a)]);
    });

    it('releases the bills of failed items; status 2 when some succeeded, 3 when every item failed', async () => {
      const [a, b, c] = await customers(3);
      const mixed = await sent([lineOf(a), lineOf(b)]);
      const res = await h.call('BackDisc', backDiscFields(mixed, [debited(lineOf(a)), failed(lineOf(b))]));
      expect(field(res.data, 'Batch')).toMatchObject({ BatchStatus: '2', SuccessCount: '1', SuccessAmount: '47.30', FailCount: '1' });
      expect(await rows(h).billStatuses(b.billNos)).toEqual([0, 0]);
      expect(await rows(h).transactionsOf(b.companyId, b.billKey)).toEqual([]);
      expect((await rows(h).items(DEMO.instId, mixed))[1]).toMatchObject({
        status: BatchItemStatus.Failed,
        resultCode: '3001',
        tranSeq: null,
      });

      const none = await sent([lineOf(b), lineOf(c)]);
      const allFailed = await h.call('BackDisc', backDiscFields(none, [failed(lineOf(b)), failed(lineOf(c), 'E99')]));
      expect(field(allFailed.data, 'Batch')).toMatchObject({ BatchStatus: '3', SuccessCount: '0', SuccessAmount: '0.00', FailCount: '2' });
      expect(await rows(h).billStatuses([...b.billNos, ...c.billNos])).toEqual([0, 0, 0, 0]);
      // Released bills can go out again.
      await sent([lineOf(b), lineOf(c)]);
    });

    it('answers DEF0001 for a batch not of this institution', async () => {
      const foreign = await signedCustomer(h, ['8.00'], { apiKey: other.apiKey, instId: other.instId });
      const no = batchNo();
      await callPartner(h.t, 'SendDisc', sendDiscFields(no, [lineOf(foreign)]), { apiKey: other.apiKey, instId: other.instId });
      for (const batch of [no, 'NOSUCHBATCH']) {
        const res = await h.call('BackDisc', backDiscFields(batch, [debited(lineOf(foreign))]));
        expect(res.code).toBe('DEF0001');
        expect(res.errorMsg).toBe(`批次${batch}不存在`);
      }
      expect(await rows(h).billStatuses(foreign.billNos)).toEqual([2]);
    });

    it('applies results once: a second BackDisc is DEF0013; a repeated one replays', async () => {
      const [a] = await customers(1);
      const no = await sent([lineOf(a)]);
      const fields = { ...backDiscFields(no, [debited(lineOf(a))]), TranSeq: `BD${a.billKey}` };
      const first = await h.call('BackDisc', fields);
      expect(first.code).toBe('AAAAAAA');
      const replay = await h.call('BackDisc', fields);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.message).toEqual(first.message);
      const again = await h.call('BackDisc', backDiscFields(no, [debited(lineOf(a))]));
      expect([again.status, again.code]).toEqual([400, 'DEF0013']);
      expect(again.errorMsg).toBe(`批次${no}处理成功, 不能回盘`);
      expect(await rows(h).transactionsOf(a.companyId, a.billKey)).toHaveLength(1);
    });

    describe('refuses results that do not match the batch (DEF0010), applying nothing', () => {
      let a: SignedCustomer;
      let b: SignedCustomer;
      let stranger: SignedCustomer;
      let no: string;
      beforeAll(async () => {
        [a, b, stranger] = await customers(3);
        no = await sent([lineOf(a), lineOf(b)]);
      });
      afterEach(async () => {
        expect(await rows(h).batch(DEMO.instId, no)).toMatchObject({ status: BatchStatus.Processing, successCount: 0, failCount: 0 });
        expect(await rows(h).billStatuses([...a.billNos, ...b.billNos])).toEqual([2, 2, 2, 2]);
        expect(await rows(h).transactionsOf(a.companyId, a.billKey)).toEqual([]);
      });

      it.each([
        ['counts that do not add up', () => backDiscFields(no, [debited(lineOf(a)), failed(lineOf(b))], { FailCount: 0 })],
        [
          'a TotalCount other than the results',
          () => backDiscFields(no, [debited(lineOf(a)), failed(lineOf(b))], { TotalCount: 3, FailCount: 2 }),
        ],
        [
          'a SuccessCount other than the 0000 results',
          () => backDiscFields(no, [debited(lineOf(a)), failed(lineOf(b))], { SuccessCount: 0, FailCount: 2 }),
        ],
        ['a missing item', () => backDiscFields(no, [debited(lineOf(a))])],
        ['an item not in the batch', () => backDiscFields(no, [debited(lineOf(a)), debited(lineOf(b)), debited(lineOf(stranger))])],
        ['an item twice', () => backDiscFields(no, [debited(lineOf(a)), failed(lineOf(a)), debited(lineOf(b))])],
        ['another amount', () => backDiscFields(no, [debited(lineOf(a, '47.31')), debited(lineOf(b))])],
        ['another agreement', () => backDiscFields(no, [debited({ ...lineOf(a), agreementNo: b.agreementNo }), debited(lineOf(b))])],
      ])('%s', async (_name, fields) => {
        const res = await h.call('BackDisc', fields());
        expect([res.status, res.code]).toEqual([400, 'DEF0010']);
      });
    });

    it('refuses a cancelled item reported as debited (DEF0010) and ignores one reported as failed', async () => {
      const [a, b] = await customers(2);
      const no = await sent([lineOf(a), lineOf(b)]);
      expect((await h.call('CancelDisc', cancelDiscFields(no, lineOf(a)))).code).toBe('AAAAAAA');
      const res = await h.call('BackDisc', backDiscFields(no, [debited(lineOf(a)), debited(lineOf(b))]));
      expect(res.code).toBe('DEF0010');
      expect(res.errorMsg).toBe(`第1笔: 客户${a.billKey}的代扣已取消, 不能扣款成功`);
      expect(await rows(h).billStatuses(b.billNos)).toEqual([2, 2]);

      const ok = await h.call('BackDisc', backDiscFields(no, [failed(lineOf(a)), debited(lineOf(b))]));
      expect(field(ok.data, 'Batch')).toMatchObject({ BatchStatus: '2', SuccessCount: '1', FailCount: '0', CancelCount: '1' });
      expect((await rows(h).items(DEMO.instId, no)).map((item) => item.status)).toEqual([
        BatchItemStatus.Cancelled,
        BatchItemStatus.Debited,
      ]);
      expect(await rows(h).billStatuses(a.billNos)).toEqual([0, 0]);
      // Without the cancelled item is fine too.
      const [c] = await customers(1);
      const other2 = await sent([lineOf(a), lineOf(c)]);
      await h.call('CancelDisc', cancelDiscFields(other2, lineOf(c)));
      expect((await h.call('BackDisc', backDiscFields(other2, [debited(lineOf(a))]))).code).toBe('AAAAAAA');
    });

    it('refuses results for a batch whose items were all cancelled (DEF0013)', async () => {
      const [a] = await customers(1);
      const no = await sent([lineOf(a)]);
      const cancelled = await h.call('CancelDisc', cancelDiscFields(no, lineOf(a)));
      expect(field(cancelled.data, 'Batch')).toMatchObject({ BatchStatus: '4', CancelCount: '1' });
      const res = await h.call('BackDisc', backDiscFields(no, [failed(lineOf(a))]));
      expect(res.code).toBe('DEF0013');
      expect(res.errorMsg).toBe(`批次${no}已取消, 不能回盘`);
    });
  });

  describe('CancelDisc', () => {
    it("cancels one pending item of today's batch, releases its bills and keeps the agreement signed", async () => {
      const [a, b] = await customers(2);
      const no = await sent([lineOf(a), lineOf(b)]);
      const res = await h.call('CancelDisc', cancelDiscFields(no, lineOf(a), '客户已柜面缴费'));
      expect(res.message).toMatchObject({ TranCode: 'CancelDiscRes', RespCode: 'AAAAAAA' });
      expect(field(res.data, 'Batch')).toMatchObject({ BatchNo: no, BatchStatus: '1', TotalCount: '2', CancelCount: '1' });
      expect(await rows(h).billStatuses(a.billNos)).toEqual([0, 0]);
      expect(await rows(h).billStatuses(b.billNos)).toEqual([2, 2]);
      expect((await rows(h).items(DEMO.instId, no))[0]).toMatchObject({
        status: BatchItemStatus.Cancelled,
        cancelReason: '客户已柜面缴费',
      });
      expect((await rows(h).agreement(a.agreementNo)).status).toBe(AgreementStatus.Signed);
      // The agreement stays valid: the customer can go into another batch.
      await sent([lineOf(a)]);
      const last = await h.call('CancelDisc', cancelDiscFields(no, lineOf(b)), { format: 'XML' });
      expect(field(last.data, 'Batch')).toMatchObject({ BatchStatus: '4', CancelCount: '2' });
    });

    it('answers DEF0001 for an unknown batch or an item not in it', async () => {
      const [a, b] = await customers(2);
      const no = await sent([lineOf(a)]);
      expect((await h.call('CancelDisc', cancelDiscFields('NOSUCHBATCH', lineOf(a)))).code).toBe('DEF0001');
      const notIn = await h.call('CancelDisc', cancelDiscFields(no, lineOf(b)));
      expect(notIn.code).toBe('DEF0001');
      expect(notIn.errorMsg).toBe(`批次${no}中无客户${b.billKey}协议${b.agreementNo}的代扣`);
    });

    it('answers DEF0014 for an item no longer pending, a closed batch, or a batch of another day', async () => {
      const [a, b, c] = await customers(3);
      const no = await sent([lineOf(a), lineOf(b), lineOf(c)]);
      await h.call('CancelDisc', cancelDiscFields(no, lineOf(c)));
      const twice = await h.call('CancelDisc', cancelDiscFields(no, lineOf(c)));
      expect(twice.code).toBe('DEF0014');
      expect(twice.errorMsg).toBe(`客户${c.billKey}的代扣已取消, 不可取消`);
      await h.call('BackDisc', backDiscFields(no, [debited(lineOf(a)), failed(lineOf(b))]));
      const closed = await h.call('CancelDisc', cancelDiscFields(no, lineOf(a)));
      expect(closed.code).toBe('DEF0014');
      expect(closed.errorMsg).toBe(`批次${no}处理成功, 不可取消`);
      expect(await rows(h).billStatuses(a.billNos)).toEqual([1, 1]);

      const yesterday = businessDate(-1);
      const old = await insertBatch(
        h.t,
        debitBatch({ batchNo: batchNo(), businessDate: `${yesterday.slice(0, 4)}-${yesterday.slice(4, 6)}-${yesterday.slice(6, 8)}` }),
        [debitBatchItem({ billKey: b.billKey, agreementNo: b.agreementNo, billNos: [] })],
      );
      const stale = await h.call('CancelDisc', cancelDiscFields(old.batchNo, lineOf(b)));
      expect(stale.code).toBe('DEF0014');
      expect(stale.errorMsg).toContain('非当日送盘');
    });

    it('refuses a missing CancelReason and one over 150 characters', async () => {
      const [a] = await customers(1);
      const no = await sent([lineOf(a)]);
      expect((await h.call('CancelDisc', cancelDiscFields(no, lineOf(a), ''))).code).toBe('PRM3002');
      expect((await h.call('CancelDisc', cancelDiscFields(no, lineOf(a), '因'.repeat(151)))).code).toBe('PRM3003');
      expect((await h.call('CancelDisc', cancelDiscFields(no, lineOf(a), '因'.repeat(150)))).code).toBe('AAAAAAA');
    });

    it('replays a repeated CancelDisc', async () => {
      const [a, b] = await customers(2);
      const no = await sent([lineOf(a), lineOf(b)]);
      const fields = { ...cancelDiscFields(no, lineOf(a)), TranSeq: `CD${a.billKey}` };
      const first = await h.call('CancelDisc', fields);
      const again = await h.call('CancelDisc', fields);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.message).toEqual(first.message);
      expect(first.code).toBe('AAAAAAA');
    });
  });

  describe('DiscQuery', () => {
    it.each(['JSON', 'XML'] as const)('reports the batch and its items with the TranSeq of each write-off, in %s', async (format) => {
      const [a, b, c] = await customers(3);
      const no = await sent([lineOf(a), lineOf(b), lineOf(c)]);
      await h.call('CancelDisc', cancelDiscFields(no, lineOf(c)));
      const pending = await h.call('DiscQuery', { BatchNo: no }, { format });
      expect(field(pending.data, 'Batch', 'Items')).toEqual([
        { BillKey: a.billKey, CompanyId: DEMO.companyId, AgreementNo: a.agreementNo, PayAmount: '47.30', ItemStatus: '0' },
        { BillKey: b.billKey, CompanyId: DEMO.companyId, AgreementNo: b.agreementNo, PayAmount: '47.30', ItemStatus: '0' },
        { BillKey: c.billKey, CompanyId: DEMO.companyId, AgreementNo: c.agreementNo, PayAmount: '47.30', ItemStatus: '3' },
      ]);
      await h.call('BackDisc', backDiscFields(no, [debited(lineOf(a)), failed(lineOf(b))]));
      const res = await h.call('DiscQuery', { BatchNo: no }, { format });
      expect(res.message).toMatchObject({ TranCode: 'DiscQueryRes', RespCode: 'AAAAAAA' });
      const [tx] = await rows(h).transactionsOf(a.companyId, a.billKey);
      expect(field(res.data, 'Batch')).toEqual({
        BatchNo: no,
        BatchStatus: '2',
        TotalCount: '3',
        TotalAmount: '141.90',
        SuccessCount: '1',
        SuccessAmount: '47.30',
        FailCount: '1',
        CancelCount: '1',
        Items: [
          {
            BillKey: a.billKey,
            CompanyId: DEMO.companyId,
            AgreementNo: a.agreementNo,
            PayAmount: '47.30',
            ItemStatus: '1',
            TranSeq: tx.tranSeq,
          },
          { BillKey: b.billKey, CompanyId: DEMO.companyId, AgreementNo: b.agreementNo, PayAmount: '47.30', ItemStatus: '2' },
          { BillKey: c.billKey, CompanyId: DEMO.companyId, AgreementNo: c.agreementNo, PayAmount: '47.30', ItemStatus: '3' },
        ],
      });
      if (format === 'XML') expect(res.text).toContain('<Items><Item><BillKey>');
    });

    it("answers DEF0001 for an unknown batch or another institution's", async () => {
      const foreign = await signedCustomer(h, ['8.00'], { apiKey: other.apiKey, instId: other.instId });
      const no = batchNo();
      await callPartner(h.t, 'SendDisc', sendDiscFields(no, [lineOf(foreign)]), { apiKey: other.apiKey, instId: other.instId });
      expect((await h.call('DiscQuery', { BatchNo: no })).code).toBe('DEF0001');
      expect((await h.call('DiscQuery', { BatchNo: 'NOSUCHBATCH' })).code).toBe('DEF0001');
      expect((await callPartner(h.t, 'DiscQuery', { BatchNo: no }, { apiKey: other.apiKey, instId: other.instId })).code).toBe('AAAAAAA');
    });
  });
});
