import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TIMESTAMP_LENGTH } from '../../database/columns';

export type IdempotencyState = 'pending' | 'done';

/** The stored outcome of a state-changing request, keyed by (InstId, TranSeq). */
@Entity('idempotency_record')
@Index('idx_idempotency_expiry', ['expiresAt'])
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'varchar', length: 30 })
  instId: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  tranSeq: string;

  @Column({ type: 'varchar', length: 20 })
  tranCode: string;

  /** SHA-256 of the canonical request (decoded fields, amounts in fen), whatever format or cipher carried it. */
  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 10 })
  state: IdempotencyState;

  @Column({ type: 'integer', nullable: true })
  httpStatus: number | null;

  /** The response message as JSON, re-encoded for each replay's format and cipher. */
  @Column({ type: 'text', nullable: true })
  responseBody: string | null;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  expiresAt: string;
}
