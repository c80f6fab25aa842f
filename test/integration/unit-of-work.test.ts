import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../../src/admin/entities/audit-entry.entity';
import { Bill, BillStatus } from '../../src/billing/entities/bill.entity';
import { LedgerTransaction, TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { Fen } from '../../src/common/fen';
import { nowIso } from '../../src/database/columns';
import { COMMIT_GROUP_BOUNDS, CommitGroupBounds, UnitOfWork } from '../../src/database/unit-of-work';
import { createTestApp, TestApp } from '../support/test-app';

const CONCURRENCY = 50;

class PlannedFailure extends Error {}

describe(`unit of work under concurrency (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let uow: UnitOfWork;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    uow = t.app.get(UnitOfWork);
    dataSource = t.app.get(DataSource);
  });

  afterAll(async () => {
    await t.close();
  });

  it('commits every reported success and leaves nothing of any failure', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        uow.transaction(async () => {
          const audit = uow.repository(AuditEntry);
          await audit.insert({
            occurredAt: nowIso(),
            actor: 'test',
            action: 'uow.first',
            target: `tx:${i}`,
            detail: '{}',
            requestId: null,
          });
          // Yield between statements so transactions would interleave if nothing kept them apart.
          await sleep(Math.floor(Math.random() * 5));
          await audit.insert({
            occurredAt: nowIso(),
            actor: 'test',
            action: 'uow.second',
            target: `tx:${i}`,
            detail: '{}',
            requestId: null,
          });
          if (i % 3 === 0) throw new PlannedFailure(`transaction ${i} fails after writing`);
          return i;
        }),
      ),
    );

    const succeeded = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failed = outcomes.filter((o) => o.status === 'rejected');
    expect(failed.every((o) => o.reason instanceof PlannedFailure)).toBe(true);
    expect(succeeded).toHaveLength(CONCURRENCY - Math.ceil(CONCURRENCY / 3));

    const rows = await dataSource.getRepository(AuditEntry).find();
    const committed = new Map<string, string[]>();
    for (const row of rows) committed.set(row.target, [...(committed.get(row.target) ?? []), row.action].sort());
    expect([...committed.keys()].sort()).toEqual(succeeded.map((i) => `tx:${i}`).sort());
    for (const actions of committed.values()) expect(actions).toEqual(['uow.first', 'uow.second']);
  });

  it('lets exactly one of 50 concurrent guarded state changes win', async () => {
    const now = nowIso();
    await dataSource.getRepository(Bill).insert({
      billNo: 'UOW-RACE-1',
      companyId: 'C1',
      billKey: 'K1',
      period: '202401',
      amount: Fen.of(15000),
      lateFee: Fen.ZERO,
      startDate: '2024-01-01',
      endDate: '2024-01-31',
      dueDate: '2024-02-15',
      status: BillStatus.Unpaid,
      createdAt: now,
      updatedAt: now,
    });

    const outcomes = await Promise.allSettled(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        uow.transaction(async () => {
          await sleep(Math.floor(Math.random() * 3));
          const flipped = await uow
            .manager()
            .createQueryBuilder()
            .update(Bill)
            .set({ status: BillStatus.Paid, updatedAt: nowIso() })
            .where('bill_no = :billNo AND status = :unpaid', { billNo: 'UOW-RACE-1', unpaid: BillStatus.Unpaid })
            .execute();
          if (flipped.affected !== 1) throw new PlannedFailure('already settled');
          await sleep(Math.floor(Math.random() * 3));
          await uow.repository(LedgerTransaction).insert({
            instId: 'I1',
            tranSeq: `RACE${i}`,
            tranCode: 'Pay',
            companyId: 'C1',
            billKey: 'K1',
            amount: Fen.of(15000),
            subChannel: 0,
            payDate: nowIso(),
            businessDate: '2024-02-01',
            tranStatus: TranStatus.Success,
            originalTranSeq: null,
            batchNo: null,
            respCode: 'AAAAAAA',
            respMessage: '成功',
            createdAt: nowIso(),
          });
          return i;
        }),
      ),
    );

    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => o.reason instanceof PlannedFailure)).toBe(true);
    const ledger = await dataSource.getRepository(LedgerTransaction).findBy({ companyId: 'C1', billKey: 'K1' });
    expect(ledger).toHaveLength(1);
    expect(ledger[0].tranSeq).toBe(`RACE${winners[0].value}`);
    expect((await dataSource.getRepository(Bill).findOneByOrFail({ billNo: 'UOW-RACE-1' })).status).toBe(BillStatus.Paid);
  });

  it('rolls back a unique-constraint violation without touching other transactions', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        uow.transaction(async () => {
          await uow
            .repository(AuditEntry)
            .insert({ occurredAt: nowIso(), actor: 'test', action: 'uow.dup', target: `dup:${i}`, detail: '{}', requestId: null });
          await sleep(Math.floor(Math.random() * 3));
          // Every transaction claims the same (InstId, TranSeq); the unique index lets one through.
          await uow.repository(LedgerTransaction).insert({
            instId: 'I2',
            tranSeq: 'SAME-SEQ',
            tranCode: 'Pay',
            companyId: 'C2',
            billKey: 'K2',
            amount: Fen.of(100),
            subChannel: 0,
            payDate: nowIso(),
            businessDate: '2024-02-01',
            tranStatus: TranStatus.Success,
            originalTranSeq: null,
            batchNo: null,
            respCode: 'AAAAAAA',
            respMessage: '成功',
            createdAt: nowIso(),
          });
          return i;
        }),
      ),
    );
    const winners = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(winners).toHaveLength(1);
    const audits = await dataSource.getRepository(AuditEntry).findBy({ action: 'uow.dup' });
    expect(audits.map((a) => a.target)).toEqual([`dup:${winners[0]}`]);
    expect(await dataSource.getRepository(LedgerTransaction).countBy({ instId: 'I2' })).toBe(1);
  });

  it('joins an outer transaction instead of opening a second one', async () => {
    await expect(
      uow.transaction(async () => {
        await uow
          .repository(AuditEntry)
          .insert({ occurredAt: nowIso(), actor: 'test', action: 'uow.nested', target: 'outer', detail: '{}', requestId: null });
        await uow.transaction(async () => {
          await uow
            .repository(AuditEntry)
            .insert({ occurredAt: nowIso(), actor: 'test', action: 'uow.nested', target: 'inner', detail: '{}', requestId: null });
        });
        throw new PlannedFailure('outer fails after the inner work');
      }),
    ).rejects.toBeInstanceOf(PlannedFailure);
    expect(await dataSource.getRepository(AuditEntry).countBy({ action: 'uow.nested' })).toBe(0);
  });

  const sqliteOnly = (process.env.TEST_ENGINE ?? 'sqlite') === 'sqlite' ? describe : describe.skip;

  sqliteOnly('commit groups', () => {
    // Bounded only by who is waiting, so that transactions queued together always share one group, however
    // slowly a loaded machine runs them.
    const bounds: CommitGroupBounds = { maxMembers: 64, maxMs: 60_000 };
    let g: TestApp;
    let uow: UnitOfWork;
    let dataSource: DataSource;

    beforeAll(async () => {
      g = await createTestApp({}, { overrides: [{ provide: COMMIT_GROUP_BOUNDS, useValue: bounds }] });
      uow = g.app.get(UnitOfWork);
      dataSource = g.app.get(DataSource);
    });

    afterAll(() => g.close());

    it('commits queued SQLite transactions as a group: a failed COMMIT fails every member and keeps nothing', async () => {
      // A deferred foreign key is checked only at COMMIT: the one way to make SQLite refuse a commit on demand.
      await dataSource.query('CREATE TABLE uow_parent (id INTEGER PRIMARY KEY)');
      await dataSource.query('CREATE TABLE uow_child (parent_id INTEGER REFERENCES uow_parent (id) DEFERRABLE INITIALLY DEFERRED)');
      const audit = (target: string) =>
        uow
          .repository(AuditEntry)
          .insert({ occurredAt: nowIso(), actor: 'test', action: 'uow.group', target, detail: '{}', requestId: null });
      const outcomes = await Promise.allSettled([
        uow.transaction(async () => {
          await audit('first');
          // The others queue meanwhile and join this one's group.
          await sleep(2);
          return 'first';
        }),
        uow.transaction(async () => {
          await audit('orphan');
          await uow.run('INSERT INTO uow_child (parent_id) VALUES (?)', [42]);
          return 'orphan';
        }),
        uow.transaction(async () => {
          await audit('third');
          return 'third';
        }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
      expect(await dataSource.getRepository(AuditEntry).countBy({ action: 'uow.group' })).toBe(0);
      expect(await dataSource.query('SELECT COUNT(*) AS n FROM uow_child')).toEqual([{ n: 0 }]);

      // The next group starts clean.
      await expect(uow.transaction(async () => (await audit('after'), 'after'))).resolves.toBe('after');
      expect((await dataSource.getRepository(AuditEntry).findBy({ action: 'uow.group' })).map((a) => a.target)).toEqual(['after']);
    });

    it('fails a member of a group alone, without undoing the others, and answers every member once the group committed', async () => {
      const connection = (dataSource.driver as unknown as { databaseConnection: { inTransaction: boolean } }).databaseConnection;
      const audit = (target: string) =>
        uow
          .repository(AuditEntry)
          .insert({ occurredAt: nowIso(), actor: 'test', action: 'uow.member', target, detail: '{}', requestId: null });
      const order: string[] = [];
      const settled = (name: string) => ({
        then: (value: string) => (order.push(`${name} answered, open: ${connection.inTransaction}`), value),
        catch: (error: unknown) => {
          order.push(`${name} answered, open: ${connection.inTransaction}`);
          throw error;
        },
      });
      const outcomes = await Promise.allSettled(
        [
          uow.transaction(async () => {
            await audit('slow');
            // The others queue meanwhile and join this one's group.
            await sleep(5);
            order.push('slow done');
            return 'slow';
          }),
          uow.transaction(async () => {
            await audit('failing');
            order.push('failing done');
            throw new PlannedFailure('member fails');
          }),
          uow.transaction(async () => (await audit('last'), order.push('last done'), 'last')),
        ].map((p, i) => {
          const s = settled(['slow', 'failing', 'last'][i]);
          return p.then(s.then, s.catch);
        }),
      );
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      // All three ran in one group: nobody was answered before the group was over and its transaction closed.
      expect(order).toEqual([
        'slow done',
        'failing done',
        'last done',
        'failing answered, open: false',
        'slow answered, open: false',
        'last answered, open: false',
      ]);
      const targets = (await dataSource.getRepository(AuditEntry).findBy({ action: 'uow.member' })).map((a) => a.target).sort();
      expect(targets).toEqual(['last', 'slow']);
    });
  });
});
