import { DataSource } from 'typeorm';
import { Bill } from '../../src/billing/entities/bill.entity';
import { LedgerTransaction } from '../../src/billing/entities/ledger-transaction.entity';
import { DEMO, DemoDataService } from '../../src/demo/demo-data.service';
import type { ResponseMessage } from '../../src/protocol/codec';
import { OPERATIONS, TranCode } from '../../src/protocol/partner-operation';
import { DebitBatch, DebitBatchItem } from '../../src/withholding/entities/debit-batch.entity';
import { WithholdingAgreement } from '../../src/withholding/entities/withholding-agreement.entity';
import { assertWithholdingConsistent } from '../support/ledger-invariant';
import { openResponse, PartnerCall, sendPartner, TODAY, Tree, TreeObject, uniqueSeq } from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';
import { adminApi, AdminApi } from './admin-api';

export const WH_API_KEY = 'withholding-test-api-key-000001';
export const WH_SECRET = Buffer.alloc(32, 7);
export const ACCOUNT_NO = '6222021234567890123';

/** A partner answer, every scalar as its wire text. */
export interface PartnerAnswer {
  status: number;
  headers: Record<string, string>;
  message: TreeObject;
  code: string;
  /** `Data` on success, `{}` otherwise. */
  data: TreeObject;
  errorMsg: string;
  text: string;
}

/** The app with demo data, the demo institution's limits raised so rule tests never trip them, and helpers. */
export interface WithholdingHarness {
  t: TestApp;
  api: AdminApi;
  db: DataSource;
  /** Sends `fields` over the BaseRequest of `tranCode` (demo institution, today, a fresh TranSeq). */
  call(tranCode: TranCode, fields: ResponseMessage, call?: PartnerCall & { path?: string }): Promise<PartnerAnswer>;
  close(): Promise<void>;
}

export async function startWithholdingApp(
  env: Record<string, string> = {},
  options: { defaultLimits?: boolean } = {},
): Promise<WithholdingHarness> {
  const t = await createTestApp({ DEMO_API_KEY: WH_API_KEY, DEMO_ENC_KEY: WH_SECRET.toString('base64'), ...env });
  await t.app.get(DemoDataService).loadIfEmpty();
  const api = adminApi(t);
  if (!options.defaultLimits) await raiseLimits(api, DEMO.instId);
  return {
    t,
    api,
    db: t.app.get(DataSource),
    call: (tranCode, fields, call = {}) => callPartner(t, tranCode, fields, { apiKey: WH_API_KEY, ...call }),
    close: () => t.close(),
  };
}

/** Raises every limit of an institution far above what a test sends. */
export async function raiseLimits(api: AdminApi, instId: string): Promise<void> {
  const high = { perKey: 1_000_000, perInst: 1_000_000 };
  await api
    .put(`/admin/v1/institutions/${instId}/limits`)
    .send({
      Signing: high,
      Termination: high,
      SendDisc: high,
      BackDisc: high,
      CancelDisc: high,
      DiscQuery: high,
      AgreementQuery: high,
      PayInvalid: high,
      Pay: high,
    })
    .expect(200);
}

export function baseFields(tranCode: TranCode, instId: string = DEMO.instId): ResponseMessage {
  return { Version: '1.0.1', InstId: instId, TranCode: tranCode, TranDate: TODAY(), TranSeq: uniqueSeq('W') };
}

export async function callPartner(
  t: TestApp,
  tranCode: TranCode,
  fields: ResponseMessage,
  call: PartnerCall & { path?: string; instId?: string } = {},
): Promise<PartnerAnswer> {
  const message = { ...baseFields(tranCode, call.instId), ...fields };
  const res = await sendPartner(t.http, call.path ?? OPERATIONS[tranCode].path, message, call);
  const opened = openResponse(res, call);
  const data = opened.message.Data;
  const detail = opened.message.ErrorDetail as TreeObject | undefined;
  return {
    status: res.status,
    headers: res.headers,
    message: opened.message,
    code: opened.message.RespCode as string,
    data: (data ?? {}) as TreeObject,
    errorMsg: (detail?.ErrorMsg as string | undefined) ?? '',
    text: opened.text,
  };
}

/** `tree.a.b` for a decoded answer. */
export function field(tree: Tree | undefined, ...path: string[]): Tree | undefined {
  let node = tree;
  for (const name of path) node = node !== undefined && typeof node === 'object' && !Array.isArray(node) ? node[name] : undefined;
  return node;
}

export interface TestCustomer {
  companyId: string;
  billKey: string;
  billNos: string[];
  /** The unpaid total, yuan. */
  total: string;
}

/** A new customer of the company (default the demo company) with unpaid bills of these amounts, created over the admin API. */
export async function customerWithBills(
  api: AdminApi,
  amounts: string[],
  options: { companyId?: string; lateFees?: string[]; dueDate?: string; billKey?: string } = {},
): Promise<TestCustomer> {
  const companyId = options.companyId ?? DEMO.companyId;
  const billKey = options.billKey ?? uniqueSeq('K');
  const billNos: string[] = [];
  let fen = 0n;
  for (const [index, amount] of amounts.entries()) {
    const lateFee = options.lateFees?.[index] ?? '0.00';
    const res = await api
      .post('/admin/v1/bills')
      .send({
        companyId,
        billKey,
        customerName: '王小明',
        amount,
        lateFee,
        period: `2024${String(index + 1).padStart(2, '0')}`,
        dueDate: options.dueDate ?? '2099-12-31',
      })
      .expect(201);
    billNos.push((res.body as { billNo: string }).billNo);
    fen += toFen(amount) + toFen(lateFee);
  }
  return { companyId, billKey, billNos, total: yuanOf(fen) };
}

