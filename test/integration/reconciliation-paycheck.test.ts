import request from 'supertest';
import { LedgerTransaction, LedgerTranCode, TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { BusinessClock } from '../../src/common/business-clock';
import { Fen } from '../../src/common/fen';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { ResponseMessage } from '../../src/protocol/codec';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { adminApi, AdminApi, institutionWithCompany } from '../factories/admin-api';
import { companyBody } from '../factories/admin-requests';
import { ledgerTransaction } from '../factories/ledger-records';
import { openResponse, PartnerCall, sendPartner, TODAY, Tree, TreeObject, uniqueSeq } from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';

const yuan = (text: string) => Fen.parseYuan(text, { allowNegative: true }) as Fen;
const DAY = '20240102';

interface Seed {
  tranSeq: string;
  payDate: string;
  amount: string;
  tranCode?: LedgerTranCode;
}

interface Partner {
  instId: string;
  companyId: string;
  apiKey: string;
}

/** A §8 file from detail lines: the summary computed from them unless given. */
function fileOf(details: string[], summary?: string): string {
  const total = Fen.sum(details.map((line) => yuan(line.split('|')[3])));
  return [summary ?? `${details.length}|${total.toYuan()}`, ...details].map((line) => `${line}\n`).join('');
}

function totalsOf(file: string): { PayCount: number; PayMoney: string } {
  const [count, money] = file.split('\n')[0].split('|');
  return { PayCount: Number(count), PayMoney: money };
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

describe(`reconciliation: PayCheck (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let api: AdminApi;
  let partner: Partner;
  /** A second institution, whose company is not assigned to `partner`. */
  let stranger: Partner;
  let ourFile: string;

  async function seed(instId: string, companyId: string, seeds: Seed[]): Promise<void> {
    const uow = t.app.get(UnitOfWork);
    const clock = t.app.get(BusinessClock);
    await uow.transaction(() =>
      uow.repository(LedgerTransaction).insert(
        seeds.map((s) =>
          ledgerTransaction({
            instId,
            companyId,
            tranSeq: s.tranSeq,
            tranCode: s.tranCode ?? 'Pay',
            amount: yuan(s.amount),
            payDate: s.payDate,
            businessDate: clock.businessDate(new Date(s.payDate)),
            tranStatus: TranStatus.Success,
            createdAt: s.payDate,
          }),
        ),
      ),
    );
  }

  async function downloadFile(who: Partner, date = DAY): Promise<string> {
    const res = await api
      .get(`/admin/v1/reconciliation?instId=${who.instId}&companyId=${who.companyId}&date=${date}&format=txt`)
      .buffer(true)
      .expect(200);
    return res.text;
  }

  function payCheckMessage(who: Partner, fields: ResponseMessage): ResponseMessage {
    return {
      Version: '1.0.1',
      InstId: who.instId,
      TranCode: 'PayCheck',
      TranDate: TODAY(),
      TranSeq: uniqueSeq('CHK'),
      CompanyId: who.companyId,
      PayDate: DAY,
      FileName: `${who.companyId}_${DAY}.txt`,
      ...fields,
    };
  }

  function send(who: Partner, message: ResponseMessage, call: PartnerCall = {}) {
    return sendPartner(t.http, OPERATIONS.PayCheck.path, message, { apiKey: who.apiKey, ...call });
  }

  /** PayCheck with a file and the totals of its summary line. */
  function checkFile(who: Partner, file: string, call: PartnerCall = {}) {
    return send(who, payCheckMessage(who, { ...totalsOf(file), FileContent: base64(file) }), call);
  }

  function answer(res: request.Response, call: PartnerCall = {}): TreeObject {
    return openResponse(res, call).message;
  }

  function checkOf(res: request.Response): { [name: string]: Tree } {
    const message = answer(res);
    expect(message.RespCode).toBe('AAAAAAA');
    return message.Data as TreeObject;
  }

  function detailsOf(file: string): string[] {
    return file.split('\n').slice(1, -1);
  }

  beforeAll(async () => {
    t = await createTestApp();
    api = adminApi(t);
    partner = await institutionWithCompany(api);
    stranger = await institutionWithCompany(api);
    await seed(partner.instId, partner.companyId, [
      { tranSeq: 'P1', payDate: '2024-01-01T16:30:00.000Z', amount: '150.00' },
      { tranSeq: 'P2', payDate: '2024-01-02T01:00:00.000Z', amount: '86.40' },
      { tranSeq: 'P3', payDate: '2024-01-02T02:00:00.000Z', amount: '150.00' },
      { tranSeq: 'W1', payDate: '2024-01-02T03:00:00.000Z', amount: '45.20', tranCode: 'Withhold' },
      { tranSeq: 'REVP1', payDate: '2024-01-02T04:00:00.000Z', amount: '-150.00', tranCode: 'PayInvalid' },
      { tranSeq: 'P4', payDate: '2024-01-02T05:00:00.000Z', amount: '0.50' },
      // Other days, never part of the 20240102 check.
      { tranSeq: 'P0', payDate: '2024-01-01T15:59:59.999Z', amount: '9.00' },
      { tranSeq: 'P5', payDate: '2024-01-02T16:00:00.000Z', amount: '7.00' },
    ]);
    ourFile = await downloadFile(partner);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('round trip', () => {
    it('balances our own file fed back (JSON): CheckStatus 0, our totals, no differences', async () => {
      expect(ourFile.split('\n')[0]).toBe('6|282.10');
      const res = await checkFile(partner, ourFile);
      expect(res.status).toBe(200);
      expect(checkOf(res)).toEqual({
        Check: {
          CompanyId: partner.companyId,
          PayDate: DAY,
          CheckStatus: '0',
          PayCount: '6',
          PayMoney: '282.10',
          Differences: [],
          DifferenceCount: '0',
          CheckId: expect.stringMatching(/^\d+$/),
        },
      });
    });

    it('balances in XML (GBK) and with CRLF line ends, a BOM and base64 wrapped at 76 columns', async () => {
      const xml = await checkFile(partner, ourFile, { format: 'XML', charset: 'GBK' });
      expect(xml.status).toBe(200);
      expect(answer(xml, { format: 'XML' }).Data).toMatchObject({ Check: { CheckStatus: '0', PayCount: '6', PayMoney: '282.10' } });

      const windows = `\uFEFF${ourFile.replaceAll('\n', '\r\n')}`;
      const wrapped = base64(windows).replace(/(.{76})/g, '$1\r\n');
      const res = await send(partner, payCheckMessage(partner, { ...totalsOf(ourFile), FileContent: wrapped }));
      expect(checkOf(res)).toMatchObject({ Check: { CheckStatus: '0', DifferenceCount: '0' } });
    });

    it('balances a day with only a reversal: a negative PayMoney', async () => {
      const reversals = companyBody();
      await api.post(`/admin/v1/institutions/${partner.instId}/companies`).send(reversals).expect(201);
      const who = { ...partner, companyId: reversals.companyId };
      await seed(who.instId, who.companyId, [
        { tranSeq: 'REVX1', payDate: '2024-01-02T06:00:00.000Z', amount: '-150.00', tranCode: 'PayInvalid' },
      ]);
      const file = await downloadFile(who);
      expect(file).toBe(`1|-150.00\n${DAY}|REVX1|123456|-150.00|0|PayInvalid\n`);
      const res = await checkFile(who, file);
      expect(checkOf(res)).toMatchObject({ Check: { CheckStatus: '0', PayCount: '1', PayMoney: '-150.00' } });
      const totalsOnly = await send(who, payCheckMessage(who, { PayCount: 1, PayMoney: '-150' }));
      expect(checkOf(totalsOnly)).toMatchObject({ Check: { CheckStatus: '0', PayMoney: '-150.00', Differences: [] } });
      // Like every amount, a JSON number token is accepted as written.
      const asNumber = await send(who, payCheckMessage(who, { PayCount: 1, PayMoney: Fen.of(-15000) }));
      expect(checkOf(asNumber)).toMatchObject({ Check: { CheckStatus: '0', PayMoney: '-150.00' } });
    });

    it('balances an empty day: 0|0.00', async () => {
      const res = await send(
        partner,
        payCheckMessage(partner, {
          PayDate: '20231231',
          FileName: `${partner.companyId}_20231231.txt`,
          PayCount: 0,
          PayMoney: '0.00',
          FileContent: base64('0|0.00\n'),
        }),
      );
      expect(checkOf(res)).toMatchObject({ Check: { CheckStatus: '0', PayCount: '0', PayMoney: '0.00', Differences: [] } });
    });
  });

  describe('differences', () => {
    const cases: { kind: string; edit: (details: string[]) => string[]; expected: TreeObject }[] = [
      {
        kind: 'MISSING_THERE (a transaction only we have)',
        edit: (details) => details.filter((line) => !line.includes('|P2|')),
        expected: { TranSeq: 'P2', Kind: 'MISSING_THERE', Ours: '86.40' },
      },
      {
        kind: 'MISSING_HERE (a transaction only the partner has)',
        edit: (details) => [...details, `${DAY}|BANK0001|123456|10.00|0|Pay`],
        expected: { TranSeq: 'BANK0001', Kind: 'MISSING_HERE', Theirs: '10.00' },
      },
      {
        kind: 'AMOUNT (both, amounts differ)',
        edit: (details) => details.map((line) => (line.includes('|P3|') ? line.replace('|150.00|', '|105.00|') : line)),
        expected: { TranSeq: 'P3', Kind: 'AMOUNT', Ours: '150.00', Theirs: '105.00' },
      },
    ];

    it.each(cases)('reports exactly $kind', async ({ edit, expected }) => {
      const res = await checkFile(partner, fileOf(edit(detailsOf(ourFile))));
      expect(res.status).toBe(200);
      const check = checkOf(res).Check as TreeObject;
      expect(check).toMatchObject({ CheckStatus: '1', PayCount: '6', PayMoney: '282.10', DifferenceCount: '1' });
      expect(check.Differences).toEqual([expected]);
    });

    it('reports all three at once, ours in file order then the partner’s, and stores them with the check', async () => {
      const theirs = fileOf(cases.reduce((details, c) => c.edit(details), detailsOf(ourFile)));
      const res = await checkFile(partner, theirs);
      const check = checkOf(res).Check as TreeObject;
      expect(check.Differences).toEqual([cases[0].expected, cases[2].expected, cases[1].expected]);

      const stored = await api.get(`/admin/v1/reconciliation/checks/${check.CheckId as string}`).expect(200);
      expect(stored.body).toMatchObject({
        instId: partner.instId,
        companyId: partner.companyId,
        payDate: '2024-01-02',
        withFile: true,
        checkStatus: 1,
        theirCount: 6,
        theirMoney: '160.70',
        ourCount: 6,
        ourMoney: '282.10',
        differenceCount: 3,
      });
      expect(stored.body.differences).toEqual([
        { seq: 1, tranSeq: 'P2', kind: 'MISSING_THERE', ours: '86.40', theirs: null, lineNo: null },
        { seq: 2, tranSeq: 'P3', kind: 'AMOUNT', ours: '150.00', theirs: '105.00', lineNo: 3 },
        { seq: 3, tranSeq: 'BANK0001', kind: 'MISSING_HERE', ours: null, theirs: '10.00', lineNo: 7 },
      ]);
    });

    it('answers the first 100 differences and stores them all', async () => {
      const extra = Array.from({ length: 150 }, (_, i) => `${DAY}|BANK${String(i).padStart(4, '0')}|777|1.00|0|Pay`);
      const res = await checkFile(partner, fileOf([...detailsOf(ourFile), ...extra]));
      const check = checkOf(res).Check as TreeObject;
      expect(check).toMatchObject({ CheckStatus: '1', DifferenceCount: '150' });
      expect(check.Differences).toHaveLength(100);
      expect((check.Differences as TreeObject[])[99]).toEqual({ TranSeq: 'BANK0099', Kind: 'MISSING_HERE', Theirs: '1.00' });

      const stored = await api.get(`/admin/v1/reconciliation/checks/${check.CheckId as string}`).expect(200);
      expect(stored.body.differenceCount).toBe(150);
      expect(stored.body.differences).toHaveLength(150);
      expect(stored.body.differences[149]).toEqual({
        seq: 150,
        tranSeq: 'BANK0149',
        kind: 'MISSING_HERE',
        ours: null,
        theirs: '1.00',
        lineNo: 157,
      });
    });

    it('lists differences as <Differences><Item> in XML', async () => {
      const res = await checkFile(partner, fileOf(cases[2].edit(detailsOf(ourFile))), { format: 'XML' });
      const { text, message } = openResponse(res, { format: 'XML' });
      expect(text).toContain(
        '<Differences><Item><TranSeq>P3</TranSeq><Kind>AMOUNT</Kind><Ours>150.00</Ours><Theirs>105.00</Theirs></Item></Differences>',
      );
      expect(message.Data).toMatchObject({ Check: { CheckStatus: '1' } });
    });
  });

  describe('totals only', () => {
    it('balances equal totals with no differences listed', async () => {
      const res = await send(partner, payCheckMessage(partner, { PayCount: 6, PayMoney: '282.10' }));
      expect(checkOf(res)).toMatchObject({
        Check: { CheckStatus: '0', PayCount: '6', PayMoney: '282.10', Differences: [], DifferenceCount: '0' },
      });
    });

    it.each([
      ['a count', { PayCount: 5, PayMoney: '282.10' }],
      ['a sum', { PayCount: 6, PayMoney: '282.11' }],
    ])('answers CheckStatus 1 with no differences listed for %s that differs', async (_what, totals) => {
      const res = await send(partner, payCheckMessage(partner, totals));
      const check = checkOf(res).Check as TreeObject;
      expect(check).toMatchObject({ CheckStatus: '1', PayCount: '6', PayMoney: '282.10', Differences: [], DifferenceCount: '0' });
      const stored = await api.get(`/admin/v1/reconciliation/checks/${check.CheckId as string}`).expect(200);
      expect(stored.body).toMatchObject({
        withFile: false,
        checkStatus: 1,
        theirCount: totals.PayCount,
        theirMoney: totals.PayMoney,
        differences: [],
      });
    });
  });

  describe('malformed files: PRM3003 naming the line, not stored', () => {
    const ours = () => detailsOf(ourFile);
    const cases: { what: string; fields: () => ResponseMessage; zh: string; en: string }[] = [
      {
        what: 'a line without six fields',
        fields: () => {
          const file = fileOf(ours().map((line, i) => (i === 1 ? line.split('|').slice(0, 5).join('|') : line)));
          return { ...totalsOf(file), FileContent: base64(file) };
        },
        zh: '对账文件第3行',
        en: 'line 3: a detail line has 6 fields',
      },
      {
        what: 'a bad amount',
        fields: () => {
          const file = fileOf(ours()).replace('|86.40|', '|86.405|');
          return { PayCount: 6, PayMoney: '282.10', FileContent: base64(file) };
        },
        zh: '对账文件第3行金额格式错误',
        en: 'line 3: bad amount',
      },
      {
        what: 'a positive reversal',
        fields: () => {
          const file = fileOf(ours().map((line) => line.replace('|-150.00|', '|150.00|')));
          return { ...totalsOf(file), FileContent: base64(file) };
        },
        zh: '对账文件第6行金额正负与交易类型不符',
        en: 'line 6: amount sign does not match TranCode',
      },
      {
        what: 'a TranSeq twice',
        fields: () => {
          const file = fileOf([...ours(), ours()[0]]);
          return { ...totalsOf(file), FileContent: base64(file) };
        },
        zh: '对账文件第8行交易流水号与第2行重复',
        en: 'line 8: TranSeq P1 repeats line 2',
      },
      {
        what: 'a blank line between details',
        fields: () => {
          const file = fileOf(ours()).replace('\n', '\n\n');
          return { ...totalsOf(file), FileContent: base64(file) };
        },
        zh: '对账文件第2行为空行',
        en: 'line 2: blank line',
      },
      {
        what: 'a line not in UTF-8',
        fields: () => {
          const bytes = Buffer.concat([Buffer.from(`1|1.00\n${DAY}|G1|`), Buffer.from([0xd5, 0xc5]), Buffer.from('|1.00|0|Pay\n')]);
          return { PayCount: 1, PayMoney: '1.00', FileContent: bytes.toString('base64') };
        },
        zh: '对账文件第2行不是UTF-8编码',
        en: 'line 2: not UTF-8',
      },
      {
        what: 'a summary count that does not match its lines',
        fields: () => {
          const file = fileOf(ours(), '7|282.10');
          return { PayCount: 7, PayMoney: '282.10', FileContent: base64(file) };
        },
        zh: '对账文件第1行汇总笔数7与明细6笔不符',
        en: 'line 1: summary count 7 but 6 detail lines',
      },
      {
        what: 'a summary total that does not match its lines',
        fields: () => {
          const file = fileOf(ours(), '6|282.00');
          return { PayCount: 6, PayMoney: '282.00', FileContent: base64(file) };
        },
        zh: '对账文件第1行汇总金额282.00与明细合计282.10不符',
        en: 'line 1: summary total 282.00 but the detail lines sum to 282.10',
      },
      {
        what: 'a malformed summary line',
        fields: () => ({ PayCount: 6, PayMoney: '282.10', FileContent: base64(ourFile.replace('6|282.10', '6,282.10')) }),
        zh: '对账文件第1行汇总行',
        en: 'line 1: the summary line must be',
      },
      {
        what: 'an empty file',
        fields: () => ({ PayCount: 0, PayMoney: '0.00', FileContent: base64('\n') }),
        zh: '对账文件第1行缺少汇总行',
        en: 'line 1: the summary line is missing',
      },
      {
        what: 'PayCount that does not match the summary',
        fields: () => ({ PayCount: 5, PayMoney: '282.10', FileContent: base64(ourFile) }),
        zh: '字段PayCount5与对账文件第1行汇总笔数6不符',
        en: "field PayCount 5 does not match the file's summary count 6 (line 1)",
      },
      {
        what: 'PayMoney that does not match the summary',
        fields: () => ({ PayCount: 6, PayMoney: '282.01', FileContent: base64(ourFile) }),
        zh: '字段PayMoney282.01与对账文件第1行汇总金额282.10不符',
        en: "field PayMoney 282.01 does not match the file's summary total 282.10 (line 1)",
      },
      {
        what: 'FileContent that is not base64',
        fields: () => ({ PayCount: 6, PayMoney: '282.10', FileContent: '6|282.10' }),
        zh: '字段FileContent须为base64编码',
        en: 'field FileContent must be standard base64',
      },
      {
        what: 'a FileName other than <CompanyId>_<PayDate>.txt',
        fields: () => ({ PayCount: 6, PayMoney: '282.10', FileName: `${partner.companyId}_20240101.txt` }),
        zh: `字段FileName须为{CompanyId}_${DAY}.txt`,
        en: `field FileName must be {CompanyId}_${DAY}.txt`,
      },
    ];

    it.each(cases)(
      'refuses $what, in Chinese and English, and accepts the corrected request under the same TranSeq',
      async ({ fields, zh, en }) => {
        const bad = payCheckMessage(partner, fields());
        const res = await send(partner, bad);
        expect(res.status).toBe(400);
        const message = answer(res);
        expect(message.RespCode).toBe('PRM3003');
        expect((message.ErrorDetail as TreeObject).ErrorMsg).toContain(zh.replace('{CompanyId}', partner.companyId));

        const english = await send(partner, bad, { headers: { 'Accept-Language': 'en' } });
        expect(english.status).toBe(400);
        expect((answer(english).ErrorDetail as TreeObject).ErrorMsg).toContain(en.replace('{CompanyId}', partner.companyId));

        const corrected = await send(partner, {
          ...payCheckMessage(partner, { ...totalsOf(ourFile), FileContent: base64(ourFile) }),
          TranSeq: bad.TranSeq,
        });
        expect(corrected.status).toBe(200);
        expect(corrected.headers['idempotent-replayed']).toBeUndefined();
        expect(checkOf(corrected)).toMatchObject({ Check: { CheckStatus: '0' } });
      },
    );

    it('refuses a PayMoney with three decimals as a field error', async () => {
      const res = await send(partner, payCheckMessage(partner, { PayCount: 6, PayMoney: '282.100' }));
      expect(res.status).toBe(400);
      expect(answer(res)).toMatchObject({ RespCode: 'PRM3003', ErrorDetail: { ErrorMsg: expect.stringContaining('PayMoney') } });
    });

    it('answers a malformed file before the company scope: fields first (§1)', async () => {
      const res = await send(
        stranger,
        payCheckMessage(stranger, {
          CompanyId: partner.companyId,
          FileName: `${partner.companyId}_${DAY}.txt`,
          PayCount: 1,
          PayMoney: '1.00',
          FileContent: base64('1|1.00\nbroken\n'),
        }),
      );
      expect(res.status).toBe(400);
      expect(answer(res)).toMatchObject({ RespCode: 'PRM3003', ErrorDetail: { ErrorMsg: expect.stringContaining('第2行') } });
    });
  });

  describe('idempotency and scope', () => {
    it('replays a repeated PayCheck without checking again, and refuses another request under its TranSeq (DEF0009)', async () => {
      const listed = () =>
        api.get(`/admin/v1/reconciliation/checks?instId=${partner.instId}&companyId=${partner.companyId}&date=${DAY}&pageSize=1`);
      const before = (await listed().expect(200)).body.total as number;
      const message = payCheckMessage(partner, { ...totalsOf(ourFile), FileContent: base64(ourFile) });
      const first = await send(partner, message);
      const second = await send(partner, message);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect((second.body as Buffer).equals(first.body as Buffer)).toBe(true);
      expect((await listed().expect(200)).body.total).toBe(before + 1);

      const other = await send(partner, { ...message, PayCount: 5, PayMoney: '1.00', FileContent: undefined });
      expect(other.status).toBe(400);
      expect(answer(other).RespCode).toBe('DEF0009');
      expect((await listed().expect(200)).body.total).toBe(before + 1);
    });

    it('answers DEF0001 for a company not assigned to the caller, or unknown, and stores that answer', async () => {
      const foreign = payCheckMessage(partner, {
        CompanyId: stranger.companyId,
        FileName: `${stranger.companyId}_${DAY}.txt`,
        PayCount: 0,
        PayMoney: '0.00',
      });
      const res = await send(partner, foreign);
      expect(res.status).toBe(400);
      expect(answer(res)).toMatchObject({ RespCode: 'DEF0001', ErrorDetail: { ErrorMsg: expect.stringContaining(stranger.companyId) } });
      const replay = await send(partner, foreign);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(answer(replay).RespCode).toBe('DEF0001');

      const unknown = await send(
        partner,
        payCheckMessage(partner, { CompanyId: 'NOSUCH', FileName: `NOSUCH_${DAY}.txt`, PayCount: 0, PayMoney: '0.00' }),
      );
      expect(answer(unknown).RespCode).toBe('DEF0001');
      const checks = await api.get(`/admin/v1/reconciliation/checks?companyId=${stranger.companyId}`).expect(200);
      expect(checks.body.total).toBe(0);
    });

    it('is not served by the gateway (PRM3004)', async () => {
      const res = await sendPartner(t.http, '/api/app/gateway', payCheckMessage(partner, { PayCount: 0, PayMoney: '0.00' }), {
        apiKey: partner.apiKey,
      });
      expect(answer(res).RespCode).toBe('PRM3004');
    });
  });

  describe('admin: stored check results', () => {
    let own: Partner;
    const ids: number[] = [];

    beforeAll(async () => {
      own = await institutionWithCompany(api);
      await seed(own.instId, own.companyId, [{ tranSeq: 'A1', payDate: '2024-01-02T01:00:00.000Z', amount: '10.00' }]);
      for (const fields of [
        { PayCount: 1, PayMoney: '10.00' },
        { PayCount: 2, PayMoney: '20.00' },
        { PayCount: 1, PayMoney: '10.00', FileContent: base64(`1|10.00\n${DAY}|A1|123456|10.00|0|Pay\n`) },
      ]) {
        const res = await send(own, payCheckMessage(own, fields));
        ids.push(Number((checkOf(res).Check as TreeObject).CheckId));
      }
      await send(
        own,
        payCheckMessage(own, { PayDate: '20240103', FileName: `${own.companyId}_20240103.txt`, PayCount: 0, PayMoney: '0.00' }),
      );
    });

    it('lists the checks of an institution, company and date, in the order made, paginated', async () => {
      const page = await api.get(`/admin/v1/reconciliation/checks?instId=${own.instId}&companyId=${own.companyId}&date=${DAY}`).expect(200);
      expect(page.body).toMatchObject({ total: 3, page: 1, pageSize: 50 });
      expect((page.body.items as { id: number }[]).map((item) => item.id)).toEqual(ids);
      expect(page.body.items[1]).toEqual({
        id: ids[1],
        instId: own.instId,
        companyId: own.companyId,
        payDate: '2024-01-02',
        tranSeq: expect.any(String),
        fileName: `${own.companyId}_${DAY}.txt`,
        withFile: false,
        checkStatus: 1,
        theirCount: 2,
        theirMoney: '20.00',
        ourCount: 1,
        ourMoney: '10.00',
        differenceCount: 0,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      const second = await api.get(`/admin/v1/reconciliation/checks?instId=${own.instId}&date=2024-01-02&page=2&pageSize=2`).expect(200);
      expect(second.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
      expect((second.body.items as { id: number }[]).map((item) => item.id)).toEqual([ids[2]]);
      const all = await api.get(`/admin/v1/reconciliation/checks?instId=${own.instId}`).expect(200);
      expect(all.body.total).toBe(4);
    });

    it('gives one check with its differences; 404 for an unknown id, 400 for a bad one or a bad filter', async () => {
      const balanced = await api.get(`/admin/v1/reconciliation/checks/${ids[2]}`).expect(200);
      expect(balanced.body).toMatchObject({ id: ids[2], withFile: true, checkStatus: 0, differenceCount: 0, differences: [] });
      await api.get('/admin/v1/reconciliation/checks/999999999').expect(404);
      await api.get('/admin/v1/reconciliation/checks/abc').expect(400);
      await api.get('/admin/v1/reconciliation/checks?date=20241301').expect(400);
      await api.get('/admin/v1/reconciliation/checks?pageSize=1001').expect(400);
    });
  });
});
