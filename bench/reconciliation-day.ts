// A day of 100,000 transactions: writes its reconciliation file (as the export command does), downloads it from the admin
// API, and checks it back through PayCheck (balanced, then with every amount different). Each measured step runs in a
// fresh process of its own, which reports its peak RSS, so one step's memory never hides in another's.
//
//   node -r ts-node/register/transpile-only bench/reconciliation-day.ts [--count 100000]
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres node -r ts-node/register/transpile-only bench/reconciliation-day.ts
//
// SQLite by default (a scratch file); with BENCH_DATABASE_URL a scratch database on that PostgreSQL server, dropped after.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { LedgerTransaction, LedgerTranCode, TranStatus } from '../src/billing/entities/ledger-transaction.entity';
import { Fen } from '../src/common/fen';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { ReconciliationExportModule } from '../src/reconciliation/cli/reconciliation-export.module';
import { StatementService } from '../src/reconciliation/statement.service';
import { PartnerHttpAdapter } from '../src/protocol/partner-http-adapter';

const INST = 'BENCH01';
const COMPANY = '100001';
const BUSINESS_DATE = '2024-03-01';
const COMPACT_DATE = '20240301';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const SELF = __filename;

interface Report {
  maxRssMb: number;
  bootRssMb: number;
  [key: string]: unknown;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
/** Peak RSS of this process so far (resourceUsage gives kilobytes). */
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

function childEnv(databaseUrl: string, secretKey: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    SECRET_KEY: secretKey,
    ADMIN_TOKEN,
    DEMO_DATA: 'false',
    WITHHOLD_CRON: '',
    PORT: '0',
  };
}

// ---- child processes -----------------------------------------------------------------------------------------------

/** Children answer the driver on stdout, where the service also logs (JSON lines): answers carry this mark. */
const MARK = '@@reconciliation-bench ';

function report(value: object): void {
  process.stdout.write(`${MARK}${JSON.stringify(value)}\n`);
}

/** The service as main.ts builds it; prints its port, then on "report" its peak RSS, and exits. */
async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await NestFactory.create(AppModule.forRoot(config), new PartnerHttpAdapter(), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const bootRssMb = mb(process.memoryUsage().rss);
  report({ port: address.port });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== 'report') continue;
    report({ maxRssMb: peakRssMb(), bootRssMb } satisfies Report);
    await app.close();
    return;
  }
}

/** The export command's work (its module, StatementService.exportDay) for the day, timed from inside. */
async function exportFiles(dir: string): Promise<void> {
  const config = loadConfig(process.env);
  const app = await NestFactory.createApplicationContext(ReconciliationExportModule.forRoot(config), { logger: ['error', 'warn'] });
  const bootRssMb = mb(process.memoryUsage().rss);
  const started = performance.now();
  const files = await app.get(StatementService).exportDay(BUSINESS_DATE, dir);
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  report({ maxRssMb: peakRssMb(), bootRssMb, seconds, files: files.map((f) => f.path) });
}

// ---- the driver ----------------------------------------------------------------------------------------------------

