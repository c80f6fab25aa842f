import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hashApiKey, SecretBox } from '../common/secret-box';
import { nowIso } from '../database/columns';
import { UnitOfWork } from '../database/unit-of-work';
import { ApiKey } from './entities/api-key.entity';
import { Company } from './entities/company.entity';
import { Institution } from './entities/institution.entity';
import { LimitOverride } from './entities/limit-override.entity';
import { ReferenceCache } from './reference-cache';
import { ReferenceRepository } from './reference.repository';

/** The TranCodes whose rate limits an institution may override (CONTRACT §1, §9). */
export const OVERRIDABLE_TRAN_CODES = [
  'Query',
  'Pay',
  'PayInvalid',
  'PayQuery',
  'PayCheck',
  'Signing',
  'AgreementQuery',
  'Termination',
  'SendDisc',
  'BackDisc',
  'CancelDisc',
  'DiscQuery',
] as const;

export type OverridableTranCode = (typeof OVERRIDABLE_TRAN_CODES)[number];

/** A new override for one TranCode; null on a side keeps the configured default, null on both removes the override. */
export interface LimitOverrideChange {
  tranCode: OverridableTranCode;
  perKey: number | null;
  perInst: number | null;
}

/** An API key and payload secret as issued: the only moment they are visible. */
export interface IssuedCredentials {
  keyId: string;
  apiKey: string;
  /** base64 of the 32-byte payload secret K. */
  encKey: string;
}

export interface NewInstitution {
  instId: string;
  name: string;
  requireEncryption?: boolean;
  legacyCiphers?: boolean;
}

/** Institutions and their credentials. Keys are stored as hashes, secrets sealed with SECRET_KEY. */
@Injectable()
export class InstitutionService {
  constructor(
    private readonly reference: ReferenceRepository,
    private readonly uow: UnitOfWork,
    private readonly secretBox: SecretBox,
    private readonly cache: ReferenceCache,
  ) {}

  /** Creates an institution with its first key pair; `preset` fixes the pair (demo data). */
  async createInstitution(input: NewInstitution, preset?: { apiKey?: string; encKey?: string }): Promise<Institution & IssuedCredentials> {
    return this.uow.transaction(async () => {
      if (await this.reference.findInstitution(input.instId)) {
        throw new ConflictException(`institution ${input.instId} already exists`);
      }
      const institution: Institution = {
        instId: input.instId,
        name: input.name,
        requireEncryption: input.requireEncryption ?? false,
        legacyCiphers: input.legacyCiphers ?? false,
        createdAt: nowIso(),
      };
      await this.reference.insertInstitution(institution);
      const credentials = await this.issueKey(input.instId, preset);
      return { ...institution, ...credentials };
    });
  }

  /** Issues a further key pair; older pairs stay valid until revoked, so partners can rotate without downtime. */
  async rotateKey(instId: string): Promise<IssuedCredentials> {
    return this.uow.transaction(async () => {
      await this.requireInstitution(instId);
      return this.issueKey(instId);
    });
  }

  async revokeKey(instId: string, keyId: string): Promise<ApiKey> {
    return this.uow.transaction(async () => {
      const key = await this.reference.findApiKey(instId, keyId);
      if (!key) throw new NotFoundException(`key ${keyId} of institution ${instId} not found`);
      await this.reference.revokeApiKey(instId, keyId, nowIso());
      this.uow.afterCommit(() => this.cache.invalidateInstitution(instId));
      return (await this.reference.findApiKey(instId, keyId)) as ApiKey;
    });
  }

  async requireInstitution(instId: string): Promise<Institution> {
    const institution = await this.reference.findInstitution(instId);
    if (!institution) throw new NotFoundException(`institution ${instId} not found`);
    return institution;
  }

  /** Applies the changes to the institution's overrides; TranCodes not mentioned keep theirs. Returns all overrides. */
  async setLimitOverrides(instId: string, changes: LimitOverrideChange[]): Promise<LimitOverride[]> {
    return this.uow.transaction(async () => {
      await this.requireInstitution(instId);
      const updatedAt = nowIso();
      for (const change of changes) {
        if (change.perKey === null && change.perInst === null) {
          await this.reference.deleteLimitOverride(instId, change.tranCode);
        } else {
          await this.reference.upsertLimitOverride({
            instId,
            tranCode: change.tranCode,
            perKey: change.perKey,
            perInst: change.perInst,
            updatedAt,
          });
        }
      }
      this.uow.afterCommit(() => this.cache.invalidateInstitution(instId));
      return this.reference.listLimitOverrides(instId);
    });
  }

  async limitOverrides(instId: string): Promise<LimitOverride[]> {
    await this.requireInstitution(instId);
    return this.reference.listLimitOverrides(instId);
  }

  /**
   * Lets the institution collect for a company, creating the company when it is new. Companies are shared
   * between institutions, so an existing one must be named the same: another name means a typo or a clash.
   */
  async assignCompany(instId: string, input: { companyId: string; name: string }): Promise<{ company: Company; created: boolean }> {
    return this.uow.transaction(async () => {
      await this.requireInstitution(instId);
      const now = nowIso();
      let company = await this.reference.findCompany(input.companyId);
      const created = company === null;
      if (company === null) {
        company = { companyId: input.companyId, name: input.name, createdAt: now };
        await this.reference.insertCompany(company);
      } else if (company.name !== input.name) {
        throw new ConflictException(`company ${input.companyId} already exists with another name`);
      } else if (await this.reference.findAssignment(instId, input.companyId)) {
        throw new ConflictException(`company ${input.companyId} is already assigned to institution ${instId}`);
      }
      await this.reference.insertAssignment({ instId, companyId: input.companyId, createdAt: now });
      return { company, created };
    });
  }

  /** The payload secret K issued with a key. */
  secretOf(key: ApiKey): Buffer {
    return this.secretBox.open(key.secretEnc, `api_key:${key.keyId}`);
  }

  private async issueKey(instId: string, preset?: { apiKey?: string; encKey?: string }): Promise<IssuedCredentials> {
    const keyId = `key_${randomBytes(8).toString('hex')}`;
    const apiKey = preset?.apiKey ?? `ak_${randomBytes(32).toString('base64url')}`;
    const secret = preset?.encKey ? Buffer.from(preset.encKey, 'base64') : randomBytes(32);
    const keyHash = hashApiKey(apiKey);
    if (await this.reference.findApiKeyByHash(keyHash)) throw new ConflictException('that API key is already issued');
    await this.reference.insertApiKey({
      keyId,
      instId,
      keyHash,
      secretEnc: this.secretBox.seal(secret, `api_key:${keyId}`),
      status: 'active',
      createdAt: nowIso(),
      lastUsedAt: null,
      revokedAt: null,
    });
    return { keyId, apiKey, encKey: secret.toString('base64') };
  }
}
