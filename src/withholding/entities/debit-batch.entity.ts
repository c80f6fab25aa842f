import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Fen } from '../../common/fen';
import { fenColumn, TIMESTAMP_LENGTH } from '../../database/columns';

export enum BatchStatus {
  /** Built here, waiting for delivery to the bank. */
  Pending = 0,
  /** At the bank; a batch received by SendDisc starts here. */
  Processing = 1,
  Succeeded = 2,
  Failed = 3,
  Cancelled = 4,
}

export enum BatchItemStatus {
  Pending = 0,
  Debited = 1,
  Failed = 2,
  Cancelled = 3,
}

export type BatchOrigin = 'partner' | 'auto';

/** A debit batch (送盘): received from a partner by SendDisc, or built here by automatic debit. */
@Entity('debit_batch')
@Index('uq_batch_inst_no', ['instId', 'batchNo'], { unique: true })
export class DebitBatch {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 30 })
  instId: string;

  @Column({ type: 'varchar', length: 50 })
  batchNo: string;

  @Column({ type: 'varchar', length: 10 })
  origin: BatchOrigin;

  @Column({ type: 'integer' })
  status: BatchStatus;

  @Column({ type: 'integer' })
  totalCount: number;

  @Column(fenColumn())
  totalAmount: Fen;

  @Column({ type: 'integer', default: 0 })
  successCount: number;

  @Column(fenColumn({ default: 0 }))
  successAmount: Fen;

  @Column({ type: 'integer', default: 0 })
  failCount: number;

  @Column({ type: 'integer', default: 0 })
  cancelCount: number;

  /** The business day the batch was sent or built, YYYY-MM-DD. */
  @Column({ type: 'varchar', length: 10 })
  businessDate: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  updatedAt: string;
}

/** One customer's debit inside a batch, holding that customer's bills while pending. */
@Entity('debit_batch_item')
@Index('idx_batch_item_batch', ['batchId'])
@Index('idx_batch_item_agreement', ['agreementNo', 'status'])
export class DebitBatchItem {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'integer' })
  batchId: number;

  @Column({ type: 'integer' })
  lineNo: number;

  @Column({ type: 'varchar', length: 30 })
  companyId: string;

  @Column({ type: 'varchar', length: 35 })
  billKey: string;

  @Column({ type: 'varchar', length: 150 })
  agreementNo: string;

  @Column(fenColumn())
  amount: Fen;

  @Column({ type: 'integer' })
  status: BatchItemStatus;

  @Column({ type: 'simple-json' })
  billNos: string[];

  /** The Withhold transaction that wrote the bills off, once debited. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  tranSeq: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  resultCode: string | null;

  @Column({ type: 'varchar', length: 150, nullable: true })
  resultMessage: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  bankTranSeq: string | null;

  @Column({ type: 'varchar', length: 150, nullable: true })
  cancelReason: string | null;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  updatedAt: string;
}
