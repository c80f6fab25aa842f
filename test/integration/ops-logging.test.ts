import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { DEMO } from '../../src/demo/demo-data.service';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { businessDate, sendPartner } from '../support/partner-client';
import { freeLoopbackPort } from '../support/free-port';
import { testEngine } from '../support/test-app';

const ROOT = resolve(__dirname, '../..');
const ADMIN_TOKEN = 'logging-admin-token-0123456789';

interface LogLine {
  level: number;
  msg: string;
  context?: string;
  requestId?: string;
  instId?: string;
  tranCode?: string;
  respCode?: string;
  status?: number;
  durationMs?: number;
  method?: string;
  path?: string;
}

// Like `npm start`: main.ts on the embedded SQLite default, so that the whole log of a run is on its stdout.
const describeEmbedded = testEngine() === 'sqlite' ? describe : describe.skip;

describeEmbedded('the structured log of a run (main.ts, LOG_LEVEL=info)', () => {
  let cwd: string;
  let child: ChildProcess;
  let output = '';
  let base: string;
  let apiKey: string;
  let encKey: string;
  let lines: LogLine[];

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'gateway-log-'));
    const port = await freeLoopbackPort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['-r', join(ROOT, 'node_modules/ts-node/register/transpile-only'), join(ROOT, 'src/main.ts')], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        PORT: String(port),
        ADMIN_TOKEN,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 45_000;
    while (!output.includes('serving on')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the app did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Generated demo credentials are printed once at creation (CONTRACT §12): that is where the test learns them.
    apiKey = /X-Api-Key (\S+?)"/.exec(output)![1];
    encKey = /payload secret \(base64\) (\S+?)"/.exec(output)![1];

    const message = (tranCode: string, fields: Record<string, string>) => ({
      Version: '1.0.1',
      InstId: DEMO.instId,
      TranCode: tranCode,
      TranDate: businessDate(),
      TranSeq: `LOG${tranCode}`,
      ...fields,
    });
    const query = await sendPartner(base, OPERATIONS.Query.path, message('Query', { BillKey: DEMO.billKey, CompanyId: DEMO.companyId }), {
      apiKey,
      format: 'XML',
      charset: 'GBK',
      headers: { 'X-Request-Id': 'log-query-1' },
    });
    expect(query.status).toBe(200);
    const signing = message('Signing', {
      BillKey: '234567',
      CompanyId: DEMO.companyId,
      AccountName: '李四',
      AccountNo: DEMO.accountNo,
      BankName: '示范银行',
    });
    const signed = await sendPartner(base, OPERATIONS.Signing.path, signing, { apiKey, headers: { 'X-Request-Id': 'log-signing-1' } });
    expect(signed.status).toBe(200);
    expect(
      (
        await sendPartner(base, OPERATIONS.Query.path, message('Query', { BillKey: '1', CompanyId: '1' }), {
          apiKey: 'wrong-key-0123456789',
        })
      ).status,
    ).toBe(401);
    await request(base)
      .post(OPERATIONS.Query.path)
      .set('Content-Type', 'text/html')
      .set('X-Request-Id', 'log-html-1')
      .send('<p/>')
      .expect(415);
    await request(base)
      .get('/admin/v1/institutions')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .set('X-Request-Id', 'log-admin-1')
      .expect(200);
    await request(base).get('/health/ready').expect(200);

    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    lines = output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  const completed = (requestId: string) => lines.filter((line) => line.msg === 'request completed' && line.requestId === requestId);

  it('writes every line as JSON, Nest’s own start-up lines included', () => {
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.some((line) => line.context === 'RoutesResolver' || line.context === 'RouterExplorer')).toBe(true);
    expect(lines.some((line) => line.msg.startsWith('serving on'))).toBe(true);
  });

  it('logs one line per request with the request id, institution, TranCode, RespCode, status and duration', () => {
    expect(completed('log-query-1')).toEqual([
      expect.objectContaining({
        level: 30,
        requestId: 'log-query-1',
        instId: '00001',
        tranCode: 'Query',
        respCode: 'AAAAAAA',
        status: 200,
        method: 'POST',
        path: OPERATIONS.Query.path,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(completed('log-signing-1')).toEqual([expect.objectContaining({ tranCode: 'Signing', respCode: 'AAAAAAA', status: 200 })]);
    const refused = lines.filter((line) => line.msg === 'request completed' && line.respCode === 'SEC2003');
    expect(refused).toEqual([expect.objectContaining({ status: 401, requestId: expect.any(String) })]);
    expect(refused[0]).not.toHaveProperty('instId');
    // Answered by the body reader before any handler: logged all the same.
    expect(completed('log-html-1')).toEqual([expect.objectContaining({ respCode: 'PRM3008', status: 415 })]);
    expect(completed('log-admin-1')).toEqual([expect.objectContaining({ method: 'GET', path: '/admin/v1/institutions', status: 200 })]);
    // Probes are counted in the metrics, not logged.
    expect(lines.some((line) => line.path === '/health/ready')).toBe(false);
  });

  it('never logs an API key, the admin token, an account number, a secret or a message body', () => {
    // The generated demo key and secret are printed once, where they are created (CONTRACT §12); never again.
    expect(output.split(apiKey).length - 1).toBe(1);
    expect(output.split(encKey).length - 1).toBe(1);
    expect(output).not.toContain('wrong-key-0123456789');
    expect(output).not.toContain(ADMIN_TOKEN);
    expect(output).not.toContain(DEMO.accountNo);
    expect(output).not.toContain(DEMO.accountNo.slice(-8));
    for (const text of ['李四', '张三丰', '示范银行', '<in>', '"BillKey"', 'LOGQuery', 'LOGSigning']) expect(output).not.toContain(text);
  });
});
