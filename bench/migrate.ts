import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';

/** Creates an SQLite file with the service's schema, as its migrations build it. */
export async function migratedSqlite(path: string): Promise<void> {
  const dataSource = await new DataSource(
    buildDataSourceOptions({ engine: 'sqlite', url: `sqlite:${path}`, sqlitePath: path, sqliteSync: 'NORMAL' }),
  ).initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
}