async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.BENCH_DATABASE_URL;
  if (!server) {
    const dir = mkdtempSync(join(tmpdir(), 'reconciliation-bench-'));
    return { url: `sqlite:${join(dir, 'gateway.sqlite')}`, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
  }
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function startChild(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', SELF, ...args], { env });
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return { child, lines };
}

async function nextJson<T>(lines: AsyncIterator<string>): Promise<T> {
  for (;;) {
    const next = await lines.next();
    if (next.done === true) throw new Error('the child process ended early');
    if (next.value.startsWith(MARK)) return JSON.parse(next.value.slice(MARK.length)) as T;
  }
}

async function withServer<T>(env: NodeJS.ProcessEnv, work: (base: string) => Promise<T>): Promise<T & Report> {
  const { child, lines } = startChild(['serve'], env);
  const { port } = await nextJson<{ port: number }>(lines);
  try {
    const result = await work(`http://127.0.0.1:${port}`);
    child.stdin.write('report\n');
    return { ...result, ...(await nextJson<Report>(lines)) };
  } finally {
    child.stdin.end();
  }
}

async function admin(base: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** 90 % payments, 5 % withholdings, 5 % reversals, spread over the business day (Asia/Shanghai). */
async function seedLedger(env: NodeJS.ProcessEnv, count: number): Promise<number> {
  const dataSource = await new DataSource(buildDataSourceOptions(loadConfig(env).database)).initialize();
  const started = performance.now();
  const dayStart = Date.parse('2024-02-29T16:00:00.000Z');
  const chunk = 1000;
  for (let from = 0; from < count; from += chunk) {
    const rows: Omit<LedgerTransaction, 'id'>[] = [];
    for (let i = from; i < Math.min(count, from + chunk); i++) {
      const kind: LedgerTranCode = i % 20 === 7 ? 'PayInvalid' : i % 20 === 13 ? 'Withhold' : 'Pay';
      const fen = BigInt(((i * 7919) % 99_999) + 1);
      const payDate = new Date(dayStart + Math.floor((i * 86_400_000) / count)).toISOString();
      rows.push({
        instId: INST,
        tranSeq: `${kind === 'PayInvalid' ? 'REV' : kind === 'Withhold' ? 'WH' : 'P'}${String(i).padStart(8, '0')}`,
        tranCode: kind,
        companyId: COMPANY,
        billKey: `K${String(i % 5000).padStart(6, '0')}`,
        amount: Fen.of(kind === 'PayInvalid' ? -fen : fen),
        subChannel: i % 3,
        payDate,
        businessDate: BUSINESS_DATE,
        tranStatus: TranStatus.Success,
        originalTranSeq: kind === 'PayInvalid' ? `P${String(i).padStart(8, '0')}` : null,
        batchNo: null,
        respCode: 'AAAAAAA',
        respMessage: '成功',
        createdAt: payDate,
      });
    }
    await dataSource.transaction((manager) => manager.getRepository(LedgerTransaction).insert(rows));
  }
  const seconds = (performance.now() - started) / 1000;
  await dataSource.destroy();
  return seconds;
}

function businessToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date())
    .replaceAll('-', '');
}

async function payCheck(
  base: string,
  apiKey: string,
  tranSeq: string,
  file: Buffer,
): Promise<{ seconds: number; answer: Record<string, unknown>; bodyMb: number }> {
  const [count, money] = file.subarray(0, file.indexOf(0x0a)).toString('utf8').split('|');
  const body = JSON.stringify({
    Version: '1.0.1',
    InstId: INST,
    TranCode: 'PayCheck',
    TranDate: businessToday(),
    TranSeq: tranSeq,
    CompanyId: COMPANY,
    PayDate: COMPACT_DATE,
    PayCount: Number(count),
    PayMoney: money,
    FileName: `${COMPANY}_${COMPACT_DATE}.txt`,
    FileContent: file.toString('base64'),
  });
  const started = performance.now();
  const res = await fetch(`${base}/api/app/payCeb/paymentCheck`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': apiKey },
    body,
  });
  const answer = (await res.json()) as Record<string, unknown>;
  const seconds = (performance.now() - started) / 1000;
  if (res.status !== 200) throw new Error(`PayCheck answered ${res.status}: ${JSON.stringify(answer)}`);
  return { seconds, answer, bodyMb: mb(Buffer.byteLength(body)) };
}

/** Every amount one fen more, the summary adjusted: a check with a difference on every line. */
function everyAmountDifferent(file: Buffer): Buffer {
  const lines = file.toString('utf8').split('\n');
  let total = 0n;
  const details = lines.slice(1, -1).map((line) => {
    const fields = line.split('|');
    const fen = Fen.parseYuan(fields[3], { allowNegative: true })!.value;
    const changed = Fen.of(fen > 0n ? fen + 1n : fen - 1n);
    total += changed.value;
    fields[3] = changed.toYuan();
    return fields.join('|');
  });
  return Buffer.from([`${details.length}|${Fen.of(total).toYuan()}`, ...details, ''].join('\n'), 'utf8');
}

