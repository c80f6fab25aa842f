import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../support/test-app';

describe(`schema (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('matches the entities exactly after the migrations ran', async () => {
    const pending = await t.app.get(DataSource).driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('reverts and re-applies every migration', async () => {
    const dataSource = t.app.get(DataSource);
    for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(
      await dataSource.query(
        `SELECT COUNT(*) AS n FROM ${dataSource.options.type === 'postgres' ? 'pg_tables WHERE schemaname = current_schema() AND tablename' : "sqlite_master WHERE type = 'table' AND name"} = 'bill'`,
      ),
    ).toEqual([{ n: expect.anything() }]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(dataSource.migrations.length);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
