import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../reference/entities/api-key.entity';
import { Institution } from '../../reference/entities/institution.entity';
import { LimitOverride } from '../../reference/entities/limit-override.entity';
import { InstitutionService, LimitOverrideChange, OVERRIDABLE_TRAN_CODES } from '../../reference/institution.service';
import { ReferenceRepository } from '../../reference/reference.repository';
import { UnitOfWork } from '../../database/unit-of-work';
import { AuditContext, AuditService } from '../audit/audit.service';
import {
  ApiKeyView,
  AssignCompanyDto,
  AssignedCompanyView,
  CreatedInstitutionView,
  CreateInstitutionDto,
  InstitutionView,
  IssuedKeyView,
  LimitOverridesView,
  SetLimitOverridesDto,
} from './institution.dto';

/** Institutions, their keys, rate-limit overrides and companies, as the admin API changes them: each write audited in its transaction. */
@Injectable()
export class InstitutionAdminService {
  constructor(
    private readonly institutions: InstitutionService,
    private readonly reference: ReferenceRepository,
    private readonly audit: AuditService,
    private readonly uow: UnitOfWork,
  ) {}

  async createInstitution(input: CreateInstitutionDto, context: AuditContext): Promise<CreatedInstitutionView> {
    return this.uow.transaction(async () => {
      const created = await this.institutions.createInstitution(input);
      await this.audit.record(context, 'institution.create', `institution:${created.instId}`, {
        name: created.name,
        requireEncryption: created.requireEncryption,
        legacyCiphers: created.legacyCiphers,
        keyId: created.keyId,
      });
      return {
        instId: created.instId,
        name: created.name,
        requireEncryption: created.requireEncryption,
        legacyCiphers: created.legacyCiphers,
        apiKey: created.apiKey,
        encKey: created.encKey,
        keyId: created.keyId,
      };
    });
  }

  async listInstitutions(): Promise<InstitutionView[]> {
    return (await this.reference.listInstitutions()).map(institutionView);
  }

  async listKeys(instId: string): Promise<ApiKeyView[]> {
    await this.institutions.requireInstitution(instId);
    return (await this.reference.listApiKeys(instId)).map(keyView);
  }

  async rotateKey(instId: string, context: AuditContext): Promise<IssuedKeyView> {
    return this.uow.transaction(async () => {
      const issued = await this.institutions.rotateKey(instId);
      await this.audit.record(context, 'institution.key.rotate', `institution:${instId}`, { keyId: issued.keyId });
      return { apiKey: issued.apiKey, encKey: issued.encKey, keyId: issued.keyId };
    });
  }

  /** Revoking a revoked key answers it unchanged and records nothing. */
  async revokeKey(instId: string, keyId: string, context: AuditContext): Promise<ApiKeyView> {
    return this.uow.transaction(async () => {
      await this.institutions.requireInstitution(instId);
      const before = await this.reference.findApiKey(instId, keyId);
      const key = await this.institutions.revokeKey(instId, keyId);
      if (before?.status !== key.status) await this.audit.record(context, 'institution.key.revoke', `institution:${instId}`, { keyId });
      return keyView(key);
    });
  }

  async limitOverrides(instId: string): Promise<LimitOverridesView> {
    return limitsView(instId, await this.institutions.limitOverrides(instId));
  }

  async setLimitOverrides(instId: string, input: SetLimitOverridesDto, context: AuditContext): Promise<LimitOverridesView> {
    const changes: LimitOverrideChange[] = OVERRIDABLE_TRAN_CODES.flatMap((tranCode) => {
      if (input[tranCode] === undefined) return [];
      return [{ tranCode, perKey: input[tranCode]?.perKey ?? null, perInst: input[tranCode]?.perInst ?? null }];
    });
    return this.uow.transaction(async () => {
      const overrides = await this.institutions.setLimitOverrides(instId, changes);
      await this.audit.record(context, 'institution.limits.set', `institution:${instId}`, {
        changes: Object.fromEntries(changes.map((change) => [change.tranCode, { perKey: change.perKey, perInst: change.perInst }])),
      });
      return limitsView(instId, overrides);
    });
  }

  async assignCompany(instId: string, input: AssignCompanyDto, context: AuditContext): Promise<AssignedCompanyView> {
    return this.uow.transaction(async () => {
      const { company, created } = await this.institutions.assignCompany(instId, input);
      await this.audit.record(context, 'institution.company.assign', `institution:${instId}`, {
        companyId: company.companyId,
        name: company.name,
        companyCreated: created,
      });
      return { instId, companyId: company.companyId, name: company.name };
    });
  }
}

function institutionView(institution: Institution): InstitutionView {
  return {
    instId: institution.instId,
    name: institution.name,
    requireEncryption: institution.requireEncryption,
    legacyCiphers: institution.legacyCiphers,
    createdAt: institution.createdAt,
  };
}

/** Never the hash or the sealed secret. */
function keyView(key: ApiKey): ApiKeyView {
  return { keyId: key.keyId, status: key.status, createdAt: key.createdAt, lastUsedAt: key.lastUsedAt, revokedAt: key.revokedAt };
}

function limitsView(instId: string, overrides: LimitOverride[]): LimitOverridesView {
  return { instId, limits: Object.fromEntries(overrides.map((o) => [o.tranCode, { perKey: o.perKey, perInst: o.perInst }])) };
}
