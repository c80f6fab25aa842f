import request from 'supertest';
import { DEMO } from '../../src/demo/demo-data.service';
import { SecretBox } from '../../src/common/secret-box';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { BatchItemStatus, BatchStatus } from '../../src/withholding/entities/debit-batch.entity';
import { AgreementStatus, WithholdingAgreement } from '../../src/withholding/entities/withholding-agreement.entity';
import { accountNameContext, accountNoContext } from '../../src/withholding/withholding.service';
import { institutionWithCompany } from '../factories/admin-api';
import { companyBody } from '../factories/admin-requests';
import {
  ACCOUNT_NO,
  backDiscFields,
  batchNo,
  callPartner,
  customerWithBills,
  debited,
  expectConsistent,
  field,
  lineOf,
  raiseLimits,
  rows,
  sendDiscFields,
  signedCustomer,
  signingFields,
  startWithholdingApp,
  WithholdingHarness,
} from '../factories/withholding';
import { TODAY } from '../support/partner-client';

const today = () => `${TODAY().slice(0, 4)}-${TODAY().slice(4, 6)}-${TODAY().slice(6, 8)}`;
const DEMO_COMPANY_NAME = '示范自来水公司第一营业所';

describe('withholding agreements: Signing, AgreementQuery, Termination', () => {
  let h: WithholdingHarness;
  /** Another institution that collects for the demo company too, and its own company. */
  let other: { instId: string; companyId: string; apiKey: string };
  /** A second company of the demo institution. */
  let secondCompanyId: string;

  beforeAll(async () => {
    h = await startWithholdingApp();
    other = await institutionWithCompany(h.api);
    await raiseLimits(h.api, other.instId);
    await h.api
      .post(`/admin/v1/institutions/${other.instId}/companies`)
      .send({ companyId: DEMO.companyId, name: DEMO_COMPANY_NAME })
      .expect(201);
    const second = companyBody();
    secondCompanyId = second.companyId;
    await h.api.post(`/admin/v1/institutions/${DEMO.instId}/companies`).send(second).expect(201);
  });
  afterAll(() => h.close());
  afterEach(() => expectConsistent(h));

  describe('Signing', () => {
    it.each(['JSON', 'XML'] as const)('signs a customer in %s: a generated AgreementNo, masked account, today', async (format) => {
      const customer = await customerWithBills(h.api, ['30.00']);
      const res = await h.call('Signing', signingFields(customer, { ContractNo: 'HT001', MaxAmount: '500.00', BankType: 1 }), { format });
      expect(res.status).toBe(200);
      expect(res.message).toMatchObject({ TranCode: 'SigningRes', RespCode: 'AAAAAAA', RespMessage: '成功' });
      const agreement = field(res.data, 'Agreement');
      expect(agreement).toEqual({
        AgreementNo: expect.stringMatching(new RegExp(`^AG${TODAY()}[A-Z0-9]{10}$`)),
        BillKey: customer.billKey,
        CompanyId: customer.companyId,
        AccountNo: '6222***********0123',
        AccountName: '王*明',
        BankName: '示范银行',
        BankType: '1',
        ContractNo: 'HT001',
        AgreementStatus: '1',
        SignDate: today(),
        MaxAmount: '500.00',
      });
      const stored = await rows(h).agreement(field(agreement, 'AgreementNo') as string);
      expect(stored).toMatchObject({
        instId: DEMO.instId,
        status: AgreementStatus.Signed,
        signDate: today(),
        bankType: 1,
        terminationDate: null,
      });
    });

    it('defaults BankType to 0 and leaves ContractNo and MaxAmount out when not sent', async () => {
      const customer = await customerWithBills(h.api, ['30.00']);
      const fields = signingFields(customer);
      delete fields.BankType;
      const res = await h.call('Signing', fields);
      expect(res.code).toBe('AAAAAAA');
      const agreement = field(res.data, 'Agreement') as Record<string, unknown>;
      expect(agreement.BankType).toBe('0');
      expect(agreement).not.toHaveProperty('ContractNo');
      expect(agreement).not.toHaveProperty('MaxAmount');
      expect(agreement).not.toHaveProperty('TerminationDate');
    });

    it('seals the account number and name at rest and never answers or logs them in clear', async () => {
      const written: string[] = [];
      const capture = (stream: NodeJS.WriteStream) =>
        jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
          written.push(String(chunk));
          return true;
        });
      const spies = [capture(process.stdout), capture(process.stderr)];
      const customer = await customerWithBills(h.api, ['30.00']);
      let agreementNo: string;
      const answers: string[] = [];
      try {
        const signed = await h.call('Signing', signingFields(customer, { AccountName: '欧阳明月' }));
        agreementNo = field(signed.data, 'Agreement', 'AgreementNo') as string;
        answers.push(signed.text);
        answers.push((await h.call('AgreementQuery', { AgreementNo: agreementNo, CompanyId: customer.companyId }, { format: 'XML' })).text);
        answers.push((await h.call('Signing', signingFields(customer))).text);
        answers.push(JSON.stringify((await h.api.get(`/admin/v1/agreements?billKey=${customer.billKey}`).expect(200)).body));
        const bad = await h.call('Signing', signingFields(customer, { AccountNo: `${ACCOUNT_NO}12345678901234` }));
        expect(bad.code).toBe('PRM3003');
        answers.push(bad.text);
      } finally {
        spies.forEach((spy) => spy.mockRestore());
      }
      for (const text of [...answers, ...written]) {
        expect(text).not.toContain(ACCOUNT_NO);
        expect(text).not.toContain('欧阳明月');
      }
      expect(answers[0]).toContain('6222***********0123');
      expect(answers[1]).toContain('<AccountName>欧**月</AccountName>');

      const row = await h.db
        .getRepository(WithholdingAgreement)
        .createQueryBuilder('agreement')
        .where('agreement.agreementNo = :agreementNo', { agreementNo })
        .getRawOne<Record<string, unknown>>();
      const rowText = JSON.stringify(row);
      expect(rowText).toContain(agreementNo);
      expect(rowText).not.toContain(ACCOUNT_NO);
      expect(rowText).not.toContain(ACCOUNT_NO.slice(4, 15));
      expect(rowText).not.toContain('欧阳明月');
      const stored = await rows(h).agreement(agreementNo);
      const box = h.t.app.get(SecretBox);
      expect(box.openText(stored.accountNoEnc, accountNoContext(agreementNo))).toBe(ACCOUNT_NO);
      expect(box.openText(stored.accountNameEnc, accountNameContext(agreementNo))).toBe('欧阳明月');
      // Bound to its row and column: the same ciphertext does not open as another agreement's or as the name.
      expect(() => box.openText(stored.accountNoEnc, accountNameContext(agreementNo))).toThrow();
      expect(() => box.openText(stored.accountNoEnc, accountNoContext(DEMO.agreementNo))).toThrow();
    });

    it.each([
      ['AccountNo', 'of 7 digits', { AccountNo: '1234567' }, 'PRM3003'],
      ['AccountNo', 'of 31 digits', { AccountNo: '1'.repeat(31) }, 'PRM3003'],
      ['AccountNo', 'with spaces', { AccountNo: '6222 0212 3456' }, 'PRM3003'],
      ['AccountNo', 'of full-width digits', { AccountNo: '６２２２０２１２３４' }, 'PRM3003'],
      ['AccountName', 'of 151 characters', { AccountName: '名'.repeat(151) }, 'PRM3003'],
      ['BankName', 'of 151 characters', { BankName: 'B'.repeat(151) }, 'PRM3003'],
      ['ContractNo', 'of 151 characters', { ContractNo: 'C'.repeat(151) }, 'PRM3003'],
      ['BankType', '2', { BankType: 2 }, 'PRM3003'],
      ['BankType', 'not a number', { BankType: 'x' }, 'PRM3003'],
      ['MaxAmount', 'of zero', { MaxAmount: '0.00' }, 'PRM3003'],
      ['MaxAmount', 'with three decimals', { MaxAmount: '1.234' }, 'PRM3003'],
      ['BillKey', 'of 36 characters', { BillKey: 'K'.repeat(36) }, 'PRM3003'],
      ['CompanyId', 'of 31 characters', { CompanyId: 'C'.repeat(31) }, 'PRM3003'],
      ['AccountNo', 'empty', { AccountNo: '' }, 'PRM3002'],
      ['BankName', 'null', { BankName: null }, 'PRM3002'],
    ])('refuses %s %s with %s, naming the field', async (name, _what, overrides, code) => {
      const customer = await customerWithBills(h.api, ['30.00']);
      const res = await h.call('Signing', signingFields(customer, overrides));
      expect(res.status).toBe(400);
      expect(res.code).toBe(code);
      expect(res.errorMsg).toContain(name);
      expect(await h.db.getRepository(WithholdingAgreement).countBy({ billKey: customer.billKey })).toBe(0);
    });

    it('refuses an unknown customer with DEF0001 naming it', async () => {
      const res = await h.call('Signing', signingFields({ companyId: DEMO.companyId, billKey: 'NOSUCH1' }));
      expect([res.status, res.code]).toEqual([400, 'DEF0001']);
      expect(res.errorMsg).toBe('客户编号NOSUCH1不存在');
    });

    it('refuses a customer of a company not assigned to the institution as not found (DEF0001)', async () => {
      const customer = await customerWithBills(h.api, ['30.00'], { companyId: other.companyId });
      const res = await h.call('Signing', signingFields(customer));
      expect(res.code).toBe('DEF0001');
      const own = await callPartner(h.t, 'Signing', signingFields(customer), { apiKey: other.apiKey, instId: other.instId });
      expect(own.code).toBe('AAAAAAA');
    });

    it('refuses a second signed agreement of a customer, whatever the account or institution (DEF0006)', async () => {
      const customer = await signedCustomer(h, ['30.00']);
      const again = await h.call('Signing', signingFields(customer, { AccountNo: '6228480000000000' }));
      expect([again.status, again.code]).toEqual([400, 'DEF0006']);
      const elsewhere = await callPartner(h.t, 'Signing', signingFields(customer), { apiKey: other.apiKey, instId: other.instId });
      expect(elsewhere.code).toBe('DEF0006');
      expect(await h.db.getRepository(WithholdingAgreement).countBy({ billKey: customer.billKey })).toBe(1);
    });

    it('signs again once the agreement is terminated, with a new AgreementNo', async () => {
      const customer = await signedCustomer(h, ['30.00']);
      const terminated = await h.call('Termination', {
        BillKey: customer.billKey,
        CompanyId: customer.companyId,
        AgreementNo: customer.agreementNo,
      });
      expect(terminated.code).toBe('AAAAAAA');
      const again = await h.call('Signing', signingFields(customer));
      expect(again.code).toBe('AAAAAAA');
      expect(field(again.data, 'Agreement', 'AgreementNo')).not.toBe(customer.agreementNo);
    });

    it('replays a repeated Signing without signing twice, and refuses the TranSeq for another request (DEF0009)', async () => {
      const customer = await customerWithBills(h.api, ['30.00']);
      const fields = { ...signingFields(customer), TranSeq: `SG${customer.billKey}` };
      const first = await h.call('Signing', fields);
      const second = await h.call('Signing', fields, { format: 'XML' });
      expect(first.code).toBe('AAAAAAA');
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.message).toEqual(first.message);
      expect(await h.db.getRepository(WithholdingAgreement).countBy({ billKey: customer.billKey })).toBe(1);
      const reused = await h.call('Signing', { ...fields, BankName: '另一银行' });
      expect(reused.code).toBe('DEF0009');
    });

    it('lets exactly one of 20 concurrent Signings of a customer through', async () => {
      const customer = await customerWithBills(h.api, ['30.00']);
      const answers = await Promise.all(Array.from({ length: 20 }, () => h.call('Signing', signingFields(customer))));
      const codes = answers.map((answer) => answer.code).sort();
      expect(codes.filter((code) => code === 'AAAAAAA')).toHaveLength(1);
      expect(codes.filter((code) => code === 'DEF0006')).toHaveLength(19);
      expect(await h.db.getRepository(WithholdingAgreement).countBy({ billKey: customer.billKey })).toBe(1);
    });
  });

  describe('AgreementQuery', () => {
    it.each(['JSON', 'XML'] as const)('answers the agreement masked, in %s', async (format) => {
      const res = await h.call('AgreementQuery', { AgreementNo: 'AGR001', CompanyId: DEMO.companyId }, { format });
      expect(res.code).toBe('AAAAAAA');
      expect(field(res.data, 'Agreement')).toEqual({
        AgreementNo: 'AGR001',
        BillKey: DEMO.billKey,
        CompanyId: DEMO.companyId,
        AccountNo: '6222***********0123',
        AccountName: '张*丰',
        BankName: '示范银行',
        BankType: '0',
        AgreementStatus: '1',
        SignDate: today(),
      });
    });

    it('shows a terminated agreement with its TerminationDate', async () => {
      const customer = await signedCustomer(h, ['30.00']);
      await h.call('Termination', { BillKey: customer.billKey, CompanyId: customer.companyId, AgreementNo: customer.agreementNo });
      const res = await h.call('AgreementQuery', { AgreementNo: customer.agreementNo, CompanyId: customer.companyId });
      expect(field(res.data, 'Agreement')).toMatchObject({ AgreementStatus: '2', TerminationDate: today() });
    });

    it("answers DEF0001 for an unknown agreement, another institution's, or a company outside the institution", async () => {
      const foreign = await signedCustomer(h, ['30.00'], { apiKey: other.apiKey, instId: other.instId });
      const answers = await Promise.all([
        h.call('AgreementQuery', { AgreementNo: 'AGNOSUCH', CompanyId: DEMO.companyId }),
        h.call('AgreementQuery', { AgreementNo: foreign.agreementNo, CompanyId: DEMO.companyId }),
        h.call('AgreementQuery', { AgreementNo: 'AGR001', CompanyId: other.companyId }),
      ]);
      expect(answers.map((answer) => answer.code)).toEqual(['DEF0001', 'DEF0001', 'DEF0001']);
      expect(answers[0].errorMsg).toBe('协议AGNOSUCH不存在');
    });

    it("answers DEF0008 when the company is not the agreement's", async () => {
      const res = await h.call('AgreementQuery', { AgreementNo: 'AGR001', CompanyId: secondCompanyId });
      expect(res.code).toBe('DEF0008');
    });
  });

  describe('Termination', () => {
    const terminate = (customer: { billKey: string; companyId: string; agreementNo: string }, call = {}) =>
      h.call('Termination', { BillKey: customer.billKey, CompanyId: customer.companyId, AgreementNo: customer.agreementNo }, call);

    it('terminates once: DEF0007 afterwards, the agreement stays terminated', async () => {
      const customer = await signedCustomer(h, ['30.00']);
      const first = await terminate(customer);
      expect(first.message).toMatchObject({ RespCode: 'AAAAAAA', RespMessage: '解约成功', TranCode: 'TerminationRes' });
      expect(field(first.data, 'Agreement')).toEqual({
        BillKey: customer.billKey,
        CompanyId: customer.companyId,
        AgreementNo: customer.agreementNo,
        AgreementStatus: '2',
        TerminationDate: today(),
      });
      const second = await terminate(customer);
      expect([second.status, second.code]).toEqual([400, 'DEF0007']);
      expect(second.errorMsg).toBe(`协议${customer.agreementNo}已解约`);
      expect(await rows(h).agreement(customer.agreementNo)).toMatchObject({ status: AgreementStatus.Terminated, terminationDate: today() });
    });

    it("answers DEF0001 for an unknown agreement, another institution's, or a company outside the institution", async () => {
      const mine = await signedCustomer(h, ['30.00']);
      const foreign = await signedCustomer(h, ['30.00'], { apiKey: other.apiKey, instId: other.instId });
      const answers = [
        await terminate({ ...mine, agreementNo: 'AGNOSUCH' }),
        await terminate(foreign),
        await terminate({ ...mine, companyId: other.companyId }),
      ];
      expect(answers.map((answer) => answer.code)).toEqual(['DEF0001', 'DEF0001', 'DEF0001']);
      expect((await rows(h).agreement(foreign.agreementNo)).status).toBe(AgreementStatus.Signed);
      expect((await rows(h).agreement(mine.agreementNo)).status).toBe(AgreementStatus.Signed);
    });

    it("answers DEF0008 when BillKey or CompanyId is not the agreement's, before DEF0007", async () => {
      const customer = await signedCustomer(h, ['30.00']);
      expect((await terminate({ ...customer, billKey: DEMO.secondBillKey })).code).toBe('DEF0008');
      expect((await terminate({ ...customer, companyId: secondCompanyId })).code).toBe('DEF0008');
      expect((await rows(h).agreement(customer.agreementNo)).status).toBe(AgreementStatus.Signed);
      await terminate(customer);
      expect((await terminate({ ...customer, billKey: DEMO.secondBillKey })).code).toBe('DEF0008');
    });

    it.each([
      ['BillKey', 'of 36 characters', { BillKey: 'K'.repeat(36) }, 'PRM3003'],
      ['CompanyId', 'of 31 characters', { CompanyId: 'C'.repeat(31) }, 'PRM3003'],
      ['AgreementNo', 'of 151 characters', { AgreementNo: 'A'.repeat(151) }, 'PRM3003'],
      ['AgreementNo', 'empty', { AgreementNo: '' }, 'PRM3002'],
      ['BillKey', 'as a JSON number', { BillKey: 123456 }, 'PRM3003'],
    ])('holds the seed field limits: %s %s is %s', async (name, _what, overrides, code) => {
      const res = await h.call('Termination', { BillKey: DEMO.billKey, CompanyId: DEMO.companyId, AgreementNo: 'AGR001', ...overrides });
      expect(res.code).toBe(code);
      expect(res.errorMsg).toContain(name);
    });

    it('accepts the longest fields the seed allows', async () => {
      const customer = await customerWithBills(h.api, ['30.00'], { billKey: 'K'.repeat(35) });
      const signed = await h.call('Signing', signingFields(customer));
      const agreementNo = field(signed.data, 'Agreement', 'AgreementNo') as string;
      expect((await terminate({ ...customer, agreementNo })).code).toBe('AAAAAAA');
      expect((await terminate({ ...customer, agreementNo: 'A'.repeat(150) })).code).toBe('DEF0001');
    });

    it('replays a repeated Termination with the stored answer', async () => {
      const customer = await signedCustomer(h, ['30.00']);
      const fields = {
        BillKey: customer.billKey,
        CompanyId: customer.companyId,
        AgreementNo: customer.agreementNo,
        TranSeq: `TM${customer.billKey}`,
      };
      const first = await h.call('Termination', fields);
      const again = await h.call('Termination', fields);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.message).toEqual(first.message);
      expect(again.code).toBe('AAAAAAA');
    });

    it('leaves past transactions as they were: an earlier withholding stays written off', async () => {
      const customer = await signedCustomer(h, ['41.00', '2.50']);
      const no = batchNo();
      expect((await h.call('SendDisc', sendDiscFields(no, [lineOf(customer)]))).code).toBe('AAAAAAA');
      expect((await h.call('BackDisc', backDiscFields(no, [debited(lineOf(customer))]))).code).toBe('AAAAAAA');
      const before = await rows(h).transactionsOf(customer.companyId, customer.billKey);
      expect(before).toHaveLength(1);
      expect((await terminate(customer)).code).toBe('AAAAAAA');
      expect(await rows(h).transactionsOf(customer.companyId, customer.billKey)).toEqual(before);
      expect(await rows(h).billStatuses(customer.billNos)).toEqual([1, 1]);
    });

    it("cancels the agreement's pending items in open batches and releases their bills; the batch of nothing else is cancelled", async () => {
      const leaving = await signedCustomer(h, ['20.00', '5.00']);
      const staying = await signedCustomer(h, ['7.00']);
      const alone = batchNo();
      const shared = batchNo();
      expect((await h.call('SendDisc', sendDiscFields(alone, [lineOf(leaving)]))).code).toBe('AAAAAAA');
      expect(await rows(h).billStatuses(leaving.billNos)).toEqual([2, 2]);

      expect((await terminate(leaving)).code).toBe('AAAAAAA');
      expect(await rows(h).billStatuses(leaving.billNos)).toEqual([0, 0]);
      const [item] = await rows(h).items(DEMO.instId, alone);
      expect(item).toMatchObject({ status: BatchItemStatus.Cancelled, cancelReason: '协议解约' });
      expect(await rows(h).batch(DEMO.instId, alone)).toMatchObject({ status: BatchStatus.Cancelled, cancelCount: 1 });
      // The bank's results come too late: the batch is closed, and nothing is debited.
      const late = await h.call('BackDisc', backDiscFields(alone, [debited(lineOf(leaving))]));
      expect(late.code).toBe('DEF0013');

      // A new batch cannot take the terminated agreement.
      const refused = await h.call('SendDisc', sendDiscFields(shared, [lineOf(staying), lineOf(leaving)]));
      expect(refused.code).toBe('DEF0007');
      expect(await rows(h).billStatuses(staying.billNos)).toEqual([0]);
      expect(await rows(h).transactionsOf(leaving.companyId, leaving.billKey)).toEqual([]);
    });

    it('dates the termination in the business time zone', async () => {
      const zone = 'Pacific/Kiritimati';
      const k = await startWithholdingApp({ BUSINESS_TZ: zone });
      try {
        const expected = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
          new Date(),
        );
        const res = await k.call('Termination', {
          BillKey: DEMO.billKey,
          CompanyId: DEMO.companyId,
          AgreementNo: 'AGR001',
          TranDate: expected.replaceAll('-', ''),
        });
        expect(res.code).toBe('AAAAAAA');
        expect(field(res.data, 'Agreement', 'TerminationDate')).toBe(expected);
        expect((await rows(k).agreement('AGR001')).terminationDate).toBe(expected);
      } finally {
        await k.close();
      }
    });
  });

  it('documents the operations in the OpenAPI document', async () => {
    const doc = (await request(h.t.http).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    for (const tranCode of ['Signing', 'AgreementQuery', 'Termination', 'SendDisc', 'BackDisc', 'CancelDisc', 'DiscQuery'] as const) {
      expect(doc.paths[OPERATIONS[tranCode].path].post.operationId).toBe(OPERATIONS[tranCode].operationId);
    }
    expect(doc.paths['/admin/v1/withholding/batches'].post.operationId).toBe('adminBuildDebitBatches');
    expect(doc.paths['/admin/v1/batches/{batchNo}'].get.operationId).toBe('adminDeliverDebitBatch');
  });

  it('serves every operation on the gateway too', async () => {
    const res = await h.call('AgreementQuery', { AgreementNo: 'AGR001', CompanyId: DEMO.companyId }, { path: '/api/app/gateway' });
    expect(res.code).toBe('AAAAAAA');
    const wrong = await h.call('AgreementQuery', { AgreementNo: 'AGR001', CompanyId: DEMO.companyId, TranCode: 'DiscQuery' });
    expect(wrong.code).toBe('PRM3004');
    expect(OPERATIONS.Termination.path).toBe('/api/app/bankWithholding/termination');
  });
});
