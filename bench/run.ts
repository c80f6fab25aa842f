/**
 * `npm run bench`: autocannon against servers in separate processes, every figure measured in one run.
 *   protocol — the same Query as JSON, as GBK XML and SM4-encrypted through the whole partner pipeline, with a
 *              bare NestJS JSON echo as the framework reference; ratios against Query JSON.
 *   billing  — every request a distinct reversal of a payment prepared beforehand, JSON and GBK XML, against a
 *              framework-free node:http + better-sqlite3 server doing the same transaction; ratios against it.
 *              Then the JSON reversal again at half its own peak rate, for its p99.
 *   hostile  — what decoding a hostile 16 MiB body costs against an honest PayCheck of that size (bench/hostile-bodies.ts).
 * Env: BENCH_DURATION seconds per scenario (default 10), BENCH_CONNECTIONS (default 50), BENCH_ONLY=protocol|billing|hostile.
 */
import autocannon, { Request } from 'autocannon';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeRequestMessage, ResponseMessage } from '../src/protocol/codec';
import { encodeBody, resolveCipherSuite } from '../src/protocol/crypto';
import { OPERATIONS } from '../src/protocol/partner-operation';
import { preparePayments } from './fixtures';
import { hostileScenario, reportHostile } from './hostile-bodies';
import { migratedSqlite } from './migrate';

const ROOT = resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SQLITE_SYNC = process.env.SQLITE_SYNC ?? 'FULL';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const API_KEY = 'bench-api-key-0000000000000001';
const SECRET = randomBytes(32);
const FIXTURES = 150_000;

interface Server {
  child: ChildProcess;
  url: string;
}

/**
 * The servers run compiled, as `npm start` runs the service: under ts-node every EventEmitter would pay for the
 * `domain` module its REPL loads. Compiled once per run into dist-bench/.
 */
function compileServers(): void {
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.bench.json')], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error('compiling the benchmark servers failed');
}

async function startServer(script: string, env: Record<string, string>): Promise<Server> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of every server, to see where the time goes.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const compiled = join(ROOT, 'dist-bench', script.replace(/\.ts$/, '.js'));
  const child = spawn(process.execPath, [...profile, compiled], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, fail) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ready());
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function startService(dbPath: string): Promise<Server> {
  const server = await startServer('bench/service-server.ts', {
    DATABASE_URL: `sqlite:${dbPath}`,
    SQLITE_SYNC,
    SECRET_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN,
    DEMO_API_KEY: API_KEY,
    DEMO_ENC_KEY: SECRET.toString('base64'),
    WITHHOLD_CRON: '',
    DOCS_ENABLED: 'false',
    // One log line per request would be piped into this process, which also drives the load.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  // The default limits (e.g. 100 reversals a minute per institution) would answer most of the load with 429.
  const high = { perKey: 1_000_000, perInst: 1_000_000 };
  const res = await fetch(`${server.url}/admin/v1/institutions/00001/limits`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ Query: high, PayInvalid: high }),
  });
  if (!res.ok) throw new Error(`limit override failed: ${res.status} ${await res.text()}`);
  return server;
}

interface Figures {
  name: string;
  rps: number;
  /** CPU time of the server process (all its threads) per request, in microseconds. */
  cpuUs: number;
  p50: number;
  p99: number;
  failed: number;
}

interface Load {
  url: string;
  headers: Record<string, string>;
  body: (i: number) => Buffer | string;
  rate?: number;
  /** Fewer connections for a paced load: autocannon releases each second's `rate` requests together. */
  connections?: number;
  /** The process serving it, whose CPU time per request is reported. */
  server: Server;
}

interface NamedLoad extends Load {
  name: string;
  counter: { i: number };
}

async function run(load: Load, duration: number, counter: { i: number }) {
  const request: Request = {
    method: 'POST',
    headers: load.headers,
    setupRequest: (req) => ({ ...req, body: load.body(counter.i++) }),
  };
  return autocannon({
    url: load.url,
    connections: load.connections ?? CONNECTIONS,
    duration,
    requests: [request],
    ...(load.rate ? { overallRate: load.rate } : {}),
  });
}

