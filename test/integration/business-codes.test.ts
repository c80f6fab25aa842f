import request from 'supertest';
import { DEMO, DemoDataService } from '../../src/demo/demo-data.service';
import { ResponseMessage } from '../../src/protocol/codec';
import { OPERATIONS, TranCode } from '../../src/protocol/partner-operation';
import { openResponse, sendPartner, TODAY, TreeObject, uniqueSeq } from '../support/partner-client';
import { ADMIN_TOKEN, createTestApp, TestApp } from '../support/test-app';

const API_KEY = 'business-codes-api-key-0001';
const FORMATS = ['JSON', 'XML'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Every business RespCode of CONTRACT §10 produced by the real operations, in XML and in JSON: each row sets
 * the scene through the API (in JSON) and sends its last request in the format under test.
 */
describe(`business codes of the real operations (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;

  const envelope = (tranCode: TranCode, tranSeq = uniqueSeq('B')): ResponseMessage => ({
    Version: '1.0.1',
    InstId: DEMO.instId,
    TranCode: tranCode,
    TranDate: TODAY(),
    TranSeq: tranSeq,
  });

  async function send(tranCode: TranCode, fields: ResponseMessage, format: Format = 'JSON', tranSeq?: string) {
    const res = await sendPartner(
      t.http,
      OPERATIONS[tranCode].path,
      { ...envelope(tranCode, tranSeq), ...fields },
      { apiKey: API_KEY, format },
    );
    return { status: res.status, message: openResponse(res, { format }).message };
  }

  async function ok(tranCode: TranCode, fields: ResponseMessage, tranSeq?: string): Promise<TreeObject> {
    const res = await send(tranCode, fields, 'JSON', tranSeq);
    if (res.status !== 200) throw new Error(`${tranCode} set-up answered ${JSON.stringify(res.message)}`);
    return res.message.Data as TreeObject;
  }

  async function customer(billKey: string, amount = '10.00'): Promise<void> {
    await request(t.http)
      .post('/admin/v1/bills')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ companyId: DEMO.companyId, billKey, customerName: '孙八', amount, period: '202501', dueDate: '2099-12-31' })
      .expect(201);
  }

  async function paid(billKey: string): Promise<string> {
    await customer(billKey);
    const data = await ok('Pay', { BillKey: billKey, CompanyId: DEMO.companyId, PayAmount: '10.00' });
    return (data.Transaction as TreeObject).TranSeq as string;
  }

  async function signed(billKey: string, extra: ResponseMessage = {}): Promise<string> {
    await customer(billKey);
    const data = await ok('Signing', {
      BillKey: billKey,
      CompanyId: DEMO.companyId,
      AccountName: '孙八',
      AccountNo: '6222000011112222',
      BankName: '示范银行',
      ...extra,
    });
    return (data.Agreement as TreeObject).AgreementNo as string;
  }

  const item = (billKey: string, agreementNo: string, amount = '10.00') => ({
    BillKey: billKey,
    CompanyId: DEMO.companyId,
    AgreementNo: agreementNo,
    PayAmount: amount,
  });

  async function sentBatch(billKey: string): Promise<{ batchNo: string; agreementNo: string }> {
    const agreementNo = await signed(billKey);
    const batchNo = uniqueSeq('BATCH');
    await ok('SendDisc', { BatchNo: batchNo, TotalCount: 1, TotalAmount: '10.00', WithholdingList: [item(billKey, agreementNo)] });
    return { batchNo, agreementNo };
  }

  const debited = (batchNo: string, billKey: string, agreementNo: string): ResponseMessage => ({
    BatchNo: batchNo,
    TotalCount: 1,
    SuccessCount: 1,
    FailCount: 0,
    ResultList: [{ ...item(billKey, agreementNo), ResultCode: '0000', ResultMessage: '扣款成功' }],
  });

  interface Row {
    code: string;
    name: string;
    run: (format: Format, key: string) => Promise<{ status: number; message: TreeObject }>;
  }

  const ROWS: Row[] = [
    { code: 'DEF0001', name: 'unknown customer', run: (f) => send('Query', { BillKey: 'NOSUCHKEY', CompanyId: DEMO.companyId }, f) },
    {
      code: 'DEF0002',
      name: 'payment amount not the due total',
      run: async (f, key) => (await customer(key), send('Pay', { BillKey: key, CompanyId: DEMO.companyId, PayAmount: '9.99' }, f)),
    },
    {
      code: 'DEF0003',
      name: 'nothing unpaid',
      run: async (f, key) => (await paid(key), send('Pay', { BillKey: key, CompanyId: DEMO.companyId, PayAmount: '10.00' }, f)),
    },
    {
      code: 'DEF0004',
      name: 'reversal of a reversal',
      run: async (f, key) => {
        const original = await paid(key);
        const reversal = await ok('PayInvalid', { OriginalTranSeq: original, BillKey: key, CompanyId: DEMO.companyId });
        const reversalSeq = (reversal.Transaction as TreeObject).TranSeq as string;
        return send('PayInvalid', { OriginalTranSeq: reversalSeq, BillKey: key, CompanyId: DEMO.companyId }, f);
      },
    },
    {
      code: 'DEF0005',
      name: 'already reversed',
      run: async (f, key) => {
        const original = await paid(key);
        await ok('PayInvalid', { OriginalTranSeq: original, BillKey: key, CompanyId: DEMO.companyId });
        return send('PayInvalid', { OriginalTranSeq: original, BillKey: key, CompanyId: DEMO.companyId }, f);
      },
    },
    {
      code: 'DEF0006',
      name: 'a second signed agreement',
      run: async (f, key) => {
        await signed(key);
        return send(
          'Signing',
          { BillKey: key, CompanyId: DEMO.companyId, AccountName: '孙八', AccountNo: '6222999988887777', BankName: '他行' },
          f,
        );
      },
    },
    {
      code: 'DEF0007',
      name: 'already terminated',
      run: async (f, key) => {
        const agreementNo = await signed(key);
        await ok('Termination', { BillKey: key, CompanyId: DEMO.companyId, AgreementNo: agreementNo });
        const batch = { BatchNo: uniqueSeq('BATCH'), TotalCount: 1, TotalAmount: '10.00', WithholdingList: [item(key, agreementNo)] };
        return send('SendDisc', batch, f);
      },
    },
    {
      code: 'DEF0008',
      name: 'reversal naming another customer',
      run: async (f, key) => {
        const original = await paid(key);
        return send('PayInvalid', { OriginalTranSeq: original, BillKey: `${key}X`, CompanyId: DEMO.companyId }, f);
      },
    },
    {
      code: 'DEF0009',
      name: 'a used TranSeq with another request',
      run: async (f, key) => {
        await customer(key, '20.00');
        const tranSeq = uniqueSeq('DUP');
        await send('Pay', { BillKey: key, CompanyId: DEMO.companyId, PayAmount: '1.00' }, 'JSON', tranSeq);
        return send('Pay', { BillKey: key, CompanyId: DEMO.companyId, PayAmount: '2.00' }, f, tranSeq);
      },
    },
    {
      code: 'DEF0010',
      name: 'batch totals not matching its list',
      run: async (f, key) => {
        const agreementNo = await signed(key);
        return send(
          'SendDisc',
          { BatchNo: uniqueSeq('BATCH'), TotalCount: 2, TotalAmount: '10.00', WithholdingList: [item(key, agreementNo)] },
          f,
        );
      },
    },
    {
      code: 'DEF0011',
      name: 'debit over the agreement maximum',
      run: async (f, key) => {
        const agreementNo = await signed(key, { MaxAmount: '5.00' });
        return send(
          'SendDisc',
          { BatchNo: uniqueSeq('BATCH'), TotalCount: 1, TotalAmount: '10.00', WithholdingList: [item(key, agreementNo)] },
          f,
        );
      },
    },
    {
      code: 'DEF0012',
      name: 'payment of a bill held by a debit batch',
      run: async (f, key) => (await sentBatch(key), send('Pay', { BillKey: key, CompanyId: DEMO.companyId, PayAmount: '10.00' }, f)),
    },
    {
      code: 'DEF0013',
      name: 'results for a batch already returned',
      run: async (f, key) => {
        const { batchNo, agreementNo } = await sentBatch(key);
        await ok('BackDisc', debited(batchNo, key, agreementNo));
        return send('BackDisc', debited(batchNo, key, agreementNo), f);
      },
    },
    {
      code: 'DEF0014',
      name: 'cancelling a debited item',
      run: async (f, key) => {
        const { batchNo, agreementNo } = await sentBatch(key);
        await ok('BackDisc', debited(batchNo, key, agreementNo));
        return send(
          'CancelDisc',
          { BatchNo: batchNo, BillKey: key, CompanyId: DEMO.companyId, AgreementNo: agreementNo, CancelReason: '客户要求' },
          f,
        );
      },
    },
  ];

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY });
    await t.app.get(DemoDataService).loadIfEmpty();
    const high = { perKey: 100_000, perInst: 100_000 };
    const limits = Object.fromEntries(Object.keys(OPERATIONS).map((code) => [code, high]));
    await request(t.http)
      .put(`/admin/v1/institutions/${DEMO.instId}/limits`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send(limits)
      .expect(200);
  });

  afterAll(() => t.close());

  describe.each(FORMATS)('%s', (format) => {
    it.each(ROWS)('$code $name', async (row) => {
      const answer = await row.run(format, uniqueSeq(`C${format[0]}`));
      expect(answer.status).toBe(400);
      expect(answer.message).toMatchObject({ RespCode: row.code, ErrorDetail: { ErrorCode: row.code } });
      expect((answer.message.ErrorDetail as TreeObject).ErrorMsg).toEqual(expect.any(String));
    });
  });
});
