import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { testEngine } from '../support/test-app';

const ROOT = resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts src/main.ts as `npm start` would run it (transpiled on the fly), in `cwd`, with `env`. */
function start(cwd: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, 'src/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => out, exited };
}

async function waitFor(started: Started, text: string, timeoutMs = 45000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (Date.now() > deadline || started.child.exitCode !== null) throw new Error(`"${text}" not seen; output:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(started: Started): Promise<void> {
  started.child.kill('SIGTERM');
  await started.exited;
}

// The quick start is about the embedded SQLite default; the PostgreSQL run covers the app through createTestApp.
const describeEmbedded = testEngine() === 'sqlite' ? describe : describe.skip;

describeEmbedded('npm start on an empty machine (embedded SQLite default)', () => {
  let cwd: string;

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'gateway-start-'));
  });

  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it('serves with demo data, prints the demo credentials once, and keeps its data across a restart', async () => {
    const port = String(40000 + Math.floor(Math.random() * 20000));
    const first = start(cwd, { PORT: port });
    try {
      await waitFor(first, 'serving on');
      const out = first.output();
      expect(out).toMatch(/demo institution 00001: X-Api-Key ak_/);
      expect(out).toMatch(/payload secret \(base64\) [A-Za-z0-9+/]{43}=/);
      expect(out).toMatch(/ADMIN_TOKEN not set: this run's admin token is \S{16,}/);
      expect(out).toContain(`Swagger UI will be at http://localhost:${port}/docs`);
      const token = /admin token is (\S+)/.exec(out)?.[1] ?? '';

      const health = await request(`http://127.0.0.1:${port}`).get('/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
      expect((await request(`http://127.0.0.1:${port}`).get('/docs')).status).toBe(200);
      expect(token.length).toBeGreaterThanOrEqual(16);
    } finally {
      await stop(first);
    }

    const second = start(cwd, { PORT: port });
    try {
      await waitFor(second, 'serving on');
      expect(second.output()).not.toContain('demo institution 00001: X-Api-Key');
      expect(second.output()).not.toContain('generated one beside the SQLite database');
      expect((await request(`http://127.0.0.1:${port}`).get('/health')).status).toBe(200);
    } finally {
      await stop(second);
    }
  });

  it('does not print demo credentials that were configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-start-configured-'));
    const key = 'configured-demo-key-0000000001';
    const secret = Buffer.alloc(32, 7).toString('base64');
    const configured = start(dir, { PORT: String(40000 + Math.floor(Math.random() * 20000)), DEMO_API_KEY: key, DEMO_ENC_KEY: secret });
    try {
      await waitFor(configured, 'serving on');
      expect(configured.output()).toContain('X-Api-Key from DEMO_API_KEY');
      expect(configured.output()).not.toContain(key);
      expect(configured.output()).not.toContain(secret);
    } finally {
      await stop(configured);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a bad setting and names the variable', async () => {
    const bad = start(cwd, { DATABASE_URL: 'mysql://localhost/gateway' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('Configuration error — DATABASE_URL');
  });

  it('refuses to start in production without SECRET_KEY', async () => {
    const bad = start(cwd, { NODE_ENV: 'production', DATABASE_URL: 'postgres://127.0.0.1:1/none', ADMIN_TOKEN: 'x'.repeat(24) });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('Configuration error — SECRET_KEY');
  });
});
