import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { OpenApiContract, OpenApiDocument, watchResponses } from './openapi-validation';
import { PartnerHttpAdapter } from '../../src/protocol/partner-http-adapter';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export type TestEngine = 'sqlite' | 'postgres';

/** Which engine the integration suite runs on: TEST_ENGINE=postgres with TEST_DATABASE_URL, else SQLite. */
export function testEngine(): TestEngine {
  return process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  engine: TestEngine;
  /** For supertest: `request(t.http)`. */
  http: ReturnType<INestApplication['getHttpServer']>;
  /**
   * The document served at /docs-json, against which every response of this app is checked as it is written;
   * `close()` fails when any did not conform. Undefined when the app serves no document (DOCS_ENABLED=false).
   */
  contract?: OpenApiContract;
  close(): Promise<void>;
}

/** A scratch database: a fresh SQLite file, or a fresh PostgreSQL database on TEST_DATABASE_URL's server. */
async function scratchDatabase(engine: TestEngine): Promise<{ url: string; drop: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-test-'));
    return { url: `sqlite:${join(dir, 'gateway.sqlite')}`, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_ENGINE=postgres needs TEST_DATABASE_URL');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestAppExtras {
  /** Controllers added to the app, e.g. the echo partner operations. */
  controllers?: Type[];
  /** Providers replaced by a value, e.g. `{ provide: PROCESSING_DEADLINE, useValue: 100 }`. */
  overrides?: { provide: string | symbol | Type; useValue: unknown }[];
}

/** The real app over real HTTP on a real database, as main.ts builds it. */
export async function createTestApp(env: Record<string, string> = {}, extra: TestAppExtras = {}): Promise<TestApp> {
  const engine = testEngine();
  const db = await scratchDatabase(engine);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    SECRET_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN,
    DEMO_DATA: 'false',
    WITHHOLD_CRON: '',
    SQLITE_SYNC: 'NORMAL',
    ...env,
  });
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
    controllers: extra.controllers ?? [],
  });
  for (const { provide, useValue } of extra.overrides ?? []) builder.overrideProvider(provide).useValue(useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication(new PartnerHttpAdapter(), { bodyParser: false, logger: ['error', 'warn'] });
  configureApp(app, config);
  await app.init();
  const http = app.getHttpServer();
  const contract = await watchContract(http, (extra.controllers ?? []).length > 0);
  return {
    app,
    config,
    engine,
    http,
    contract,
    close: async () => {
      await app.close();
      await db.drop();
      if (contract && contract.violations.length > 0) {
        throw new Error(`responses that do not conform to the served OpenAPI document (/docs-json):\n${contract.report()}`);
      }
    },
  };
}

/** Reads the served document and checks every later response of `http` against it. */
async function watchContract(http: TestApp['http'], testDoubles: boolean): Promise<OpenApiContract | undefined> {
  const served = await request(http).get('/docs-json');
  if (served.status !== 200) return undefined;
  const contract = new OpenApiContract(served.body as OpenApiDocument, { successDataUnchecked: testDoubles });
  watchResponses(http, contract);
  return contract;
}
