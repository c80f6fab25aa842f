import { Injectable } from '@nestjs/common';
import { fenFromColumn, nowIso } from '../database/columns';
import { UnitOfWork } from '../database/unit-of-work';
import { Customer } from '../reference/entities/customer.entity';
import { AgreementStatus } from '../withholding/entities/withholding-agreement.entity';
import { Bill, BillStatus } from './entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill, TranStatus } from './entities/ledger-transaction.entity';

/** A fen column as the drivers return it. */
type FenCell = string | number;

const BILL_SELECT = `SELECT bill_no AS "billNo", company_id AS "companyId", bill_key AS "billKey", period, amount, late_fee AS "lateFee",
  start_date AS "startDate", end_date AS "endDate", due_date AS "dueDate", status, created_at AS "createdAt", updated_at AS "updatedAt"
  FROM bill`;

const LEDGER_SELECT = `SELECT id, inst_id AS "instId", tran_seq AS "tranSeq", tran_code AS "tranCode", company_id AS "companyId",
  bill_key AS "billKey", amount, sub_channel AS "subChannel", pay_date AS "payDate", business_date AS "businessDate",
  tran_status AS "tranStatus", original_tran_seq AS "originalTranSeq", batch_no AS "batchNo", resp_code AS "respCode",
  resp_message AS "respMessage", created_at AS "createdAt"
  FROM ledger_transaction`;

// Whole statements as constants: the statement cache is keyed by their text, so it is not rebuilt per call.
const OPEN_BILLS = `${BILL_SELECT} WHERE company_id = ? AND bill_key = ? AND status IN (?, ?) ORDER BY period, due_date, bill_no`;
const CUSTOMER_BILL = `${BILL_SELECT} WHERE bill_no = ? AND company_id = ? AND bill_key = ?`;
const TRANSACTION_BY_SEQ = `${LEDGER_SELECT} WHERE inst_id = ? AND tran_seq = ?`;

function toBill(row: Omit<Bill, 'amount' | 'lateFee' | 'dueTotal'> & { amount: FenCell; lateFee: FenCell }): Bill {
  return Object.assign(new Bill(), row, { amount: fenFromColumn(row.amount), lateFee: fenFromColumn(row.lateFee) });
}

function toLedgerTransaction(row: Omit<LedgerTransaction, 'amount'> & { amount: FenCell }): LedgerTransaction {
  return Object.assign(new LedgerTransaction(), row, { amount: fenFromColumn(row.amount) });
}

/**
 * The reads and guarded writes of payments and reversals. Every partner payment, reversal and bill query runs
 * these, so they are plain statements, prepared once, rather than built by TypeORM on every call.
 */
@Injectable()
export class PaymentRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** The customer, when its company is assigned to the institution; otherwise null, like a missing one. */
  async findCustomerInScope(instId: string, companyId: string, billKey: string): Promise<Customer | null> {
    const [row] = await this.uow.rows<Customer>(
      `SELECT c.company_id AS "companyId", c.bill_key AS "billKey", c.name, c.created_at AS "createdAt"
       FROM customer c JOIN institution_company a ON a.company_id = c.company_id AND a.inst_id = ?
       WHERE c.company_id = ? AND c.bill_key = ?`,
      [instId, companyId, billKey],
    );
    return row ? Object.assign(new Customer(), row) : null;
  }

  /** The customer's unpaid and held bills, oldest first. */
  async openBills(companyId: string, billKey: string): Promise<Bill[]> {
    const rows = await this.uow.rows<Parameters<typeof toBill>[0]>(OPEN_BILLS, [companyId, billKey, BillStatus.Unpaid, BillStatus.Held]);
    return rows.map(toBill);
  }

  async findCustomerBill(companyId: string, billKey: string, billNo: string): Promise<Bill | null> {
    const [row] = await this.uow.rows<Parameters<typeof toBill>[0]>(CUSTOMER_BILL, [billNo, companyId, billKey]);
    return row ? toBill(row) : null;
  }

  /** The number of the customer's signed agreement with this institution, if any. */
  async signedAgreementNo(instId: string, companyId: string, billKey: string): Promise<string | null> {
    const [row] = await this.uow.rows<{ agreementNo: string }>(
      'SELECT agreement_no AS "agreementNo" FROM withholding_agreement WHERE company_id = ? AND bill_key = ? AND inst_id = ? AND status = ?',
      [companyId, billKey, instId, AgreementStatus.Signed],
    );
    return row?.agreementNo ?? null;
  }

  async findTransaction(instId: string, tranSeq: string): Promise<LedgerTransaction | null> {
    const [row] = await this.uow.rows<Parameters<typeof toLedgerTransaction>[0]>(TRANSACTION_BY_SEQ, [instId, tranSeq]);
    return row ? toLedgerTransaction(row) : null;
  }

  async transactionExists(instId: string, tranSeq: string): Promise<boolean> {
    const rows = await this.uow.rows('SELECT 1 AS "found" FROM ledger_transaction WHERE inst_id = ? AND tran_seq = ?', [instId, tranSeq]);
    return rows.length > 0;
  }

  async billLinesOf(transactionId: number): Promise<LedgerTransactionBill[]> {
    const rows = await this.uow.rows<{ transactionId: number; billNo: string; amount: FenCell }>(
      'SELECT transaction_id AS "transactionId", bill_no AS "billNo", amount FROM ledger_transaction_bill WHERE transaction_id = ? ORDER BY bill_no',
      [transactionId],
    );
    return rows.map((row) => Object.assign(new LedgerTransactionBill(), row, { amount: fenFromColumn(row.amount) }));
  }

  async billNosOf(transactionId: number): Promise<string[]> {
    return (await this.billLinesOf(transactionId)).map((line) => line.billNo);
  }

  /** Marks bills paid only where they are still unpaid; returns how many it changed. */
  settleBills(billNos: string[]): Promise<number> {
    return this.moveBills(billNos, BillStatus.Unpaid, BillStatus.Paid);
  }

  /** Returns paid bills to unpaid; returns how many it changed. */
  reopenBills(billNos: string[]): Promise<number> {
    return this.moveBills(billNos, BillStatus.Paid, BillStatus.Unpaid);
  }

  /** Flips a live transaction to reversed; false when another reversal got there first. */
  async markReversed(transactionId: number): Promise<boolean> {
    const changed = await this.uow.run('UPDATE ledger_transaction SET tran_status = ? WHERE id = ? AND tran_status = ?', [
      TranStatus.Reversed,
      transactionId,
      TranStatus.Success,
    ]);
    return changed === 1;
  }

  /** One conditional update per bill (a payment carries a handful), so the statement is prepared once. */
  private async moveBills(billNos: string[], from: BillStatus, to: BillStatus): Promise<number> {
    const updatedAt = nowIso();
    let changed = 0;
    for (const billNo of billNos) {
      changed += await this.uow.run('UPDATE bill SET status = ?, updated_at = ? WHERE bill_no = ? AND status = ?', [
        to,
        updatedAt,
        billNo,
        from,
      ]);
    }
    return changed;
  }
}
