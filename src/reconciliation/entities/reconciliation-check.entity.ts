import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Fen } from '../../common/fen';
import { fenColumn, TIMESTAMP_LENGTH } from '../../database/columns';

export enum CheckStatus {
  Balanced = 0,
  Differences = 1,
}

export type DifferenceKind = 'MISSING_HERE' | 'MISSING_THERE' | 'AMOUNT';

/** One PayCheck: the partner's totals against ours for (InstId, CompanyId, business date); its differences are child rows. */
@Entity('reconciliation_check')
@Index('uq_reconciliation_check_inst_seq', ['instId', 'tranSeq'], { unique: true })
@Index('idx_reconciliation_check_day', ['instId', 'companyId', 'payDate'])
export class ReconciliationCheck {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 30 })
  instId: string;

  /** The PayCheck request's TranSeq. */
  @Column({ type: 'varchar', length: 40 })
  tranSeq: string;

  @Column({ type: 'varchar', length: 30 })
  companyId: string;

  /** The reconciled business date, YYYY-MM-DD in BUSINESS_TZ. */
  @Column({ type: 'varchar', length: 10 })
  payDate: string;

  @Column({ type: 'varchar', length: 100 })
  fileName: string;

  /** Whether the partner sent its file (else only the totals were compared). */
  @Column({ type: 'boolean' })
  withFile: boolean;

  @Column({ type: 'integer' })
  checkStatus: CheckStatus;

  @Column({ type: 'integer' })
  theirCount: number;

  @Column(fenColumn())
  theirMoney: Fen;

  @Column({ type: 'integer' })
  ourCount: number;

  @Column(fenColumn())
  ourMoney: Fen;

  @Column({ type: 'integer' })
  differenceCount: number;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;
}

/** One difference of a check, in the order found; `lineNo` is the line of the partner's file, when it has one. */
@Entity('reconciliation_difference')
export class ReconciliationDifference {
  @PrimaryColumn({ type: 'integer' })
  checkId: number;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 40 })
  tranSeq: string;

  @Column({ type: 'varchar', length: 20 })
  kind: DifferenceKind;

  @Column(fenColumn({ nullable: true }))
  ours: Fen | null;

  @Column(fenColumn({ nullable: true }))
  theirs: Fen | null;

  @Column({ type: 'integer', nullable: true })
  lineNo: number | null;
}