/** User + system CPU milliseconds the process has used, from /proc (NaN where there is none). */
function cpuMs(server: Server): number {
  try {
    const fields = readFileSync(`/proc/${server.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticksPerSecond = 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Runs every load ROUNDS times, interleaved, so a burst of other work on the machine hits all of them alike;
 * reports each load's median round.
 */
async function measureInterleaved(loads: NamedLoad[]): Promise<Figures[]> {
  const rounds = new Map<string, Figures[]>();
  for (const load of loads) await run(load, WARMUP, load.counter);
  for (let round = 0; round < ROUNDS; round++) {
    for (const load of loads) {
      const cpuBefore = cpuMs(load.server);
      const result = await run(load, DURATION, load.counter);
      const figures = {
        name: load.name,
        rps: result.requests.average,
        cpuUs: ((cpuMs(load.server) - cpuBefore) * 1000) / Math.max(1, result.requests.total),
        p50: result.latency.p50,
        p99: result.latency.p99,
        failed: result.errors + result.timeouts + result.non2xx,
      };
      rounds.set(load.name, [...(rounds.get(load.name) ?? []), figures]);
    }
  }
  return loads.map((load) => {
    const all = rounds.get(load.name)!;
    return {
      name: load.name,
      rps: median(all.map((f) => f.rps)),
      cpuUs: median(all.map((f) => f.cpuUs)),
      p50: median(all.map((f) => f.p50)),
      p99: median(all.map((f) => f.p99)),
      failed: all.reduce((sum, f) => sum + f.failed, 0),
    };
  });
}

const named = (name: string, load: Load): NamedLoad => ({ ...load, name, counter: { i: 0 } });

function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date())
    .replaceAll('-', '');
}

const envelope = (tranCode: string, tranSeq: string): ResponseMessage => ({
  Version: '1.0.1',
  InstId: '00001',
  TranCode: tranCode,
  TranDate: today(),
  TranSeq: tranSeq,
});

async function protocolScenario(dir: string): Promise<Figures[]> {
  const dbPath = join(dir, 'protocol.sqlite');
  const app = await startService(dbPath);
  const echo = await startServer('bench/nest-echo-server.ts', {});
  try {
    const message: ResponseMessage = { ...envelope('Query', 'BENCH0001'), BillKey: '123456', CompanyId: '654321' };
    const url = `${app.url}${OPERATIONS.Query.path}`;
    const json = encodeRequestMessage('JSON', message);
    const xml = encodeRequestMessage('XML', message, 'GBK');
    const sm4 = encodeBody(resolveCipherSuite('SM4', 'CBC')!, json, SECRET);
    return await measureInterleaved([
      named('NestJS JSON echo (reference)', {
        server: echo,
        url: `${echo.url}/echo`,
        headers: { 'Content-Type': 'application/json' },
        body: () => json,
      }),
      named('Query JSON', { server: app, url, headers: { 'Content-Type': 'application/json', 'X-Api-Key': API_KEY }, body: () => json }),
      named('Query GBK XML', {
        server: app,
        url,
        headers: { 'Content-Type': 'application/xml; charset=GBK', 'X-Api-Key': API_KEY },
        body: () => xml,
      }),
      named('Query SM4 (JSON inside)', {
        server: app,
        url,
        headers: { 'Content-Type': 'text/plain', 'X-Data-Type': 'JSON', 'X-Encrypt-Type': 'SM4', 'X-Api-Key': API_KEY },
        body: () => sm4,
      }),
    ]);
  } finally {
    app.child.kill('SIGTERM');
    echo.child.kill('SIGTERM');
  }
}

async function billingScenario(dir: string): Promise<Figures[]> {
  const template = join(dir, 'template.sqlite');
  await migratedSqlite(template);
  const servicePath = join(dir, 'service.sqlite');
  const baselinePath = join(dir, 'baseline.sqlite');
  copyFileSync(template, servicePath);
  copyFileSync(template, baselinePath);
  for (const prefix of ['J', 'X', 'H']) preparePayments(servicePath, prefix, FIXTURES);
  preparePayments(baselinePath, 'B', FIXTURES);

  const reversal = (prefix: string) => (i: number) => ({
    ...envelope('PayInvalid', `R${prefix}${i}`),
    OriginalTranSeq: `P${prefix}${i}`,
    BillKey: `BK${prefix}${i}`,
    CompanyId: '654321',
  });
  const baseline = await startServer('bench/reversal-baseline-server.ts', { BASELINE_DB: baselinePath, SQLITE_SYNC });
  const app = await startService(servicePath);
  try {
    const url = `${app.url}${OPERATIONS.PayInvalid.path}`;
    const query = { ...envelope('Query', 'BENCHQ'), BillKey: '123456', CompanyId: '654321' };
    const queryUrl = `${app.url}${OPERATIONS.Query.path}`;
    const json = (prefix: string): Load => ({
      server: app,
      url,
      headers: { 'Content-Type': 'application/json', 'X-Api-Key': API_KEY },
      body: (i) => encodeRequestMessage('JSON', reversal(prefix)(i)),
    });
    const peak = await measureInterleaved([
      named('baseline reversal (node:http + better-sqlite3)', {
        server: baseline,
        url: `${baseline.url}/reverse`,
        headers: { 'Content-Type': 'application/json' },
        body: (i) => JSON.stringify(reversal('B')(i)),
      }),
      named('service reversal JSON', json('J')),
      named('service reversal GBK XML', {
        server: app,
        url,
        headers: { 'Content-Type': 'application/xml; charset=GBK', 'X-Api-Key': API_KEY },
        body: (i) => encodeRequestMessage('XML', reversal('X')(i), 'GBK'),
      }),
      named('service Query JSON', {
        server: app,
        url: queryUrl,
        headers: { 'Content-Type': 'application/json', 'X-Api-Key': API_KEY },
        body: () => encodeRequestMessage('JSON', query),
      }),
      named('service Query GBK XML', {
        server: app,
        url: queryUrl,
        headers: { 'Content-Type': 'application/xml; charset=GBK', 'X-Api-Key': API_KEY },
        body: () => encodeRequestMessage('XML', query, 'GBK'),
      }),
    ]);
    const jsonPeak = peak.find((f) => f.name === 'service reversal JSON')!.rps;
    const [halfPeak] = await measureInterleaved([
      named('service reversal JSON at half its peak (4 connections)', {
        ...json('H'),
        rate: Math.max(1, Math.floor(jsonPeak / 2)),
        connections: 4,
      }),
    ]);
    return [...peak, halfPeak];
  } finally {
    baseline.child.kill('SIGTERM');
    app.child.kill('SIGTERM');
  }
}

function report(title: string, figures: Figures[], baseline: string): void {
  const base = figures.find((f) => f.name === baseline)!;
  console.log(
    `\n${title} (c=${CONNECTIONS}, ${DURATION}s each after ${WARMUP}s warm-up, SQLITE_SYNC=${SQLITE_SYNC}; ratio against "${baseline}")`,
  );
  console.log(
    'scenario'.padEnd(48),
    'req/s'.padStart(8),
    'ratio'.padStart(6),
    'p50 ms'.padStart(7),
    'p99 ms'.padStart(7),
    'CPU us/req'.padStart(11),
    'failed'.padStart(7),
  );
  for (const f of figures) {
    console.log(
      f.name.padEnd(48),
      f.rps.toFixed(0).padStart(8),
      (f.rps / base.rps).toFixed(2).padStart(6),
      String(f.p50).padStart(7),
      String(f.p99).padStart(7),
      f.cpuUs.toFixed(0).padStart(11),
      String(f.failed).padStart(7),
    );
  }
}

async function main(): Promise<void> {
  compileServers();
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const only = process.env.BENCH_ONLY;
  const all: Figures[] = [];
  try {
    if (!only || only === 'protocol') {
      const protocol = await protocolScenario(dir);
      report('Protocol pipeline', protocol, 'Query JSON');
      all.push(...protocol);
    }
    if (!only || only === 'billing') {
      const billing = await billingScenario(dir);
      report('Billing', billing, 'baseline reversal (node:http + better-sqlite3)');
      all.push(...billing);
    }
    if (!only || only === 'hostile') reportHostile(hostileScenario());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (all.some((f) => f.failed > 0)) {
    console.error('\nsome requests failed: the figures above are not comparable');
    process.exitCode = 1;
  }
}

void main();
