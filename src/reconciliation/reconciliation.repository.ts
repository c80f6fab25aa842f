import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner, SelectQueryBuilder } from 'typeorm';
import { LedgerTransaction, LedgerTranCode } from '../billing/entities/ledger-transaction.entity';
import { Fen } from '../common/fen';
import { UnitOfWork } from '../database/unit-of-work';
import { InstitutionCompany } from '../reference/entities/company.entity';
import { ReconciliationCheck, ReconciliationDifference } from './entities/reconciliation-check.entity';
import type { FileTransaction } from './reconciliation-file';

/** One institution's transactions with one company on one business date (YYYY-MM-DD). */
export interface StatementDay {
  instId: string;
  companyId: string;
  businessDate: string;
}

export interface TranCodeTotals {
  tranCode: LedgerTranCode;
  count: number;
  money: Fen;
}

/** Where a keyset page ends: the last row's sort key. */
export interface LedgerCursor {
  payDate: string;
  tranSeq: string;
}

export type LedgerLine = FileTransaction & LedgerCursor;

/**
 * A consistent view of one day, for writing its file: the summary, read first, must describe exactly the detail pages
 * read after it. PostgreSQL: one REPEATABLE READ, READ ONLY transaction. SQLite (writes serialised, ids ascending in
 * commit order): every read is bounded by the highest ledger id seen when the view opened.
 */
export interface LedgerDayView {
  totals(): Promise<{ count: number; money: Fen }>;
  page(after: LedgerCursor | null, limit: number): Promise<LedgerLine[]>;
  close(): Promise<void>;
}

export interface CheckFilter {
  instId?: string;
  companyId?: string;
  payDate?: string;
}

/** Aggregate results come back as strings (pg) or numbers (better-sqlite3). */
function toFen(value: string | number | null): Fen {
  if (value === null) return Fen.ZERO;
  return Fen.of(typeof value === 'number' ? value : BigInt(value));
}

/** Insert chunk for differences: 7 columns × 1,000 rows stays within both engines' bind-parameter limits. */
const DIFFERENCE_INSERT_CHUNK = 1000;
const DIFFERENCE_COLUMNS = ['check_id', 'seq', 'tran_seq', 'kind', 'ours', 'theirs', 'line_no'] as const;

/** The ledger as reconciliation reads it (never writes it), and the stored check results. */
@Injectable()
export class ReconciliationRepository {
  constructor(
    private readonly uow: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Count and sum per TranCode: one aggregate over idx_ledger_statement. */
  totalsByTranCode(day: StatementDay): Promise<TranCodeTotals[]> {
    return this.uow.read(() => totalsByTranCode(this.uow.manager(), day, null));
  }

  /**
   * One keyset page of the day's transactions, ordered by PayDate then TranSeq (byte order on both engines), in the
   * current transaction when there is one.
   */
  ledgerPage(day: StatementDay, after: LedgerCursor | null, limit: number): Promise<LedgerLine[]> {
    return this.uow.read(() => ledgerPage(this.uow.manager(), day, after, limit, null));
  }

  async openDayView(day: StatementDay): Promise<LedgerDayView> {
    if (this.uow.engine === 'postgres') return this.openPostgresSnapshot(day);
    const cap = await this.uow.read(async () => {
      const row = await this.uow
        .manager()
        .createQueryBuilder(LedgerTransaction, 'tx')
        .select('MAX(tx.id)', 'maxId')
        .getRawOne<{ maxId: number | string | null }>();
      return Number(row?.maxId ?? 0);
    });
    return {
      totals: () => this.uow.read(async () => sumOf(await totalsByTranCode(this.uow.manager(), day, cap))),
      page: (after, limit) => this.uow.read(() => ledgerPage(this.uow.manager(), day, after, limit, cap)),
      close: () => Promise.resolve(),
    };
  }

  private async openPostgresSnapshot(day: StatementDay): Promise<LedgerDayView> {
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
    } catch (error) {
      await runner.release();
      throw error;
    }
    let closed = false;
    return {
      totals: async () => sumOf(await totalsByTranCode(runner.manager, day, null)),
      page: (after, limit) => ledgerPage(runner.manager, day, after, limit, null),
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await runner.rollbackTransaction();
        } finally {
          await runner.release();
        }
      },
    };
  }

  /**
   * Every (institution, company) pair with a file for the date: each company assigned to an institution, and any pair
   * with transactions that day (an assignment may have been withdrawn since), with the day's transaction count.
   */
  statementDays(businessDate: string): Promise<(StatementDay & { count: number })[]> {
    return this.uow.read(async () => {
      const assignments = await this.uow.repository(InstitutionCompany).find({ order: { instId: 'ASC', companyId: 'ASC' } });
      const counted = await this.uow
        .manager()
        .createQueryBuilder(LedgerTransaction, 'tx')
        .select('tx.instId', 'instId')
        .addSelect('tx.companyId', 'companyId')
        .addSelect('COUNT(*)', 'count')
        .where('tx.businessDate = :businessDate', { businessDate })
        .groupBy('tx.instId')
        .addGroupBy('tx.companyId')
        .getRawMany<{ instId: string; companyId: string; count: number | string }>();
      const days = new Map<string, StatementDay & { count: number }>();
      for (const a of assignments)
        days.set(`${a.instId}\u0000${a.companyId}`, { instId: a.instId, companyId: a.companyId, businessDate, count: 0 });
      for (const c of counted) {
        days.set(`${c.instId}\u0000${c.companyId}`, { instId: c.instId, companyId: c.companyId, businessDate, count: Number(c.count) });
      }
      return [...days.values()].sort((a, b) => compareText(a.instId, b.instId) || compareText(a.companyId, b.companyId));
    });
  }

  /** Inserts a check (in the caller's transaction) and returns its id. */
  async insertCheck(check: Omit<ReconciliationCheck, 'id'>): Promise<number> {
    const result = await this.uow.repository(ReconciliationCheck).insert(check);
    return (result.identifiers[0] as { id: number }).id;
  }

  async completeCheck(
    id: number,
    outcome: Pick<ReconciliationCheck, 'checkStatus' | 'ourCount' | 'ourMoney' | 'differenceCount'>,
  ): Promise<void> {
    await this.uow.repository(ReconciliationCheck).update({ id }, outcome);
  }

  /**
   * Multi-row INSERTs written out directly: TypeORM's insert builder costs some 80 µs a row, which for a day of 100,000
   * differences would eat most of the request deadline.
   */
  async insertDifferences(differences: ReconciliationDifference[]): Promise<void> {
    const postgres = this.uow.engine === 'postgres';
    for (let i = 0; i < differences.length; i += DIFFERENCE_INSERT_CHUNK) {
      const chunk = differences.slice(i, i + DIFFERENCE_INSERT_CHUNK);
      const params: (string | number | null)[] = [];
      const rows = chunk.map((d) => {
        const first = params.length;
        params.push(d.checkId, d.seq, d.tranSeq, d.kind, d.ours?.toString() ?? null, d.theirs?.toString() ?? null, d.lineNo);
        return `(${DIFFERENCE_COLUMNS.map((_, k) => (postgres ? `$${first + k + 1}` : '?')).join(', ')})`;
      });
      await this.uow
        .manager()
        .query(
          `INSERT INTO "reconciliation_difference" (${DIFFERENCE_COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${rows.join(', ')}`,
          params,
        );
    }
  }

  listChecks(filter: CheckFilter, window: { offset: number; limit: number }): Promise<{ items: ReconciliationCheck[]; total: number }> {
    return this.uow.read(async () => {
      const query = this.uow.manager().createQueryBuilder(ReconciliationCheck, 'c');
      if (filter.instId !== undefined) query.andWhere('c.instId = :instId', { instId: filter.instId });
      if (filter.companyId !== undefined) query.andWhere('c.companyId = :companyId', { companyId: filter.companyId });
      if (filter.payDate !== undefined) query.andWhere('c.payDate = :payDate', { payDate: filter.payDate });
      const [items, total] = await query.orderBy('c.id', 'ASC').offset(window.offset).limit(window.limit).getManyAndCount();
      return { items, total };
    });
  }

  findCheck(id: number): Promise<{ check: ReconciliationCheck; differences: ReconciliationDifference[] } | null> {
    return this.uow.read(async () => {
      const check = await this.uow.repository(ReconciliationCheck).findOneBy({ id });
      if (!check) return null;
      const differences = await this.uow.repository(ReconciliationDifference).find({ where: { checkId: id }, order: { seq: 'ASC' } });
      return { check, differences };
    });
  }
}

