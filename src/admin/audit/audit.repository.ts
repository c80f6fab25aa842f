import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../../database/unit-of-work';
import { AuditEntry } from '../entities/audit-entry.entity';

@Injectable()
export class AuditRepository {
  constructor(private readonly uow: UnitOfWork) {}

  async insert(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.uow.repository(AuditEntry).insert(entry);
  }

  /** Newest first. */
  list(window: { offset: number; limit: number }): Promise<{ items: AuditEntry[]; total: number }> {
    return this.uow.read(async () => {
      const [items, total] = await this.uow
        .manager()
        .createQueryBuilder(AuditEntry, 'entry')
        .orderBy('entry.occurredAt', 'DESC')
        .addOrderBy('entry.id', 'DESC')
        .offset(window.offset)
        .limit(window.limit)
        .getManyAndCount();
      return { items, total };
    });
  }
}