export function signingFields(customer: { companyId: string; billKey: string }, overrides: ResponseMessage = {}): ResponseMessage {
  return {
    BillKey: customer.billKey,
    CompanyId: customer.companyId,
    AccountName: '王小明',
    AccountNo: ACCOUNT_NO,
    BankName: '示范银行',
    BankType: 0,
    ...overrides,
  };
}

export interface SignedCustomer extends TestCustomer {
  agreementNo: string;
}

/** A new customer with unpaid bills and a signed agreement with the demo institution. */
export async function signedCustomer(
  h: WithholdingHarness,
  amounts: string[],
  options: { maxAmount?: string; dueDate?: string; companyId?: string; instId?: string; apiKey?: string } = {},
): Promise<SignedCustomer> {
  const customer = await customerWithBills(h.api, amounts, options);
  const signed = await callPartner(h.t, 'Signing', signingFields(customer, options.maxAmount ? { MaxAmount: options.maxAmount } : {}), {
    apiKey: options.apiKey ?? WH_API_KEY,
    instId: options.instId,
  });
  if (signed.code !== 'AAAAAAA') throw new Error(`signing failed: ${signed.text}`);
  return { ...customer, agreementNo: field(signed.data, 'Agreement', 'AgreementNo') as string };
}

export interface DebitLine {
  billKey: string;
  companyId: string;
  agreementNo: string;
  amount: string;
}

export function lineOf(customer: SignedCustomer, amount: string = customer.total): DebitLine {
  return { billKey: customer.billKey, companyId: customer.companyId, agreementNo: customer.agreementNo, amount };
}

export function sendDiscFields(batchNo: string, lines: DebitLine[], overrides: ResponseMessage = {}): ResponseMessage {
  return {
    BatchNo: batchNo,
    TotalCount: lines.length,
    TotalAmount: yuanOf(lines.reduce((sum, line) => sum + toFen(line.amount), 0n)),
    WithholdingList: lines.map((line) => ({
      BillKey: line.billKey,
      CompanyId: line.companyId,
      AgreementNo: line.agreementNo,
      PayAmount: line.amount,
    })),
    ...overrides,
  };
}

export interface DebitResult extends DebitLine {
  resultCode: string;
}

export function debited(line: DebitLine): DebitResult {
  return { ...line, resultCode: '0000' };
}

export function failed(line: DebitLine, resultCode = '3001'): DebitResult {
  return { ...line, resultCode };
}

export function backDiscFields(batchNo: string, results: DebitResult[], overrides: ResponseMessage = {}): ResponseMessage {
  const success = results.filter((result) => result.resultCode === '0000').length;
  return {
    BatchNo: batchNo,
    TotalCount: results.length,
    SuccessCount: success,
    FailCount: results.length - success,
    ResultList: results.map((result, index) => ({
      BillKey: result.billKey,
      CompanyId: result.companyId,
      AgreementNo: result.agreementNo,
      PayAmount: result.amount,
      ResultCode: result.resultCode,
      ResultMessage: result.resultCode === '0000' ? '扣款成功' : '余额不足',
      BankTranSeq: `BK${batchNo}${index + 1}`,
    })),
    ...overrides,
  };
}

export function cancelDiscFields(batchNo: string, line: DebitLine, reason = '客户要求取消'): ResponseMessage {
  return { BatchNo: batchNo, BillKey: line.billKey, CompanyId: line.companyId, AgreementNo: line.agreementNo, CancelReason: reason };
}

export function batchNo(): string {
  return uniqueSeq('BT');
}

/** Rows as stored, read through the app's data source. */
export function rows(h: { db: DataSource }) {
  return {
    bills: (billNos: string[]) => h.db.getRepository(Bill).find({ where: billNos.map((billNo) => ({ billNo })), order: { billNo: 'ASC' } }),
    billStatuses: async (billNos: string[]) =>
      (await h.db.getRepository(Bill).find({ where: billNos.map((billNo) => ({ billNo })), order: { billNo: 'ASC' } })).map(
        (bill) => bill.status,
      ),
    agreement: (agreementNo: string) => h.db.getRepository(WithholdingAgreement).findOneByOrFail({ agreementNo }),
    batch: (instId: string, no: string) => h.db.getRepository(DebitBatch).findOneByOrFail({ instId, batchNo: no }),
    batchesNumbered: (no: string) => h.db.getRepository(DebitBatch).findBy({ batchNo: no }),
    items: async (instId: string, no: string) => {
      const batch = await h.db.getRepository(DebitBatch).findOneBy({ instId, batchNo: no });
      return batch ? h.db.getRepository(DebitBatchItem).find({ where: { batchId: batch.id }, order: { lineNo: 'ASC' } }) : [];
    },
    transactionsOf: (companyId: string, billKey: string) =>
      h.db.getRepository(LedgerTransaction).find({ where: { companyId, billKey }, order: { id: 'ASC' } }),
    withholds: () => h.db.getRepository(LedgerTransaction).find({ where: { tranCode: 'Withhold' }, order: { id: 'ASC' } }),
  };
}

export async function expectConsistent(h: { db: DataSource }): Promise<void> {
  await assertWithholdingConsistent(h.db);
}

export function toFen(yuan: string): bigint {
  const [whole, fraction = ''] = yuan.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

export function yuanOf(fen: bigint): string {
  return `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;
}