async function drive(count: number): Promise<void> {
  const database = await scratchDatabase();
  const work = mkdtempSync(join(tmpdir(), 'reconciliation-bench-files-'));
  const env = childEnv(database.url, randomBytes(32).toString('base64'));
  const engine = database.url.startsWith('postgres') ? 'postgres' : 'sqlite';
  try {
    // The first server applies the migrations; the institution and its company go through the admin API.
    const setup = await withServer(env, async (base) => {
      const created = await admin(base, 'POST', '/admin/v1/institutions', { instId: INST, name: 'Bench Bank' });
      await admin(base, 'POST', `/admin/v1/institutions/${INST}/companies`, { companyId: COMPANY, name: '压测营业所' });
      return { apiKey: created.apiKey as string };
    });
    const seedSeconds = await seedLedger(env, count);
    console.log(`${engine}: seeded ${count} transactions of ${BUSINESS_DATE} in ${seedSeconds.toFixed(1)} s`);

    const { child, lines } = startChild(['export', work], env);
    const exported = await nextJson<Report & { seconds: number; files: string[] }>(lines);
    child.stdin.end();
    const path = exported.files.find((f) => f.endsWith(`${COMPANY}_${COMPACT_DATE}.txt`))!;
    const file = readFileSync(path);

    const download = await withServer(env, async (base) => {
      const started = performance.now();
      const res = await fetch(`${base}/admin/v1/reconciliation?instId=${INST}&companyId=${COMPANY}&date=${COMPACT_DATE}&format=txt`, {
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (res.status !== 200 || !res.body) throw new Error(`download answered ${res.status}`);
      const target = join(work, 'downloaded.txt');
      await pipeline(Readable.fromWeb(res.body), createWriteStream(target));
      const seconds = (performance.now() - started) / 1000;
      const same = readFileSync(target).equals(file);
      return { seconds, same };
    });

    const balanced = await withServer(env, (base) => payCheck(base, setup.apiKey, 'BENCHCHECK1', file));
    const different = await withServer(env, (base) => payCheck(base, setup.apiKey, 'BENCHCHECK2', everyAmountDifferent(file)));

    const checkOf = (answer: Record<string, unknown>) => (answer.Data as { Check: Record<string, unknown> }).Check;
    const rows = [
      ['export (file on disk, as the CLI)', exported.seconds, exported.maxRssMb, exported.bootRssMb, `${mb(statSync(path).size)} MB`],
      [
        'admin download (format=txt)',
        download.seconds,
        download.maxRssMb,
        download.bootRssMb,
        download.same ? 'identical to the export' : 'DIFFERS',
      ],
      [
        'PayCheck, balanced',
        balanced.seconds,
        balanced.maxRssMb,
        balanced.bootRssMb,
        `body ${balanced.bodyMb} MB, CheckStatus ${String(checkOf(balanced.answer).CheckStatus)}`,
      ],
      [
        'PayCheck, every amount different',
        different.seconds,
        different.maxRssMb,
        different.bootRssMb,
        `CheckStatus ${String(checkOf(different.answer).CheckStatus)}, ${String(checkOf(different.answer).DifferenceCount)} differences stored`,
      ],
    ] as const;
    console.log(`\n${engine}, ${count} transactions in one (institution, company, day); ${file.toString('utf8').split('\n')[0]}`);
    console.log('step                                   time      peak RSS   RSS after boot   notes');
    for (const [step, seconds, peak, boot, note] of rows) {
      console.log(
        `${step.padEnd(38)} ${`${seconds.toFixed(2)} s`.padStart(8)}  ${`${peak} MB`.padStart(9)}  ${`${boot} MB`.padStart(15)}   ${note}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    await database.drop();
  }
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'serve') return serve();
  if (mode === 'export') return exportFiles(rest[0]);
  const { values } = parseArgs({ args: process.argv.slice(2), options: { count: { type: 'string', default: '100000' } } });
  await drive(Number(values.count));
}

main().catch((error: Error) => {
  console.error(error.stack ?? String(error));
  process.exitCode = 1;
});
