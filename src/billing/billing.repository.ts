import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { InstitutionCompany } from '../reference/entities/company.entity';
import { Bill, BillStatus } from './entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill, TranStatus } from './entities/ledger-transaction.entity';

/** Listing filters; an undefined field does not filter. */
export interface BillFilter {
  /** Only bills of companies assigned to this institution. */
  instId?: string;
  companyId?: string;
  billKey?: string;
  status?: BillStatus;
  /** YYYY-MM-DD */
  dueDate?: string;
}

export interface TransactionFilter {
  instId?: string;
  companyId?: string;
  billKey?: string;
  tranStatus?: TranStatus;
  /** YYYY-MM-DD */
  businessDate?: string;
}

export interface PageWindow {
  offset: number;
  limit: number;
}

/** Bills and the ledger. */
@Injectable()
export class BillingRepository {
  constructor(private readonly uow: UnitOfWork) {}

  findBill(billNo: string): Promise<Bill | null> {
    return this.uow.read(() => this.uow.repository(Bill).findOneBy({ billNo }));
  }

  async insertBills(bills: Bill[]): Promise<void> {
    if (bills.length > 0) await this.uow.repository(Bill).insert(bills);
  }

  async insertTransaction(
    transaction: Omit<LedgerTransaction, 'id'>,
    bills: Omit<LedgerTransactionBill, 'transactionId'>[],
  ): Promise<LedgerTransaction> {
    const t = transaction;
    const [{ id }] = await this.uow.rows<{ id: number }>(
      `INSERT INTO ledger_transaction (inst_id, tran_seq, tran_code, company_id, bill_key, amount, sub_channel, pay_date, business_date,
         tran_status, original_tran_seq, batch_no, resp_code, resp_message, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        t.instId,
        t.tranSeq,
        t.tranCode,
        t.companyId,
        t.billKey,
        t.amount.toString(),
        t.subChannel,
        t.payDate,
        t.businessDate,
        t.tranStatus,
        t.originalTranSeq,
        t.batchNo,
        t.respCode,
        t.respMessage,
        t.createdAt,
      ],
    );
    for (const bill of bills) {
      await this.uow.run('INSERT INTO ledger_transaction_bill (transaction_id, bill_no, amount) VALUES (?, ?, ?)', [
        id,
        bill.billNo,
        bill.amount.toString(),
      ]);
    }
    return Object.assign(new LedgerTransaction(), transaction, { id });
  }

  /** Which of `billNos` are already taken. */
  existingBillNos(billNos: string[]): Promise<Set<string>> {
    return this.uow.read(async () => {
      const taken = new Set<string>();
      for (const chunk of chunked(billNos, LOOKUP_CHUNK)) {
        const rows = await this.uow.repository(Bill).find({ select: { billNo: true }, where: { billNo: In(chunk) } });
        for (const row of rows) taken.add(row.billNo);
      }
      return taken;
    });
  }

  /** Inserts in chunks: one multi-row INSERT of 10,000 bills would pass SQLite's and PostgreSQL's bind-parameter limits. */
  async insertBillsInChunks(bills: Bill[]): Promise<void> {
    for (const chunk of chunked(bills, BILL_INSERT_CHUNK)) await this.insertBills(chunk);
  }

  /** Bills ordered by billNo. */
  listBills(filter: BillFilter, window: PageWindow): Promise<{ items: Bill[]; total: number }> {
    return this.uow.read(async () => {
      const query = this.uow.manager().createQueryBuilder(Bill, 'bill');
      if (filter.instId !== undefined) {
        const assigned = query
          .subQuery()
          .select('assignment.companyId')
          .from(InstitutionCompany, 'assignment')
          .where('assignment.instId = :instId');
        query.andWhere(`bill.companyId IN ${assigned.getQuery()}`, { instId: filter.instId });
      }
      if (filter.companyId !== undefined) query.andWhere('bill.companyId = :companyId', { companyId: filter.companyId });
      if (filter.billKey !== undefined) query.andWhere('bill.billKey = :billKey', { billKey: filter.billKey });
      if (filter.status !== undefined) query.andWhere('bill.status = :status', { status: filter.status });
      if (filter.dueDate !== undefined) query.andWhere('bill.dueDate = :dueDate', { dueDate: filter.dueDate });
      const [items, total] = await query.orderBy('bill.billNo', 'ASC').offset(window.offset).limit(window.limit).getManyAndCount();
      return { items, total };
    });
  }

  /** Ledger rows ordered by id, i.e. in the order they were written. */
  listTransactions(filter: TransactionFilter, window: PageWindow): Promise<{ items: LedgerTransaction[]; total: number }> {
    return this.uow.read(async () => {
      const query = this.uow.manager().createQueryBuilder(LedgerTransaction, 'tx');
      if (filter.instId !== undefined) query.andWhere('tx.instId = :instId', { instId: filter.instId });
      if (filter.companyId !== undefined) query.andWhere('tx.companyId = :companyId', { companyId: filter.companyId });
      if (filter.billKey !== undefined) query.andWhere('tx.billKey = :billKey', { billKey: filter.billKey });
      if (filter.tranStatus !== undefined) query.andWhere('tx.tranStatus = :tranStatus', { tranStatus: filter.tranStatus });
      if (filter.businessDate !== undefined) query.andWhere('tx.businessDate = :businessDate', { businessDate: filter.businessDate });
      const [items, total] = await query.orderBy('tx.id', 'ASC').offset(window.offset).limit(window.limit).getManyAndCount();
      return { items, total };
    });
  }

  /** The bill numbers each of the given transactions settled or released, by transaction id. */
  billNosOfTransactions(transactionIds: number[]): Promise<Map<number, string[]>> {
    return this.uow.read(async () => {
      const byTransaction = new Map<number, string[]>(transactionIds.map((id) => [id, []]));
      for (const chunk of chunked(transactionIds, LOOKUP_CHUNK)) {
        const rows = await this.uow
          .repository(LedgerTransactionBill)
          .find({ where: { transactionId: In(chunk) }, order: { transactionId: 'ASC', billNo: 'ASC' } });
        for (const row of rows) byTransaction.get(row.transactionId)?.push(row.billNo);
      }
      return byTransaction;
    });
  }
}

const LOOKUP_CHUNK = 500;
/** 12 columns a bill: 500 rows are 6,000 parameters, within both engines' limits. */
const BILL_INSERT_CHUNK = 500;

function chunked<T>(values: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}
