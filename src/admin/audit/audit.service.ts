import { Injectable } from '@nestjs/common';
import { nowIso } from '../../database/columns';
import { UnitOfWork } from '../../database/unit-of-work';
import { AuditEntry } from '../entities/audit-entry.entity';
import { AuditRepository } from './audit.repository';

/** Who is acting: the `X-Operator` header (default `admin`) and the request id, when one was sent. */
export interface AuditContext {
  actor: string;
  requestId: string | null;
}

export interface AuditEntryView {
  id: number;
  occurredAt: string;
  actor: string;
  action: string;
  target: string;
  detail: unknown;
  requestId: string | null;
}

/** The admin audit trail. An entry is written in the transaction of the change it records, so both exist or neither. */
@Injectable()
export class AuditService {
  constructor(
    private readonly audit: AuditRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** `detail` is stored as JSON and must never hold a secret (API key, payload key). */
  async record(context: AuditContext, action: string, target: string, detail: Record<string, unknown>): Promise<void> {
    if (!this.uow.inTransaction()) throw new Error(`audit entry ${action} must be written inside the transaction of its change`);
    await this.audit.insert({
      occurredAt: nowIso(),
      actor: context.actor,
      action,
      target,
      detail: JSON.stringify(detail),
      requestId: context.requestId,
    });
  }

  async list(page: number, pageSize: number): Promise<{ items: AuditEntryView[]; total: number; page: number; pageSize: number }> {
    const { items, total } = await this.audit.list({ offset: (page - 1) * pageSize, limit: pageSize });
    return { items: items.map(toView), total, page, pageSize };
  }
}

function toView(entry: AuditEntry): AuditEntryView {
  return { ...entry, detail: JSON.parse(entry.detail) as unknown };
}
