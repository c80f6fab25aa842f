import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { ApiKey } from './entities/api-key.entity';
import { Company, InstitutionCompany } from './entities/company.entity';
import { Customer } from './entities/customer.entity';
import { Institution } from './entities/institution.entity';
import { LimitOverride } from './entities/limit-override.entity';

/** Institutions, their keys and limits, companies and customers: the reference data partners act on. */
@Injectable()
export class ReferenceRepository {
  constructor(private readonly uow: UnitOfWork) {}

  findInstitution(instId: string): Promise<Institution | null> {
    return this.uow.read(() => this.uow.repository(Institution).findOneBy({ instId }));
  }

  listInstitutions(): Promise<Institution[]> {
    return this.uow.read(() => this.uow.repository(Institution).find({ order: { instId: 'ASC' } }));
  }

  countInstitutions(): Promise<number> {
    return this.uow.read(() => this.uow.repository(Institution).count());
  }

  async insertInstitution(institution: Institution): Promise<void> {
    await this.uow.repository(Institution).insert(institution);
  }

  async insertApiKey(key: ApiKey): Promise<void> {
    await this.uow.repository(ApiKey).insert(key);
  }

  listApiKeys(instId: string): Promise<ApiKey[]> {
    return this.uow.read(() => this.uow.repository(ApiKey).find({ where: { instId }, order: { createdAt: 'ASC', keyId: 'ASC' } }));
  }

  findApiKey(instId: string, keyId: string): Promise<ApiKey | null> {
    return this.uow.read(() => this.uow.repository(ApiKey).findOneBy({ instId, keyId }));
  }

  findApiKeyByHash(keyHash: string): Promise<ApiKey | null> {
    return this.uow.read(() => this.uow.repository(ApiKey).findOneBy({ keyHash }));
  }

  async markApiKeyUsed(keyId: string, at: string): Promise<void> {
    await this.uow.repository(ApiKey).update({ keyId }, { lastUsedAt: at });
  }

  /** Revokes only an active key; returns whether this call changed it. */
  async revokeApiKey(instId: string, keyId: string, at: string): Promise<boolean> {
    const result = await this.uow
      .manager()
      .createQueryBuilder()
      .update(ApiKey)
      .set({ status: 'revoked', revokedAt: at })
      .where('inst_id = :instId AND key_id = :keyId AND status = :status', { instId, keyId, status: 'active' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  listLimitOverrides(instId: string): Promise<LimitOverride[]> {
    return this.uow.read(() => this.uow.repository(LimitOverride).find({ where: { instId }, order: { tranCode: 'ASC' } }));
  }

  async upsertLimitOverride(override: LimitOverride): Promise<void> {
    await this.uow.repository(LimitOverride).upsert(override, ['instId', 'tranCode']);
  }

  async deleteLimitOverride(instId: string, tranCode: string): Promise<void> {
    await this.uow.repository(LimitOverride).delete({ instId, tranCode });
  }

  findCompany(companyId: string): Promise<Company | null> {
    return this.uow.read(() => this.uow.repository(Company).findOneBy({ companyId }));
  }

  async insertCompany(company: Company): Promise<void> {
    await this.uow.repository(Company).insert(company);
  }

  findAssignment(instId: string, companyId: string): Promise<InstitutionCompany | null> {
    return this.uow.read(() => this.uow.repository(InstitutionCompany).findOneBy({ instId, companyId }));
  }

  async insertAssignment(assignment: InstitutionCompany): Promise<void> {
    await this.uow.repository(InstitutionCompany).insert(assignment);
  }

  companiesOf(instId: string): Promise<InstitutionCompany[]> {
    return this.uow.read(() => this.uow.repository(InstitutionCompany).find({ where: { instId }, order: { companyId: 'ASC' } }));
  }

  findCustomer(companyId: string, billKey: string): Promise<Customer | null> {
    return this.uow.read(() => this.uow.repository(Customer).findOneBy({ companyId, billKey }));
  }

  async insertCustomer(customer: Customer): Promise<void> {
    await this.uow.repository(Customer).insert(customer);
  }

  /** One institution's override for one TranCode, or null: what the rate limiter reads per request. */
  findLimitOverride(instId: string, tranCode: string): Promise<LimitOverride | null> {
    return this.uow.read(() => this.uow.repository(LimitOverride).findOneBy({ instId, tranCode }));
  }

  /** The customers of `companyId` among `billKeys`, looked up in chunks so large imports stay within bind-parameter limits. */
  findCustomers(companyId: string, billKeys: string[]): Promise<Customer[]> {
    return this.uow.read(async () => {
      const found: Customer[] = [];
      for (const chunk of chunked(billKeys, LOOKUP_CHUNK)) {
        found.push(...(await this.uow.repository(Customer).findBy({ companyId, billKey: In(chunk) })));
      }
      return found;
    });
  }

  async insertCustomers(customers: Customer[]): Promise<void> {
    for (const chunk of chunked(customers, INSERT_CHUNK)) await this.uow.repository(Customer).insert(chunk);
  }
}

const LOOKUP_CHUNK = 500;
/** Customers have 4 columns: 1000 rows stay far below SQLite's and PostgreSQL's bind-parameter limits. */
const INSERT_CHUNK = 1000;

function chunked<T>(values: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}
