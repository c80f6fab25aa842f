import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Mutex } from 'async-mutex';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * The one way to run a business transaction. Repositories ask it for the current manager, so inside
 * `transaction()` every repository call joins that transaction without being passed a manager.
 *
 * better-sqlite3 gives TypeORM a single shared connection: two overlapping transactions on it would
 * interleave (one's ROLLBACK could undo the other's committed writes), so on SQLite every transaction and
 * every read runs under one mutex. On PostgreSQL transactions run concurrently and services guard state
 * changes with conditional updates and unique constraints, which behave the same on SQLite.
 */
interface TransactionScope {
  manager: EntityManager;
  /** Run once the outermost transaction committed; dropped on rollback. */
  afterCommit: (() => void)[];
}

@Injectable()
export class UnitOfWork {
  private readonly scope = new AsyncLocalStorage<TransactionScope>();
  private readonly sqliteLock: Mutex | null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
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
    const afterCommit: (() => void)[] = [];
    const run = () => this.dataSource.transaction((manager) => this.scope.run({ manager, afterCommit }, work));
    const result = await (this.sqliteLock ? this.sqliteLock.runExclusive(run) : run());
    for (const hook of afterCommit) hook();
    return result;
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
    return outer.manager.transaction((manager) => this.scope.run({ manager, afterCommit: outer.afterCommit }, work));
  }

  /** Runs reads outside a transaction; on SQLite it waits so it never sees another request's uncommitted writes. */
  async read<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction() || !this.sqliteLock) return work();
    return this.sqliteLock.runExclusive(work);
  }
}
