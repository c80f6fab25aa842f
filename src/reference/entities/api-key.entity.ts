import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TIMESTAMP_LENGTH } from '../../database/columns';

export type ApiKeyStatus = 'active' | 'revoked';

/**
 * An API key and the payload secret issued with it. Only the key's SHA-256 is stored; the secret is
 * encrypted with SECRET_KEY. Several active keys per institution allow rotation.
 */
@Entity('api_key')
export class ApiKey {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  keyId: string;

  @Index('idx_api_key_inst')
  @Column({ type: 'varchar', length: 30 })
  instId: string;

  @Index('uq_api_key_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  keyHash: string;

  @Column({ type: 'text' })
  secretEnc: string;

  @Column({ type: 'varchar', length: 10 })
  status: ApiKeyStatus;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH, nullable: true })
  lastUsedAt: string | null;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH, nullable: true })
  revokedAt: string | null;
}
