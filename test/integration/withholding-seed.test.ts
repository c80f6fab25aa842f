import { TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { DEMO } from '../../src/demo/demo-data.service';
import { OPERATIONS } from '../../src/protocol/partner-operation';
import { AgreementStatus } from '../../src/withholding/entities/withholding-agreement.entity';
import {
  batchNo,
  customerWithBills,
  expectConsistent,
  lineOf,
  rows,
  sendDiscFields,
  signedCustomer,
  signingFields,
  startWithholdingApp,
  WH_API_KEY,
  WithholdingHarness,
} from '../factories/withholding';
import { decodeText, sendPartner, TODAY } from '../support/partner-client';

const dashed = (compact: string) => `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;

/** The seed's Termination example (seeds/003), byte for byte as a bank would send it, with today's TranDate. */
function seedRequest(format: 'JSON' | 'XML'): string {
  const today = TODAY();
  if (format === 'JSON') {
    return JSON.stringify({
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'Termination',
      TranDate: today,
      TranSeq: '123456789015',
      BillKey: '123456',
      CompanyId: '654321',
      AgreementNo: 'AGR001',
    });
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?><in><Version>1.0.1</Version><InstId>00001</InstId><TranCode>Termination</TranCode>' +
    `<TranDate>${today}</TranDate><TranSeq>123456789015</TranSeq><BillKey>123456</BillKey><CompanyId>654321</CompanyId>` +
    '<AgreementNo>AGR001</AgreementNo></in>'
  );
}

/** The seed's response, exactly its fields in its order, with today's dates. */
function seedResponse(format: 'JSON' | 'XML'): string {
  const today = TODAY();
  if (format === 'JSON') {
    return JSON.stringify({
      Version: '1.0.1',
      InstId: '00001',
      TranCode: 'TerminationRes',
      TranDate: today,
      TranSeq: '123456789015',
      RespCode: 'AAAAAAA',
      RespMessage: '解约成功',
      Data: {
        Agreement: { BillKey: '123456', CompanyId: '654321', AgreementNo: 'AGR001', AgreementStatus: 2, TerminationDate: dashed(today) },
      },
    });
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?><out><Version>1.0.1</Version><InstId>00001</InstId><TranCode>TerminationRes</TranCode>' +
    `<TranDate>${today}</TranDate><TranSeq>123456789015</TranSeq><RespCode>AAAAAAA</RespCode><RespMessage>解约成功</RespMessage>` +
    '<Data><Agreement><BillKey>123456</BillKey><CompanyId>654321</CompanyId><AgreementNo>AGR001</AgreementNo>' +
    `<AgreementStatus>2</AgreementStatus><TerminationDate>${dashed(today)}</TerminationDate></Agreement></Data></out>`
  );
}

describe.each(['JSON', 'XML'] as const)('the Termination seed in %s on demo data', (format) => {
  let h: WithholdingHarness;
  // The seed's own limits: 1 termination per agreement per day.
  beforeAll(async () => {
    h = await startWithholdingApp({}, { defaultLimits: true });
  });
  afterAll(() => h.close());
  afterEach(() => expectConsistent(h));

  const send = (body: string) => sendPartner(h.t.http, OPERATIONS.Termination.path, {}, { format, apiKey: WH_API_KEY, raw: body });
  const text = (res: { body: unknown; headers: Record<string, string> }) =>
    decodeText(res.body as Buffer, res.headers['content-type'] ?? '');

  it('terminates AGR001 and answers exactly the seed response with 解约成功', async () => {
    const before = await rows(h).transactionsOf(DEMO.companyId, DEMO.billKey);
    const res = await send(seedRequest(format));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(format === 'JSON' ? 'application/json; charset=utf-8' : 'application/xml; charset=UTF-8');
    expect(text(res)).toBe(seedResponse(format));

    const agreement = await rows(h).agreement(DEMO.agreementNo);
    expect(agreement).toMatchObject({ status: AgreementStatus.Terminated, terminationDate: dashed(TODAY()) });
    // 解约不影响已产生的交易记录: the demo payment is as it was.
    const after = await rows(h).transactionsOf(DEMO.companyId, DEMO.billKey);
    expect(after).toEqual(before);
    expect(after.find((tx) => tx.tranSeq === DEMO.paymentTranSeq)?.tranStatus).toBe(TranStatus.Success);
  });

  it('replays the same request with the stored answer, changing nothing', async () => {
    const res = await send(seedRequest(format));
    expect(res.status).toBe(200);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(text(res)).toBe(seedResponse(format));
  });

  it('refuses a second termination of AGR001 the same day by the per-agreement limit (1 a day)', async () => {
    const res = await send(seedRequest(format).replace('123456789015', '123456789016'));
    expect(res.status).toBe(429);
    expect(text(res)).toContain('LMT4001');
    expect((await rows(h).agreement(DEMO.agreementNo)).status).toBe(AgreementStatus.Terminated);
  });
});

describe('withholding operations under the default limits of §9', () => {
  let h: WithholdingHarness;
  beforeAll(async () => {
    h = await startWithholdingApp({}, { defaultLimits: true });
  });
  afterAll(() => h.close());
  afterEach(() => expectConsistent(h));

  it('allows 5 Signings a day per BillKey; the 6th is 429 LMT4001, a replay is not counted', async () => {
    const customer = await customerWithBills(h.api, ['1.00']);
    const first = { ...signingFields(customer), TranSeq: `LS${customer.billKey}` };
    const codes = [(await h.call('Signing', first)).code];
    for (let i = 0; i < 4; i += 1) codes.push((await h.call('Signing', signingFields(customer))).code);
    expect((await h.call('Signing', first)).headers['idempotent-replayed']).toBe('true');
    const sixth = await h.call('Signing', signingFields(customer));
    expect(codes).toEqual(['AAAAAAA', 'DEF0006', 'DEF0006', 'DEF0006', 'DEF0006']);
    expect([sixth.status, sixth.code]).toEqual([429, 'LMT4001']);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('allows 10 SendDiscs an hour per institution', async () => {
    const customer = await signedCustomer(h, ['1.00']);
    // Hour windows are fixed: never straddle one.
    const leftInHour = 3_600_000 - (Date.now() % 3_600_000);
    if (leftInHour < 10_000) await new Promise((resolve) => setTimeout(resolve, leftInHour + 50));
    const codes: string[] = [];
    // Nothing below is accepted (the amount is wrong), yet each counts: the limit is checked before the rules.
    for (let i = 0; i < 11; i += 1) codes.push((await h.call('SendDisc', sendDiscFields(batchNo(), [lineOf(customer, '9.99')]))).code);
    expect(codes).toEqual([...Array<string>(10).fill('DEF0002'), 'LMT4001']);
  });
});
