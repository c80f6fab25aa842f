import { Bill, BillStatus } from '../../src/billing/entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill, TranStatus } from '../../src/billing/entities/ledger-transaction.entity';
import { Fen } from '../../src/common/fen';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { maskAccountNo, maskName } from '../../src/withholding/masking';
import { BatchItemStatus, BatchStatus, DebitBatch, DebitBatchItem } from '../../src/withholding/entities/debit-batch.entity';
import { AgreementStatus, WithholdingAgreement } from '../../src/withholding/entities/withholding-agreement.entity';
import type { TestApp } from '../support/test-app';
import { uniqueId } from './admin-requests';

/**
 * Rows the partner API will write (payments, agreements, batches), for listing tests until it exists.
 * They go straight to the tables through the app's unit of work.
 */
const NOW = '2024-01-15T02:30:00.000Z';

export function ledgerTransaction(overrides: Partial<LedgerTransaction> = {}): Omit<LedgerTransaction, 'id'> {
  return {
    instId: '00001',
    tranSeq: uniqueId('TXN'),
    tranCode: 'Pay',
    companyId: '654321',
    billKey: '123456',
    amount: Fen.parseYuan('150.00') as Fen,
    subChannel: 0,
    payDate: NOW,
    businessDate: '2024-01-15',
    tranStatus: TranStatus.Success,
    originalTranSeq: null,
    batchNo: null,
    respCode: 'AAAAAAA',
    respMessage: '成功',
    createdAt: NOW,
    ...overrides,
  };
}

export function agreement(
  overrides: Partial<WithholdingAgreement> & { accountNo?: string; accountName?: string } = {},
): WithholdingAgreement {
  const { accountNo = '6222021234567890123', accountName = '张三丰', ...rest } = overrides;
  return {
    agreementNo: uniqueId('AGR'),
    instId: '00001',
    companyId: '654321',
    billKey: uniqueId('K'),
    // Sealed values are opaque to the listings; a marker stands in for the ciphertext.
    accountNameEnc: `sealed:${accountName}`,
    accountNameMasked: maskName(accountName),
    accountNoEnc: `sealed:${accountNo}`,
    accountNoMasked: maskAccountNo(accountNo),
    bankName: '示范银行',
    bankType: 0,
    contractNo: null,
    maxAmount: null,
    status: AgreementStatus.Signed,
    signDate: '2024-01-15',
    terminationDate: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...rest,
  };
}

export function debitBatch(overrides: Partial<DebitBatch> = {}): Omit<DebitBatch, 'id'> {
  return {
    instId: '00001',
    batchNo: uniqueId('BATCH'),
    origin: 'partner',
    status: BatchStatus.Processing,
    totalCount: 1,
    totalAmount: Fen.parseYuan('150.00') as Fen,
    successCount: 0,
    successAmount: Fen.ZERO,
    failCount: 0,
    cancelCount: 0,
    businessDate: '2024-01-15',
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

export function debitBatchItem(overrides: Partial<DebitBatchItem> = {}): Omit<DebitBatchItem, 'id' | 'batchId'> {
  return {
    lineNo: 1,
    companyId: '654321',
    billKey: '123456',
    agreementNo: 'AGR001',
    amount: Fen.parseYuan('150.00') as Fen,
    status: BatchItemStatus.Pending,
    billNos: [],
    tranSeq: null,
    resultCode: null,
    resultMessage: null,
    bankTranSeq: null,
    cancelReason: null,
    updatedAt: NOW,
    ...overrides,
  };
}

export async function insertTransaction(
  t: TestApp,
  row: Omit<LedgerTransaction, 'id'>,
  billNos: string[] = [],
): Promise<LedgerTransaction> {
  const uow = t.app.get(UnitOfWork);
  return uow.transaction(async () => {
    const saved = await uow.repository(LedgerTransaction).save(uow.repository(LedgerTransaction).create(row));
    for (const billNo of billNos) {
      const link: LedgerTransactionBill = { transactionId: saved.id, billNo, amount: row.amount };
      await uow.repository(LedgerTransactionBill).insert(link);
    }
    return saved;
  });
}

export async function insertAgreement(t: TestApp, row: WithholdingAgreement): Promise<void> {
  const uow = t.app.get(UnitOfWork);
  await uow.transaction(async () => {
    await uow.repository(WithholdingAgreement).insert(row);
  });
}

export async function insertBatch(
  t: TestApp,
  row: Omit<DebitBatch, 'id'>,
  items: Omit<DebitBatchItem, 'id' | 'batchId'>[],
): Promise<DebitBatch> {
  const uow = t.app.get(UnitOfWork);
  return uow.transaction(async () => {
    const saved = await uow.repository(DebitBatch).save(uow.repository(DebitBatch).create(row));
    for (const item of items) await uow.repository(DebitBatchItem).insert({ ...item, batchId: saved.id });
    return saved;
  });
}

/** A bill row as the import would write it; for tests that need bills in a given status. */
export function bill(overrides: Partial<Bill> = {}): Bill {
  return Object.assign(new Bill(), {
    billNo: uniqueId('B'),
    companyId: '654321',
    billKey: '123456',
    period: '202401',
    amount: Fen.parseYuan('150.00') as Fen,
    lateFee: Fen.ZERO,
    startDate: '2024-01-01',
    endDate: '2024-01-31',
    dueDate: '2024-01-31',
    status: BillStatus.Unpaid,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  });
}
