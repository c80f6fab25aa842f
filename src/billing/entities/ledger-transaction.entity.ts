import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Fen } from '../../common/fen';
import { fenColumn, TIMESTAMP_LENGTH } from '../../database/columns';

export type LedgerTranCode = 'Pay' | 'PayInvalid' | 'Withhold';

export enum TranStatus {
  Success = 1,
  Reversed = 2,
}

/** The ledger: one row per payment, withholding or reversal. Rows are never deleted; a reversal is a new negative row. */
@Entity('ledger_transaction')
@Index('uq_ledger_inst_seq', ['instId', 'tranSeq'], { unique: true })
@Index('idx_ledger_statement', ['instId', 'companyId', 'businessDate'])
// The reconciliation file pages through a day in (PayDate, TranSeq) order.
@Index('idx_ledger_file_order', ['instId', 'companyId', 'businessDate', 'payDate', 'tranSeq'])
@Index('idx_ledger_customer', ['companyId', 'billKey'])
export class LedgerTransaction {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 30 })
  instId: string;

  @Column({ type: 'varchar', length: 40 })
  tranSeq: string;

  @Column({ type: 'varchar', length: 20 })
  tranCode: LedgerTranCode;

  @Column({ type: 'varchar', length: 30 })
  companyId: string;

  @Column({ type: 'varchar', length: 35 })
  billKey: string;

  /** Negative for reversals. */
  @Column(fenColumn())
  amount: Fen;

  @Column({ type: 'integer' })
  subChannel: number;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  payDate: string;

  /** PayDate's calendar day in BUSINESS_TZ, YYYY-MM-DD: the reconciliation day. */
  @Column({ type: 'varchar', length: 10 })
  businessDate: string;

  @Column({ type: 'integer' })
  tranStatus: TranStatus;

  @Column({ type: 'varchar', length: 40, nullable: true })
  originalTranSeq: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  batchNo: string | null;

  @Column({ type: 'varchar', length: 10 })
  respCode: string;

  @Column({ type: 'varchar', length: 60 })
  respMessage: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;
}

/** The bills a transaction settled (or, for a reversal, released), with the amount each carried. */
@Entity('ledger_transaction_bill')
export class LedgerTransactionBill {
  @PrimaryColumn({ type: 'integer' })
  transactionId: number;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  billNo: string;

  @Column(fenColumn())
  amount: Fen;
}
