import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP_LENGTH } from '../../database/columns';

/** Per-institution rate-limit override for one TranCode; null keeps the configured default. */
@Entity('limit_override')
export class LimitOverride {
  @PrimaryColumn({ type: 'varchar', length: 30 })
  instId: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  tranCode: string;

  @Column({ type: 'integer', nullable: true })
  perKey: number | null;

  @Column({ type: 'integer', nullable: true })
  perInst: number | null;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  updatedAt: string;
}