/** Byte order, as the database sorts TranSeq here (COLLATE "C" on PostgreSQL, BINARY on SQLite). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sumOf(totals: TranCodeTotals[]): { count: number; money: Fen } {
  return { count: totals.reduce((n, t) => n + t.count, 0), money: Fen.sum(totals.map((t) => t.money)) };
}

function dayQuery(manager: EntityManager, day: StatementDay, cap: number | null): SelectQueryBuilder<LedgerTransaction> {
  const query = manager
    .createQueryBuilder(LedgerTransaction, 'tx')
    .where('tx.instId = :instId AND tx.companyId = :companyId AND tx.businessDate = :businessDate', {
      instId: day.instId,
      companyId: day.companyId,
      businessDate: day.businessDate,
    });
  if (cap !== null) query.andWhere('tx.id <= :cap', { cap });
  return query;
}

async function totalsByTranCode(manager: EntityManager, day: StatementDay, cap: number | null): Promise<TranCodeTotals[]> {
  const rows = await dayQuery(manager, day, cap)
    .select('tx.tranCode', 'tranCode')
    .addSelect('COUNT(*)', 'count')
    .addSelect('SUM(tx.amount)', 'money')
    .groupBy('tx.tranCode')
    .getRawMany<{ tranCode: LedgerTranCode; count: number | string; money: string | number | null }>();
  return rows.map((row) => ({ tranCode: row.tranCode, count: Number(row.count), money: toFen(row.money) }));
}

async function ledgerPage(
  manager: EntityManager,
  day: StatementDay,
  after: LedgerCursor | null,
  limit: number,
  cap: number | null,
): Promise<LedgerLine[]> {
  const postgres = manager.connection.options.type === 'postgres';
  // Byte order for TranSeq on PostgreSQL too, whatever the database's collation: the file is the same on both engines.
  const seq = postgres ? 'tx.tran_seq COLLATE "C"' : 'tx.tran_seq';
  const query = dayQuery(manager, day, cap).select([
    'tx.id',
    'tx.tranSeq',
    'tx.billKey',
    'tx.amount',
    'tx.subChannel',
    'tx.payDate',
    'tx.businessDate',
    'tx.tranCode',
  ]);
  if (after) {
    query.andWhere(`(tx.pay_date > :afterPayDate OR (tx.pay_date = :afterPayDate AND ${seq} > :afterTranSeq))`, {
      afterPayDate: after.payDate,
      afterTranSeq: after.tranSeq,
    });
  }
  const rows = await query.orderBy('tx.pay_date', 'ASC').addOrderBy(seq, 'ASC').limit(limit).getMany();
  return rows.map((row) => ({
    payDate: row.payDate,
    businessDate: row.businessDate,
    tranSeq: row.tranSeq,
    billKey: row.billKey,
    amount: row.amount,
    subChannel: row.subChannel,
    tranCode: row.tranCode,
  }));
}
