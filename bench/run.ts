/**
 * `npm run bench`: autocannon against servers in separate processes, all measured in one run.
 *   protocol: the same Query as JSON, as GBK XML and SM4-encrypted JSON through the whole partner pipeline,
 *   with a bare NestJS JSON echo as the framework reference. Figures are printed as ratios to JSON.
 * Options (env): BENCH_DURATION seconds per scenario (default 8), BENCH_CONNECTIONS (default 50).
 */
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeRequestMessage, ResponseMessage } from '../src/protocol/codec';
import { encodeBody, resolveCipherSuite } from '../src/protocol/crypto';
import { OPERATIONS } from '../src/protocol/partner-operation';

const ROOT = resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const API_KEY = 'bench-api-key-0000000000000001';
const SECRET = randomBytes(32);

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(script: string, env: Record<string, string>): Promise<Server> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, script)], {
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

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function measure(name: string, url: string, body: Buffer | string, headers: Record<string, string>): Promise<Figures> {
  // A short warm-up, then the measured run.
  await autocannon({ url, method: 'POST', body, headers, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({ url, method: 'POST', body, headers, connections: CONNECTIONS, duration: DURATION });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date())
    .replaceAll('-', '');
}

async function protocolScenario(): Promise<Figures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const app = await startServer('bench/protocol-server.ts', {
    DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`,
    SECRET_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN,
    DEMO_API_KEY: API_KEY,
    DEMO_ENC_KEY: SECRET.toString('base64'),
    WITHHOLD_CRON: '',
    DOCS_ENABLED: 'false',
  });
  const echo = await startServer('bench/nest-echo-server.ts', {});
  try {
    // The default limits (1000 Query a minute per institution) would answer most of the load with 429.
    const limits = await fetch(`${app.url}/admin/v1/institutions/00001/limits`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Query: { perKey: 1_000_000, perInst: 1_000_000 } }),
    });
    if (!limits.ok) throw new Error(`limit override failed: ${limits.status} ${await limits.text()}`);

    const message: ResponseMessage = {
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'Query',
      TranDate: today(),
      TranSeq: 'BENCH0001',
      BillKey: '123456',
      CompanyId: '654321',
    };
    const url = `${app.url}${OPERATIONS.Query.path}`;
    const json = encodeRequestMessage('JSON', message);
    const xml = encodeRequestMessage('XML', { ...message, BillKey: '123456' }, 'GBK');
    const sm4 = encodeBody(resolveCipherSuite('SM4', 'CBC')!, json, SECRET);
    const results = [
      await measure('NestJS JSON echo (reference)', `${echo.url}/echo`, json, { 'Content-Type': 'application/json' }),
      await measure('Query JSON', url, json, { 'Content-Type': 'application/json', 'X-Api-Key': API_KEY }),
      await measure('Query GBK XML', url, xml, { 'Content-Type': 'application/xml; charset=GBK', 'X-Api-Key': API_KEY }),
      await measure('Query SM4 (JSON inside)', url, sm4, {
        'Content-Type': 'text/plain',
        'X-Data-Type': 'JSON',
        'X-Encrypt-Type': 'SM4',
        'X-Api-Key': API_KEY,
      }),
    ];
    return results;
  } finally {
    app.child.kill('SIGTERM');
    echo.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(title: string, figures: Figures[], baseline: string): void {
  const base = figures.find((f) => f.name === baseline)!;
  console.log(`\n${title} (c=${CONNECTIONS}, ${DURATION}s each; ratio against "${baseline}")`);
  console.log(
    'scenario'.padEnd(32),
    'req/s'.padStart(9),
    'ratio'.padStart(7),
    'p50 ms'.padStart(8),
    'p99 ms'.padStart(8),
    'non-2xx'.padStart(8),
    'errors'.padStart(7),
  );
  for (const f of figures) {
    console.log(
      f.name.padEnd(32),
      f.rps.toFixed(0).padStart(9),
      (f.rps / base.rps).toFixed(2).padStart(7),
      String(f.p50).padStart(8),
      String(f.p99).padStart(8),
      String(f.non2xx).padStart(8),
      String(f.errors).padStart(7),
    );
  }
}

async function main(): Promise<void> {
  const protocol = await protocolScenario();
  report('Protocol pipeline', protocol, 'Query JSON');
  if (protocol.some((f) => f.errors > 0 || f.non2xx > 0)) {
    console.error('\nsome requests failed: the figures above are not comparable');
    process.exitCode = 1;
  }
}

void main();
