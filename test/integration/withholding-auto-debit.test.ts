import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AuditService } from '../../src/admin/audit/audit.service';
import { Bill, BillStatus } from '../../src/billing/entities/bill.entity';
import { Fen } from '../../src/common/fen';
import { APP_CONFIG, AppConfig, loadConfig } from '../../src/config/app-config';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { DEMO } from '../../src/demo/demo-data.service';
import { decodeMessage } from '../../src/protocol/codec';
import { bindMessage } from '../../src/protocol/message-fields';
import { AUTO_DEBIT_JOB, AutoDebitScheduler } from '../../src/withholding/auto-debit/auto-debit.scheduler';
import { AutoDebitService, PROGRESS_EVERY } from '../../src/withholding/auto-debit/auto-debit.service';
import { SendDiscRequest } from '../../src/withholding/dto/withholding-requests.dto';
import { BatchItemStatus, BatchStatus, DebitBatchItem } from '../../src/withholding/entities/debit-batch.entity';
import { WithholdingAgreement } from '../../src/withholding/entities/withholding-agreement.entity';
import { institutionWithCompany } from '../factories/admin-api';
import { agreement as agreementRow, bill as billRow } from '../factories/ledger-records';
import {
  backDiscFields,
  batchNo,
  cancelDiscFields,
  customerWithBills,
  debited,
  expectConsistent,
  failed,
  lineOf,
  raiseLimits,
  rows,
  sendDiscFields,
  signedCustomer,
  startWithholdingApp,
  WithholdingHarness,
} from '../factories/withholding';
import { TODAY } from '../support/partner-client';
import { createTestApp } from '../support/test-app';

const today = () => `${TODAY().slice(0, 4)}-${TODAY().slice(4, 6)}-${TODAY().slice(6, 8)}`;
const PAST = '2024-01-31';
const FUTURE = '2099-12-31';
const DEMO_COMPANY_NAME = '示范自来水公司第一营业所';

interface BuiltBody {
  batches: { instId: string; batchNo: string; totalCount: number; totalAmount: string; items: Record<string, string>[] }[];
}

