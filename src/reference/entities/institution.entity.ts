import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP_LENGTH } from '../../database/columns';

/** A partner institution (bank or collecting agent), identified on the wire by InstId. */
@Entity('institution')
export class Institution {
  @PrimaryColumn({ type: 'varchar', length: 30 })
  instId: string;

  @Column({ type: 'varchar', length: 150 })
  name: string;

  @Column({ type: 'boolean', default: false })
  requireEncryption: boolean;

  @Column({ type: 'boolean', default: false })
  legacyCiphers: boolean;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;
}
