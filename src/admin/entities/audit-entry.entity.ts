import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TIMESTAMP_LENGTH } from '../../database/columns';

/** Who changed what through the admin API, and when. Secrets never appear in `detail`. */
@Entity('audit_entry')
@Index('idx_audit_time', ['occurredAt'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  occurredAt: string;

  @Column({ type: 'varchar', length: 100 })
  actor: string;

  @Column({ type: 'varchar', length: 60 })
  action: string;

  @Column({ type: 'varchar', length: 200 })
  target: string;

  @Column({ type: 'text' })
  detail: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId: string | null;
}