describe('automatic debit', () => {
  describe('the builder and its admin endpoints', () => {
    let h: WithholdingHarness;
    let other: { instId: string; companyId: string; apiKey: string };

    beforeEach(async () => {
      h = await startWithholdingApp();
      other = await institutionWithCompany(h.api);
      await raiseLimits(h.api, other.instId);
      await h.api
        .post(`/admin/v1/institutions/${other.instId}/companies`)
        .send({ companyId: DEMO.companyId, name: DEMO_COMPANY_NAME })
        .expect(201);
    });
    afterEach(async () => {
      await expectConsistent(h);
      await h.close();
    });

    /** The body as bytes, whatever its content type. */
    const download = (path: string, status: number) =>
      h.api
        .get(path)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(status);
    const build = async () => (await h.api.post('/admin/v1/withholding/batches').expect(201)).body as BuiltBody;

    it('builds one batch per institution of the unpaid bills due by today of customers with a signed agreement', async () => {
      const due = await signedCustomer(h, ['10.00', '2.00', '99.00'], { dueDate: PAST });
      // Only the bills due by today go into the batch; the third is not due yet.
      const [notYetDue] = await h.db.getRepository(Bill).findBy({ billNo: due.billNos[2] });
      await h.db.getRepository(Bill).update({ billNo: notYetDue.billNo }, { dueDate: FUTURE });
      const dueToday = await signedCustomer(h, ['3.30'], { dueDate: today() });
      const unsigned = await customerWithBills(h.api, ['4.00'], { dueDate: PAST });
      const terminated = await signedCustomer(h, ['5.00'], { dueDate: PAST });
      await h.call('Termination', { BillKey: terminated.billKey, CompanyId: terminated.companyId, AgreementNo: terminated.agreementNo });
      const overLimit = await signedCustomer(h, ['6.00'], { dueDate: PAST, maxAmount: '5.99' });
      const inBatch = await signedCustomer(h, ['7.00'], { dueDate: PAST });
      await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(inBatch)]));
      const notDue = await signedCustomer(h, ['8.00'], { dueDate: FUTURE });
      const foreign = await signedCustomer(h, ['9.00'], { dueDate: PAST, apiKey: other.apiKey, instId: other.instId });

      const body = await build();
      for (const batch of body.batches) batch.items.sort((x, y) => (x.billKey < y.billKey ? -1 : 1));
      const date = TODAY();
      const ownFirst = other.instId > DEMO.instId;
      expect(body.batches).toEqual(
        [
          {
            instId: DEMO.instId,
            batchNo: `A${date}000${ownFirst ? 1 : 2}`,
            totalCount: 2,
            totalAmount: '15.30',
            items: [
              { billKey: due.billKey, companyId: DEMO.companyId, agreementNo: due.agreementNo, payAmount: '12.00' },
              { billKey: dueToday.billKey, companyId: DEMO.companyId, agreementNo: dueToday.agreementNo, payAmount: '3.30' },
            ].sort((x, y) => (x.billKey < y.billKey ? -1 : 1)),
          },
          {
            instId: other.instId,
            batchNo: `A${date}000${ownFirst ? 2 : 1}`,
            totalCount: 1,
            totalAmount: '9.00',
            items: [{ billKey: foreign.billKey, companyId: DEMO.companyId, agreementNo: foreign.agreementNo, payAmount: '9.00' }],
          },
        ].sort((a, b) => a.instId.localeCompare(b.instId)),
      );
      expect(await rows(h).billStatuses(due.billNos)).toEqual([BillStatus.Held, BillStatus.Held, BillStatus.Unpaid]);
      expect(await rows(h).billStatuses([...dueToday.billNos, ...foreign.billNos])).toEqual([BillStatus.Held, BillStatus.Held]);
      for (const left of [unsigned, terminated, overLimit, notDue])
        expect(await rows(h).billStatuses(left.billNos)).toEqual([BillStatus.Unpaid]);
      expect(await rows(h).batch(DEMO.instId, body.batches.find((b) => b.instId === DEMO.instId)!.batchNo)).toMatchObject({
        origin: 'auto',
        status: BatchStatus.Pending,
        businessDate: today(),
      });
      // Every batch built is audited.
      const audit = await h.api.get('/admin/v1/audit?pageSize=1000').expect(200);
      const entries = (audit.body as { items: { action: string; target: string; detail: unknown }[] }).items.filter(
        (entry) => entry.action === 'withholding.batch.build',
      );
      expect(entries.map((entry) => entry.target).sort()).toEqual(body.batches.map((b) => `batch:${b.instId}/${b.batchNo}`).sort());

      // Running again holds nothing twice.
      expect(await build()).toEqual({ batches: [] });
    });

    it('never puts a terminated agreement in a batch again: termination cancels its item and later runs leave it out', async () => {
      const [a, b] = await Promise.all([signedCustomer(h, ['11.00'], { dueDate: PAST }), signedCustomer(h, ['12.00'], { dueDate: PAST })]);
      const [batch] = (await build()).batches;
      expect(batch.totalCount).toBe(2);
      expect((await h.call('Termination', { BillKey: a.billKey, CompanyId: a.companyId, AgreementNo: a.agreementNo })).code).toBe(
        'AAAAAAA',
      );
      expect(await rows(h).billStatuses(a.billNos)).toEqual([BillStatus.Unpaid]);
      const items = await rows(h).items(DEMO.instId, batch.batchNo);
      expect(items.find((item) => item.agreementNo === a.agreementNo)?.status).toBe(BatchItemStatus.Cancelled);

      // The delivery message leaves the cancelled item out.
      const xml = await download(`/admin/v1/batches/${batch.batchNo}?format=xml`, 200);
      const message = decodeMessage('XML', xml.body as Buffer).fields;
      expect(message).toMatchObject({ TotalCount: '1', TotalAmount: '12.00' });
      expect(JSON.stringify(message)).not.toContain(a.agreementNo);

      expect(await build()).toEqual({ batches: [] });
      await h.call('BackDisc', backDiscFields(batch.batchNo, [failed(lineOf(b))]));
      // b's bills are released by the failure and go out again; a's never do.
      const next = await build();
      expect(next.batches.map((built) => built.items.map((item) => item.agreementNo))).toEqual([[b.agreementNo]]);
    });

    it('gives a batch as the SendDisc message that delivers it, in XML or JSON, and takes the bank results by BackDisc', async () => {
      const [a, b] = await Promise.all([
        signedCustomer(h, ['21.00', '0.40'], { dueDate: PAST }),
        signedCustomer(h, ['22.00'], { dueDate: PAST }),
      ]);
      const [batch] = (await build()).batches;
      const xml = await download(`/admin/v1/batches/${batch.batchNo}?format=xml`, 200);
      expect(xml.headers['content-type']).toBe('application/xml; charset=UTF-8');
      const text = (xml.body as Buffer).toString('utf8');
      expect(text).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8"\?><in><Version>1\.0\.1<\/Version><InstId>00001<\/InstId><TranCode>SendDisc<\/TranCode>/,
      );
      expect(text).toContain('<WithholdingList><Item><BillKey>');
      const fields = decodeMessage('XML', xml.body as Buffer).fields;
      // A message our own SendDisc would accept as well-formed.
      const request = bindMessage(SendDiscRequest, fields);
      expect(request).toMatchObject({ BatchNo: batch.batchNo, TranSeq: batch.batchNo, TranDate: TODAY(), TotalCount: 2 });
      expect(request.TotalAmount.toYuan()).toBe('43.40');
      expect(
        request.WithholdingList.map((item) => [item.BillKey, item.AgreementNo, item.PayAmount.toYuan()]).sort((x, y) =>
          x[0] < y[0] ? -1 : 1,
        ),
      ).toEqual(
        [
          [a.billKey, a.agreementNo, '21.40'],
          [b.billKey, b.agreementNo, '22.00'],
        ].sort((x, y) => (x[0] < y[0] ? -1 : 1)),
      );
      const json = await download(`/admin/v1/batches/${batch.batchNo}?format=json`, 200);
      expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(bindMessage(SendDiscRequest, decodeMessage('JSON', json.body as Buffer).fields)).toEqual(request);
      await download(`/admin/v1/batches/${batch.batchNo}?instId=${DEMO.instId}`, 200);
      await download('/admin/v1/batches/A000000000000?format=xml', 404);
      await download(`/admin/v1/batches/${batch.batchNo}?format=csv`, 400);
      await download(`/admin/v1/batches/${batch.batchNo}?instId=${other.instId}`, 404);

      // The bank answers the batch (status 0) with BackDisc: written off like any batch.
      const back = await h.call('BackDisc', backDiscFields(batch.batchNo, [debited(lineOf(a, '21.40')), debited(lineOf(b, '22.00'))]));
      expect(back.code).toBe('AAAAAAA');
      expect(await rows(h).billStatuses([...a.billNos, ...b.billNos])).toEqual([1, 1, 1]);
      expect((await rows(h).withholds()).map((tx) => tx.batchNo)).toEqual([batch.batchNo, batch.batchNo]);
    });

    it('lets the bank cancel an item of a batch built today', async () => {
      const a = await signedCustomer(h, ['31.00'], { dueDate: PAST });
      const [batch] = (await build()).batches;
      const res = await h.call('CancelDisc', cancelDiscFields(batch.batchNo, lineOf(a, '31.00')));
      expect(res.code).toBe('AAAAAAA');
      expect(await rows(h).batch(DEMO.instId, batch.batchNo)).toMatchObject({ status: BatchStatus.Cancelled });
      await download(`/admin/v1/batches/${batch.batchNo}?format=xml`, 409);
    });

    it('answers 401 without the admin token', async () => {
      await h.api.post('/admin/v1/withholding/batches').set('Authorization', 'Bearer wrong-token-0000000').expect(401);
    });

    it('never batches an agreement whose termination raced the builder (10 rounds)', async () => {
      for (let round = 0; round < 10; round += 1) {
        const customers = await Promise.all(Array.from({ length: 5 }, () => signedCustomer(h, ['2.00'], { dueDate: PAST })));
        const [built, ...terminations] = await Promise.all([
          h.t.app.get(AutoDebitService).buildDueBatches(),
          ...customers.map((c) => h.call('Termination', { BillKey: c.billKey, CompanyId: c.companyId, AgreementNo: c.agreementNo })),
        ]);
        expect(terminations.map((answer) => answer.code)).toEqual(Array<string>(5).fill('AAAAAAA'));
        expect(built.length).toBeLessThanOrEqual(1);
        for (const customer of customers) {
          const items = await h.db.getRepository(DebitBatchItem).findBy({ agreementNo: customer.agreementNo });
          expect(items.every((item) => item.status === BatchItemStatus.Cancelled)).toBe(true);
          expect(await rows(h).billStatuses(customer.billNos)).toEqual([BillStatus.Unpaid]);
        }
        await expectConsistent(h);
      }
    });
  });

  describe('a large run', () => {
    it(`splits over 1000 customers into batches of 1000 and logs its progress every ${PROGRESS_EVERY}`, async () => {
      const h = await startWithholdingApp();
      try {
        const count = 1203;
        const uow = h.t.app.get(UnitOfWork);
        await uow.transaction(async () => {
          const agreements: WithholdingAgreement[] = [];
          const bills: Bill[] = [];
          for (let i = 0; i < count; i += 1) {
            const billKey = `L${String(i).padStart(5, '0')}`;
            agreements.push(agreementRow({ agreementNo: `AGL${String(i).padStart(5, '0')}`, billKey }));
            bills.push(billRow({ billNo: `BL${String(i).padStart(5, '0')}`, billKey, amount: Fen.of(100 + i) }));
          }
          for (let i = 0; i < count; i += 200) {
            await uow.repository(WithholdingAgreement).insert(agreements.slice(i, i + 200));
            await uow.repository(Bill).insert(bills.slice(i, i + 200));
          }
        });
        const logged: string[] = [];
        const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => {
          logged.push(String(message));
        });
        let built;
        try {
          built = await h.t.app.get(AutoDebitService).buildDueBatches();
        } finally {
          spy.mockRestore();
        }
        expect(built.map((batch) => [batch.instId, batch.totalCount])).toEqual([
          [DEMO.instId, 1000],
          [DEMO.instId, 203],
        ]);
        expect(built[0].batchNo < built[1].batchNo).toBe(true);
        const progress = logged.filter((line) => line.includes('customers examined'));
        expect(progress).toHaveLength(Math.floor(count / PROGRESS_EVERY) + 1);
        expect(progress[0]).toBe(`automatic debit: institution ${DEMO.instId}: ${PROGRESS_EVERY}/${count} customers examined`);
        expect(progress.at(-1)).toBe(`automatic debit: institution ${DEMO.instId}: ${count}/${count} customers examined`);
        expect(await h.db.getRepository(Bill).countBy({ status: BillStatus.Held })).toBe(count);
        const total = built.reduce((sum, batch) => sum + batch.totalAmount.value, 0n);
        expect(total).toBe(BigInt(count * 100 + (count * (count - 1)) / 2));
        await expectConsistent(h);
      } finally {
        await h.close();
      }
    });
  });

  describe('the WITHHOLD_CRON schedule', () => {
    it('defaults to 06:00 every day', () => {
      expect(loadConfig({ DATABASE_URL: 'sqlite::memory:', SECRET_KEY: Buffer.alloc(32).toString('base64') }).withholdCron).toBe(
        '0 6 * * *',
      );
    });

    it('is scheduled in the business time zone when set, and its run builds and audits the batches', async () => {
      const h = await startWithholdingApp({ WITHHOLD_CRON: '0 6 * * *' });
      try {
        const job = h.t.app.get(SchedulerRegistry).getCronJob(AUTO_DEBIT_JOB);
        expect(job.isActive).toBe(true);
        const next = job.nextDate().setZone('Asia/Shanghai');
        expect([next.hour, next.minute, next.second]).toEqual([6, 0, 0]);
        const a = await signedCustomer(h, ['4.50'], { dueDate: PAST });
        const built = await h.t.app.get(AutoDebitScheduler).run();
        expect(built.map((batch) => batch.items.map((item) => item.agreementNo))).toEqual([[a.agreementNo]]);
        const audit = await h.api.get('/admin/v1/audit?pageSize=1000').expect(200);
        expect((audit.body as { items: { action: string; actor: string }[] }).items).toContainEqual(
          expect.objectContaining({ action: 'withholding.batch.build', actor: 'scheduler' }),
        );
        await expectConsistent(h);
      } finally {
        await h.close();
      }
    });

    it('follows BUSINESS_TZ', async () => {
      const t = await createTestApp({ WITHHOLD_CRON: '30 7 * * *', BUSINESS_TZ: 'America/New_York' });
      try {
        const next = t.app.get(SchedulerRegistry).getCronJob(AUTO_DEBIT_JOB).nextDate().setZone('America/New_York');
        expect([next.hour, next.minute]).toEqual([7, 30]);
      } finally {
        await t.close();
      }
    });

    it('is not scheduled when WITHHOLD_CRON is empty', async () => {
      const t = await createTestApp({ WITHHOLD_CRON: '' });
      try {
        expect(t.app.get(SchedulerRegistry).doesExist('cron', AUTO_DEBIT_JOB)).toBe(false);
      } finally {
        await t.close();
      }
    });

    it('refuses to start on an invalid WITHHOLD_CRON, naming it', async () => {
      const t = await createTestApp();
      try {
        const config: AppConfig = { ...t.app.get<AppConfig>(APP_CONFIG), withholdCron: '99 6 * * *' };
        const scheduler = new AutoDebitScheduler(config, new SchedulerRegistry(), t.app.get(AutoDebitService), t.app.get(AuditService));
        expect(() => scheduler.onApplicationBootstrap()).toThrow(/^WITHHOLD_CRON: not a valid cron expression/);
      } finally {
        await t.close();
      }
    });
  });
});
