import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerTransaction, LedgerTranCode, TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { BusinessClock } from '../../src/common/business-clock';
import { Fen } from '../../src/common/fen';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { LEDGER_PAGE_SIZE, StatementService } from '../../src/reconciliation/statement.service';
import { adminApi, AdminApi, institutionWithCompany } from '../factories/admin-api';
import { companyBody } from '../factories/admin-requests';
import { ledgerTransaction } from '../factories/ledger-records';
import { ADMIN_TOKEN, createTestApp, TestApp } from '../support/test-app';

const yuan = (text: string) => Fen.parseYuan(text, { allowNegative: true }) as Fen;

interface Seed {
  instId: string;
  companyId: string;
  tranSeq: string;
  payDate: string;
  amount: string;
  tranCode?: LedgerTranCode;
  billKey?: string;
  subChannel?: number;
}

/** Ledger rows straight into the table, their business date derived from PayDate as the billing module does. */
async function seedLedger(t: TestApp, seeds: Seed[]): Promise<void> {
  const uow = t.app.get(UnitOfWork);
  const clock = t.app.get(BusinessClock);
  const rows = seeds.map((s) =>
    ledgerTransaction({
      instId: s.instId,
      companyId: s.companyId,
      tranSeq: s.tranSeq,
      tranCode: s.tranCode ?? 'Pay',
      billKey: s.billKey ?? '123456',
      amount: yuan(s.amount),
      subChannel: s.subChannel ?? 0,
      payDate: s.payDate,
      businessDate: clock.businessDate(new Date(s.payDate)),
      tranStatus: TranStatus.Success,
      originalTranSeq: s.tranCode === 'PayInvalid' ? s.tranSeq.replace(/^REV/, '') : null,
      createdAt: s.payDate,
    }),
  );
  for (let i = 0; i < rows.length; i += 500) {
    await uow.transaction(() => uow.repository(LedgerTransaction).insert(rows.slice(i, i + 500)));
  }
}

function statementPath(instId: string, companyId: string, date: string, format?: string): string {
  return `/admin/v1/reconciliation?instId=${instId}&companyId=${companyId}&date=${date}${format ? `&format=${format}` : ''}`;
}

/** The body of a text answer, whatever supertest would make of it. */
function asText(res: { text?: string; body: unknown }): string {
  return Buffer.isBuffer(res.body) ? res.body.toString('utf8') : (res.text ?? '');
}

