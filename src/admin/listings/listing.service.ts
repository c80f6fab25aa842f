import { Injectable } from '@nestjs/common';
import { BillingRepository } from '../../billing/billing.repository';
import { Bill } from '../../billing/entities/bill.entity';
import { LedgerTransaction } from '../../billing/entities/ledger-transaction.entity';
import { DebitBatch } from '../../withholding/entities/debit-batch.entity';
import { WithholdingAgreement } from '../../withholding/entities/withholding-agreement.entity';
import { WithholdingRepository } from '../../withholding/withholding.repository';
import {
  AgreementListQueryDto,
  AgreementPageView,
  AgreementView,
  BatchListQueryDto,
  BatchPageView,
  BatchView,
  BillListItemView,
  BillListQueryDto,
  BillPageView,
  PageQueryDto,
  TransactionListQueryDto,
  TransactionPageView,
  TransactionView,
} from './listing.dto';

function window(query: PageQueryDto): { offset: number; limit: number } {
  return { offset: (query.page - 1) * query.pageSize, limit: query.pageSize };
}

/** The read-only listings of the admin API, in camelCase with amounts as yuan strings. */
@Injectable()
export class ListingService {
  constructor(
    private readonly billing: BillingRepository,
    private readonly withholding: WithholdingRepository,
  ) {}

  async listBills(query: BillListQueryDto): Promise<BillPageView> {
    const { items, total } = await this.billing.listBills(
      { instId: query.instId, companyId: query.companyId, billKey: query.billKey, status: query.status, dueDate: query.date },
      window(query),
    );
    return { items: items.map(billView), total, page: query.page, pageSize: query.pageSize };
  }

  async listTransactions(query: TransactionListQueryDto): Promise<TransactionPageView> {
    const { items, total } = await this.billing.listTransactions(
      { instId: query.instId, companyId: query.companyId, billKey: query.billKey, tranStatus: query.status, businessDate: query.date },
      window(query),
    );
    const billNos = await this.billing.billNosOfTransactions(items.map((item) => item.id));
    return {
      items: items.map((item) => transactionView(item, billNos.get(item.id) ?? [])),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  async listAgreements(query: AgreementListQueryDto): Promise<AgreementPageView> {
    const { items, total } = await this.withholding.listAgreements(
      { instId: query.instId, companyId: query.companyId, billKey: query.billKey, status: query.status, signDate: query.date },
      window(query),
    );
    return { items: items.map(agreementView), total, page: query.page, pageSize: query.pageSize };
  }

  async listBatches(query: BatchListQueryDto): Promise<BatchPageView> {
    const { items, total } = await this.withholding.listBatches(
      { instId: query.instId, companyId: query.companyId, billKey: query.billKey, status: query.status, businessDate: query.date },
      window(query),
    );
    return { items: items.map(batchView), total, page: query.page, pageSize: query.pageSize };
  }
}

function billView(bill: Bill): BillListItemView {
  return {
    billNo: bill.billNo,
    companyId: bill.companyId,
    billKey: bill.billKey,
    amount: bill.amount.toYuan(),
    lateFee: bill.lateFee.toYuan(),
    period: bill.period,
    dueDate: bill.dueDate,
    status: bill.status,
  };
}

function transactionView(transaction: LedgerTransaction, billNos: string[]): TransactionView {
  return {
    tranSeq: transaction.tranSeq,
    tranCode: transaction.tranCode,
    instId: transaction.instId,
    companyId: transaction.companyId,
    billKey: transaction.billKey,
    amount: transaction.amount.toYuan(),
    tranStatus: transaction.tranStatus,
    payDate: transaction.payDate,
    originalTranSeq: transaction.originalTranSeq,
    subChannel: transaction.subChannel,
    billNos,
  };
}

function agreementView(agreement: WithholdingAgreement): AgreementView {
  return {
    agreementNo: agreement.agreementNo,
    instId: agreement.instId,
    companyId: agreement.companyId,
    billKey: agreement.billKey,
    accountNo: agreement.accountNoMasked,
    accountName: agreement.accountNameMasked,
    bankName: agreement.bankName,
    status: agreement.status,
    signDate: agreement.signDate,
    terminationDate: agreement.terminationDate,
  };
}

function batchView(batch: DebitBatch): BatchView {
  return {
    batchNo: batch.batchNo,
    instId: batch.instId,
    status: batch.status,
    totalCount: batch.totalCount,
    totalAmount: batch.totalAmount.toYuan(),
    successCount: batch.successCount,
    failCount: batch.failCount,
    cancelCount: batch.cancelCount,
    origin: batch.origin,
    businessDate: batch.businessDate,
  };
}
