import { Injectable } from '@nestjs/common';
import { hashApiKey } from '../common/secret-box';
import { nowIso } from '../database/columns';
import { UnitOfWork } from '../database/unit-of-work';
import { ApiKey } from '../reference/entities/api-key.entity';
import { Institution } from '../reference/entities/institution.entity';
import { InstitutionService } from '../reference/institution.service';
import { ReferenceCache } from '../reference/reference-cache';
import { ReferenceRepository } from '../reference/reference.repository';
import { ProtocolError, RespCode } from './errors';

export interface AuthenticatedPartner {
  institution: Institution;
  key: ApiKey;
  /** The payload secret K issued with this key. */
  secret: Buffer;
}

const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * X-Api-Key → institution. Keys are looked up by SHA-256, so timing says nothing about the key's text; the
 * answer is kept for CREDENTIAL_TTL_MS, and a revocation on this instance drops it when it commits.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly reference: ReferenceRepository,
    private readonly institutions: InstitutionService,
    private readonly uow: UnitOfWork,
    private readonly cache: ReferenceCache,
  ) {}

  async authenticate(apiKey: string | undefined): Promise<AuthenticatedPartner> {
    if (apiKey === undefined || apiKey.trim() === '')
      throw new ProtocolError(RespCode.SEC2002, { zh: '缺少X-Api-Key', en: 'X-Api-Key header missing' });
    const partner = await this.cache.credential(hashApiKey(apiKey.trim()), (keyHash) => this.load(keyHash));
    if (!partner) throw new ProtocolError(RespCode.SEC2003, { zh: 'API密钥无效或已吊销', en: 'API key invalid or revoked' });
    await this.touch(partner.key);
    return partner;
  }

  /** An active key with its institution and opened secret; null for an unknown or revoked key. */
  private async load(keyHash: string): Promise<AuthenticatedPartner | null> {
    const key = await this.reference.findApiKeyByHash(keyHash);
    if (!key || key.status !== 'active') return null;
    const institution = await this.reference.findInstitution(key.instId);
    if (!institution) return null;
    return { institution, key, secret: this.institutions.secretOf(key) };
  }

  /** Records lastUsedAt at most once a minute per key, so authentication does not write on every request. */
  private async touch(key: ApiKey): Promise<void> {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(key.keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(key.keyId, now);
    await this.uow.transaction(() => this.reference.markApiKeyUsed(key.keyId, nowIso()));
  }
}