describe(`reconciliation: statement and file (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let api: AdminApi;
  let instId: string;
  let companyId: string;
  let otherCompanyId: string;
  let otherInstId: string;

  beforeAll(async () => {
    t = await createTestApp();
    api = adminApi(t);
    ({ instId, companyId } = await institutionWithCompany(api));
    ({ instId: otherInstId } = await institutionWithCompany(api));
    const other = companyBody();
    otherCompanyId = other.companyId;
    await api.post(`/admin/v1/institutions/${instId}/companies`).send(other).expect(201);
    // The institution's company, shared with a second institution whose rows must never show up in the first one's file.
    await api.post(`/admin/v1/institutions/${otherInstId}/companies`).send(companyBody({ companyId })).expect(201);

    await seedLedger(t, [
      // 2024-01-02 in Asia/Shanghai runs from 2024-01-01T16:00:00.000Z to 2024-01-02T15:59:59.999Z.
      { instId, companyId, tranSeq: 'EDGE-BEFORE', payDate: '2024-01-01T15:59:59.999Z', amount: '1.00' },
      { instId, companyId, tranSeq: 'EDGE-FIRST', payDate: '2024-01-01T16:00:00.000Z', amount: '2.00', subChannel: 3 },
      { instId, companyId, tranSeq: 'P1630', payDate: '2024-01-01T16:30:00.000Z', amount: '150.00', billKey: '234567' },
      // Four at one instant: ordered by TranSeq in byte order ('-' < 'A' < '_' < 'a').
      { instId, companyId, tranSeq: 'T_1', payDate: '2024-01-02T02:00:00.000Z', amount: '0.01' },
      { instId, companyId, tranSeq: 'Ta1', payDate: '2024-01-02T02:00:00.000Z', amount: '100.00', tranCode: 'Withhold' },
      { instId, companyId, tranSeq: 'TA1', payDate: '2024-01-02T02:00:00.000Z', amount: '45.20', tranCode: 'Withhold' },
      { instId, companyId, tranSeq: 'T-1', payDate: '2024-01-02T02:00:00.000Z', amount: '86.40', subChannel: 12 },
      {
        instId,
        companyId,
        tranSeq: 'REVP1630',
        payDate: '2024-01-02T09:15:00.000Z',
        amount: '-150.00',
        tranCode: 'PayInvalid',
        billKey: '234567',
      },
      { instId, companyId, tranSeq: 'EDGE-LAST', payDate: '2024-01-02T15:59:59.999Z', amount: '3.00' },
      { instId, companyId, tranSeq: 'EDGE-AFTER', payDate: '2024-01-02T16:00:00.000Z', amount: '4.00' },
      // Same day, other company of the same institution; same company, other institution.
      { instId, companyId: otherCompanyId, tranSeq: 'OTHER-COMPANY', payDate: '2024-01-02T03:00:00.000Z', amount: '9.99' },
      { instId: otherInstId, companyId, tranSeq: 'OTHER-INST', payDate: '2024-01-02T03:00:00.000Z', amount: '8.88' },
    ]);
  });

  afterAll(async () => {
    await t.close();
  });

  it('states counts and sums per kind and the net, reversals negative, for the business day only', async () => {
    const res = await api.get(statementPath(instId, companyId, '20240102')).expect(200);
    expect(res.body).toEqual({
      instId,
      companyId,
      date: '20240102',
      payCount: 5,
      payMoney: '241.41',
      reversalCount: 1,
      reversalMoney: '-150.00',
      withholdCount: 2,
      withholdMoney: '145.20',
      netMoney: '236.61',
    });
  });

  it('accepts YYYY-MM-DD too, and states an empty day as zeros', async () => {
    const res = await api.get(statementPath(instId, companyId, '2023-12-31')).expect(200);
    expect(res.body).toMatchObject({ payCount: 0, payMoney: '0.00', reversalCount: 0, reversalMoney: '0.00', netMoney: '0.00' });
  });

  it('writes the §8 file: summary, then PayDate and TranSeq order, two decimals, reversals negative', async () => {
    const res = await api
      .get(statementPath(instId, companyId, '20240102', 'txt'))
      .buffer(true)
      .expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename=${companyId}_20240102.txt`);
    expect(asText(res)).toBe(
      [
        '8|236.61',
        `20240102|EDGE-FIRST|123456|2.00|3|Pay`,
        `20240102|P1630|234567|150.00|0|Pay`,
        `20240102|T-1|123456|86.40|12|Pay`,
        `20240102|TA1|123456|45.20|0|Withhold`,
        `20240102|T_1|123456|0.01|0|Pay`,
        `20240102|Ta1|123456|100.00|0|Withhold`,
        `20240102|REVP1630|234567|-150.00|0|PayInvalid`,
        `20240102|EDGE-LAST|123456|3.00|0|Pay`,
        '',
      ].join('\n'),
    );
  });

  it('puts a transaction in the file of its business day in Asia/Shanghai', async () => {
    const before = await api
      .get(statementPath(instId, companyId, '20240101', 'txt'))
      .buffer(true)
      .expect(200);
    expect(asText(before)).toBe('1|1.00\n20240101|EDGE-BEFORE|123456|1.00|0|Pay\n');
    const after = await api
      .get(statementPath(instId, companyId, '20240103', 'txt'))
      .buffer(true)
      .expect(200);
    expect(asText(after)).toBe('1|4.00\n20240103|EDGE-AFTER|123456|4.00|0|Pay\n');
  });

  it('writes an empty day as a summary line of zeros', async () => {
    const res = await api
      .get(statementPath(instId, otherCompanyId, '20240101', 'txt'))
      .buffer(true)
      .expect(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename=${otherCompanyId}_20240101.txt`);
    expect(asText(res)).toBe('0|0.00\n');
  });

  it('pages through a day larger than one page without losing or repeating a row at a page edge', async () => {
    const { instId: bigInst, companyId: bigCompany } = await institutionWithCompany(api);
    const count = LEDGER_PAGE_SIZE * 2 + 345;
    // Seven transactions per instant, so page edges fall inside runs of equal PayDate.
    const seeds: Seed[] = Array.from({ length: count }, (_, i) => ({
      instId: bigInst,
      companyId: bigCompany,
      tranSeq: `S${String((i * 7919) % count).padStart(6, '0')}`,
      payDate: new Date(Date.UTC(2024, 0, 2, 0, 0, Math.floor(i / 7))).toISOString(),
      amount: `${(i % 500) + 1}.${String(i % 100).padStart(2, '0')}`,
    }));
    await seedLedger(t, seeds);
    const res = await api
      .get(statementPath(bigInst, bigCompany, '20240102', 'txt'))
      .buffer(true)
      .expect(200);
    const lines = asText(res).split('\n');
    expect(lines.pop()).toBe('');
    const expectedTotal = Fen.sum(seeds.map((s) => yuan(s.amount)));
    expect(lines[0]).toBe(`${count}|${expectedTotal.toYuan()}`);
    const expected = [...seeds]
      .sort((a, b) => (a.payDate < b.payDate ? -1 : a.payDate > b.payDate ? 1 : a.tranSeq < b.tranSeq ? -1 : a.tranSeq > b.tranSeq ? 1 : 0))
      .map((s) => `20240102|${s.tranSeq}|123456|${yuan(s.amount).toYuan()}|0|Pay`);
    expect(lines.slice(1)).toEqual(expected);
  });

  it('keeps the summary and the lines of one file consistent while a transaction of that day commits mid-file', async () => {
    const { instId: liveInst, companyId: liveCompany } = await institutionWithCompany(api);
    const seeds: Seed[] = Array.from({ length: LEDGER_PAGE_SIZE + 10 }, (_, i) => ({
      instId: liveInst,
      companyId: liveCompany,
      tranSeq: `L${String(i).padStart(5, '0')}`,
      payDate: new Date(Date.UTC(2024, 0, 2, 1, 0, i)).toISOString(),
      amount: '1.00',
    }));
    await seedLedger(t, seeds);
    const chunks = t.app.get(StatementService).fileChunks({ instId: liveInst, companyId: liveCompany, businessDate: '2024-01-02' });
    const summary = await chunks.next();
    // Committed after the summary was read, sorting after every line already there: it must not be in this file.
    await seedLedger(t, [
      { instId: liveInst, companyId: liveCompany, tranSeq: 'LATE', payDate: '2024-01-02T12:00:00.000Z', amount: '5.00' },
    ]);
    let text = (summary.value as Buffer).toString('utf8');
    for await (const chunk of chunks) text += chunk.toString('utf8');
    const lines = text.split('\n').slice(0, -1);
    expect(lines[0]).toBe(`${seeds.length}|${seeds.length}.00`);
    expect(lines).toHaveLength(seeds.length + 1);
    expect(text).not.toContain('LATE');
    // The next file has it.
    const next = await api
      .get(statementPath(liveInst, liveCompany, '20240102', 'txt'))
      .buffer(true)
      .expect(200);
    expect(asText(next).split('\n')[0]).toBe(`${seeds.length + 1}|${seeds.length + 5}.00`);
  });

  it('answers 404 for an unknown institution or company, 400 for a bad date or format, 401 without the token', async () => {
    await api.get(statementPath('NO-SUCH-INST', companyId, '20240102')).expect(404);
    await api.get(statementPath(instId, 'NO-SUCH-COMPANY', '20240102', 'txt')).expect(404);
    const badDate = await api.get(statementPath(instId, companyId, '20240230')).expect(400);
    expect(JSON.stringify(badDate.body)).toContain('date');
    await api.get(statementPath(instId, companyId, '20240102', 'csv')).expect(400);
    await adminApi(t, 'wrong-token-0123456789')
      .get(statementPath(instId, companyId, '20240102'))
      .expect(401);
  });

  it('exports the files of a date for every institution from the command line, with a progress bar', async () => {
    const out = mkdtempSync(join(tmpdir(), 'reconciliation-export-'));
    try {
      const run = await runCli(['--date', '20240102', '--out', out], {
        DATABASE_URL: t.config.database.url,
        SECRET_KEY: t.config.secretKey.toString('base64'),
        ADMIN_TOKEN,
        WITHHOLD_CRON: '',
        DEMO_DATA: 'false',
      });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('100%');
      // Every assignment has a file (an empty day too); each is what the admin API serves.
      expect(readdirSync(join(out, instId)).sort()).toEqual([`${companyId}_20240102.txt`, `${otherCompanyId}_20240102.txt`].sort());
      expect(readdirSync(join(out, otherInstId))).toContain(`${companyId}_20240102.txt`);
      for (const [inst, company] of [
        [instId, companyId],
        [instId, otherCompanyId],
        [otherInstId, companyId],
      ]) {
        const served = await api
          .get(statementPath(inst, company, '20240102', 'txt'))
          .buffer(true)
          .expect(200);
        const path = join(out, inst, `${company}_20240102.txt`);
        expect(readFileSync(path, 'utf8')).toBe(asText(served));
        expect(run.stdout).toContain(path);
      }
      expect(readFileSync(join(out, otherInstId, `${companyId}_20240102.txt`), 'utf8')).toBe(
        '1|8.88\n20240102|OTHER-INST|123456|8.88|0|Pay\n',
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses a bad date on the command line', async () => {
    const run = await runCli(['--date', '2024-13-01'], {
      DATABASE_URL: t.config.database.url,
      SECRET_KEY: t.config.secretKey.toString('base64'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--date');
  });
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/reconciliation/cli/export-files.ts', ...args], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, ...env, NODE_ENV: 'test' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
