import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, Statement } from 'better-sqlite3';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * The one way to run a business transaction. Repositories ask it for the current manager, so inside
 * `transaction()` every repository call joins that transaction without being passed a manager.
 *
 * better-sqlite3 gives TypeORM a single shared connection: two overlapping transactions on it would
 * interleave (one's ROLLBACK could undo the other's committed writes), so on SQLite every transaction and
 * every read runs under one mutex. On PostgreSQL transactions run concurrently and services guard state
 * changes with conditional updates and unique constraints, which behave the same on SQLite.
 *
 * On SQLite, transactions that queue up behind one another commit as a group: one database transaction runs
 * them one after the other, each under its own savepoint, and commits once (SQLite's COMMIT, with its fsync,
 * costs more than a whole reversal's statements). A transaction that fails rolls back to its savepoint and
 * fails alone; every member is answered only once the group is over, so nobody hears of success before their
 * work is durable, and if the COMMIT fails every member fails and nothing of the group remains. Each member
 * sees the writes of those before it, exactly as if they had committed one by one in that order.
 */
interface TransactionScope {
  manager: EntityManager;
  /** 1 in a transaction, one more in each savepoint. */
  depth: number;
  /** Run once the outermost transaction committed; dropped on rollback. */
  afterCommit: (() => void)[];
}

interface GroupMember {
  work: () => Promise<unknown>;
  afterCommit: (() => void)[];
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  result?: unknown;
}

/** A commit group closes at this many members or after this long, so its first member's wait stays short. */
export interface CommitGroupBounds {
  maxMembers: number;
  maxMs: number;
}

export const COMMIT_GROUP_BOUNDS = Symbol('COMMIT_GROUP_BOUNDS');
export const DEFAULT_COMMIT_GROUP_BOUNDS: CommitGroupBounds = { maxMembers: 64, maxMs: 10 };

@Injectable()
export class UnitOfWork {
  private readonly scope = new AsyncLocalStorage<TransactionScope>();
  private readonly sqliteLock: Mutex | null;
  /** Prepared statements of the hot paths, per better-sqlite3 connection (a re-initialised data source gets a new one). */
  private readonly sqliteStatements = new WeakMap<Database, Map<string, Statement>>();
  /** `?` placeholders rewritten as PostgreSQL's `$n`, per statement text. */
  private readonly postgresText = new Map<string, string>();
  private sharedRunner: { connection: Database; runner: QueryRunner } | undefined;
  /** SQLite transactions waiting for a commit group. */
  private readonly waiting: GroupMember[] = [];
  private grouping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(COMMIT_GROUP_BOUNDS) private readonly groupBounds: CommitGroupBounds,
  ) {
    this.sqliteLock = config.database.engine === 'sqlite' ? new Mutex() : null;
  }

  get engine(): 'sqlite' | 'postgres' {
    return this.sqliteLock ? 'sqlite' : 'postgres';
  }

  /** The transaction's manager inside `transaction()`, else the data source's. */
  manager(): EntityManager {
    return this.scope.getStore()?.manager ?? this.dataSource.manager;
  }

  repository<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.manager().getRepository(entity);
  }

  inTransaction(): boolean {
    return this.scope.getStore() !== undefined;
  }

  /** Runs `work` in one database transaction; a nested call joins the outer transaction. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction()) return work();
    if (this.sqliteLock) return this.groupCommitted(work);
    const afterCommit: (() => void)[] = [];
    const result = await this.dataSource.transaction((manager) => this.scope.run({ manager, afterCommit, depth: 1 }, work));
    for (const hook of afterCommit) hook();
    return result;
  }

  private groupCommitted<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, afterCommit: [], resolve: resolve as (result: unknown) => void, reject });
      if (!this.grouping) void this.runGroups();
    });
  }

  private async runGroups(): Promise<void> {
    this.grouping = true;
    try {
      // Reads queued on the lock meanwhile get their turn between groups.
      while (this.waiting.length > 0) await this.sqliteLock!.runExclusive(() => this.runGroup());
    } finally {
      this.grouping = false;
    }
  }

  private async runGroup(): Promise<void> {
    const runner = this.sqliteRunner();
    const connection = this.sqliteConnection();
    const started = Date.now();
    const done: GroupMember[] = [];
    const failed: { member: GroupMember; error: unknown }[] = [];
    try {
      await runner.startTransaction();
    } catch (error) {
      // No transaction can start (the database is closing, say): fail those waiting rather than retry forever.
      this.sharedRunner = undefined;
      for (const member of this.waiting.splice(0)) member.reject(error);
      return;
    }
    try {
      const { maxMembers, maxMs } = this.groupBounds;
      while (done.length + failed.length < maxMembers && Date.now() - started < maxMs) {
        // better-sqlite3 never yields to the event loop: let requests already received reach their transaction.
        if (this.waiting.length === 0) await new Promise((resume) => setImmediate(resume));
        if (this.waiting.length === 0) break;
        const member = this.waiting.shift()!;
        try {
          const scope = { manager: runner.manager, afterCommit: member.afterCommit, depth: 1 };
          member.result = await this.sqliteSavepoint(scope, member.work);
          done.push(member);
        } catch (error) {
          failed.push({ member, error });
        }
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then the group is lost.
        if (!connection.inTransaction) throw new Error('SQLite rolled back the transaction');
      }
      await runner.commitTransaction();
    } catch (error) {
      if (connection.inTransaction) connection.exec('ROLLBACK');
      // The runner's idea of its transaction may be off now: the next group starts on a new one.
      this.sharedRunner = undefined;
      for (const member of done) member.reject(error);
      return;
    } finally {
      // Settled only once the group is over, so whoever sees a transaction fail finds no transaction open.
      for (const { member, error } of failed) member.reject(error);
    }
    for (const member of done) {
      try {
        for (const hook of member.afterCommit) hook();
        member.resolve(member.result);
      } catch (error) {
        member.reject(error);
      }
    }
  }

  /** Runs `hook` once the current transaction has committed (at once outside one), e.g. to drop a cache entry. */
  afterCommit(hook: () => void): void {
    const scope = this.scope.getStore();
    if (scope) scope.afterCommit.push(hook);
    else hook();
  }

  /**
   * Inside a transaction, runs `work` under a savepoint: if it throws, only its own writes are undone and the
   * outer transaction goes on. Outside one it simply runs `work`.
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.scope.getStore();
    if (!outer) return work();
    if (this.sqliteLock) return this.sqliteSavepoint({ ...outer, depth: outer.depth + 1 }, work);
    return outer.manager.transaction((manager) =>
      this.scope.run({ manager, afterCommit: outer.afterCommit, depth: outer.depth + 1 }, work),
    );
  }

  /**
   * `work` in `scope` under an SQLite savepoint named by its depth, on the connection itself: cheaper than
   * TypeORM's nested transaction, whose own savepoints (typeorm_n) still nest inside these.
   */
  private async sqliteSavepoint<T>(scope: TransactionScope, work: () => Promise<T>): Promise<T> {
    const name = `uow_${scope.depth}`;
    this.sqliteStatement(`SAVEPOINT ${name}`).run();
    let result: T;
    try {
      result = await this.scope.run(scope, work);
    } catch (error) {
      if (this.sqliteConnection().inTransaction) {
        this.sqliteStatement(`ROLLBACK TO ${name}`).run();
        this.sqliteStatement(`RELEASE ${name}`).run();
      }
      throw error;
    }
    this.sqliteStatement(`RELEASE ${name}`).run();
    return result;
  }

  /**
   * The rows of one parameterised statement (`?` placeholders; a SELECT, or a write with RETURNING) in the current
   * transaction, or under `read()` outside one. For the per-request hot paths, where building the query through
   * TypeORM costs more than running it: statements are prepared once per connection on SQLite.
   */
  async rows<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    if (this.sqliteLock) {
      const statement = this.sqliteStatement(sql);
      const execute = (): T[] => (statement.reader ? (statement.all(...params) as T[]) : (statement.run(...params), []));
      return this.inTransaction() ? execute() : this.read(() => Promise.resolve(execute()));
    }
    return (await this.postgresQuery(sql, params)).records as T[];
  }

  /** Runs one parameterised write (`?` placeholders) in the current transaction; returns how many rows it changed. */
  async run(sql: string, params: readonly unknown[]): Promise<number> {
    if (!this.inTransaction()) throw new Error('UnitOfWork.run() writes only inside a transaction');
    if (this.sqliteLock) return this.sqliteStatement(sql).run(...params).changes;
    return (await this.postgresQuery(sql, params)).affected ?? 0;
  }

  /**
   * SQLite transactions take turns on the one connection, so they share one query runner: TypeORM prepares
   * statements per runner, and a new runner per transaction would prepare BEGIN and COMMIT every time.
   */
  private sqliteRunner(): QueryRunner {
    const connection = this.sqliteConnection();
    if (!this.sharedRunner || this.sharedRunner.connection !== connection || this.sharedRunner.runner.isReleased) {
      this.sharedRunner = { connection, runner: this.dataSource.createQueryRunner() };
    }
    return this.sharedRunner.runner;
  }

  private sqliteConnection(): Database {
    return (this.dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
  }

  private sqliteStatement(sql: string): Statement {
    const connection = this.sqliteConnection();
    let statements = this.sqliteStatements.get(connection);
    if (!statements) this.sqliteStatements.set(connection, (statements = new Map<string, Statement>()));
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = connection.prepare(sql)));
    return statement;
  }

  private async postgresQuery(sql: string, params: readonly unknown[]) {
    let text = this.postgresText.get(sql);
    if (text === undefined) {
      let n = 0;
      // The statements are the code's own: no `?` inside literals.
      text = sql.replace(/\?/g, () => `$${++n}`);
      this.postgresText.set(sql, text);
    }
    const scoped = this.scope.getStore()?.manager.queryRunner;
    const runner: QueryRunner = scoped ?? this.dataSource.createQueryRunner();
    try {
      return await runner.query(text, params as unknown[], true);
    } finally {
      if (!scoped) await runner.release();
    }
  }

  /** Runs reads outside a transaction; on SQLite it waits so it never sees another request's uncommitted writes. */
  async read<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction() || !this.sqliteLock) return work();
    return this.sqliteLock.runExclusive(work);
  }
}
