import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Bill, BillStatus } from '../billing/entities/bill.entity';
import { nowIso } from '../database/columns';
import { UnitOfWork } from '../database/unit-of-work';
import { InstitutionCompany } from '../reference/entities/company.entity';
import { BatchItemStatus, BatchStatus, DebitBatch, DebitBatchItem } from './entities/debit-batch.entity';
import { AgreementStatus, WithholdingAgreement } from './entities/withholding-agreement.entity';

/** Listing filters; an undefined field does not filter. */
export interface AgreementFilter {
  instId?: string;
  companyId?: string;
  billKey?: string;
  status?: AgreementStatus;
  /** YYYY-MM-DD */
  signDate?: string;
}

export interface BatchFilter {
  instId?: string;
  /** Batches with at least one item of this company (and customer, with billKey). */
  companyId?: string;
  billKey?: string;
  status?: BatchStatus;
  /** YYYY-MM-DD */
  businessDate?: string;
}

/** Open batches (CONTRACT §4): built here and waiting for delivery, or at the bank. */
export const OPEN_BATCH_STATUSES = [BatchStatus.Pending, BatchStatus.Processing];

const LOOKUP_CHUNK = 500;
/** 15 columns an item: 200 rows are 3,000 parameters, within both engines' limits. */
const ITEM_INSERT_CHUNK = 200;

/**
 * Withholding agreements, debit batches and their items, and the part of a bill's life withholding owns:
 * held by a batch (status 2), released, or written off by a debit. Every state change is a conditional update
 * answering whether it applied, so a racing request on PostgreSQL finds nothing left to change.
 */
@Injectable()
export class WithholdingRepository {
  constructor(private readonly uow: UnitOfWork) {}

  findAgreement(agreementNo: string): Promise<WithholdingAgreement | null> {
    return this.uow.read(() => this.uow.repository(WithholdingAgreement).findOneBy({ agreementNo }));
  }

  findAgreements(agreementNos: string[]): Promise<WithholdingAgreement[]> {
    return this.uow.read(async () => {
      const found: WithholdingAgreement[] = [];
      for (const chunk of chunked(agreementNos, LOOKUP_CHUNK)) {
        found.push(...(await this.uow.repository(WithholdingAgreement).findBy({ agreementNo: In(chunk) })));
      }
      return found;
    });
  }

  /** The customer's signed agreement, with whichever institution: there is at most one. */
  findSignedAgreementOf(companyId: string, billKey: string): Promise<WithholdingAgreement | null> {
    return this.uow.read(() => this.uow.repository(WithholdingAgreement).findOneBy({ companyId, billKey, status: AgreementStatus.Signed }));
  }

  async insertAgreement(agreement: WithholdingAgreement): Promise<void> {
    await this.uow.repository(WithholdingAgreement).insert(agreement);
  }

  /**
   * Takes the row lock of a signed agreement of `instId` until the transaction ends (an update that changes
   * nothing); false when it is not signed. Termination needs the same lock, so a batch taking an agreement and
   * the agreement's termination are serialised: whichever commits second sees the other's work.
   */
  async lockSignedAgreement(instId: string, agreementNo: string): Promise<boolean> {
    const result = await this.uow
      .manager()
      .createQueryBuilder()
      .update(WithholdingAgreement)
      .set({ status: () => 'status' })
      .where({ agreementNo, instId, status: AgreementStatus.Signed })
      .execute();
    return result.affected === 1;
  }

  /** Signed → terminated; false when it was not signed any more. */
  async terminateAgreement(agreementNo: string, terminationDate: string): Promise<boolean> {
    const result = await this.uow
      .manager()
      .createQueryBuilder()
      .update(WithholdingAgreement)
      .set({ status: AgreementStatus.Terminated, terminationDate, updatedAt: nowIso() })
      .where({ agreementNo, status: AgreementStatus.Signed })
      .execute();
    return result.affected === 1;
  }

  /** Agreements ordered by agreementNo. */
  listAgreements(
    filter: AgreementFilter,
    window: { offset: number; limit: number },
  ): Promise<{ items: WithholdingAgreement[]; total: number }> {
    return this.uow.read(async () => {
      const query = this.uow.manager().createQueryBuilder(WithholdingAgreement, 'agreement');
      if (filter.instId !== undefined) query.andWhere('agreement.instId = :instId', { instId: filter.instId });
      if (filter.companyId !== undefined) query.andWhere('agreement.companyId = :companyId', { companyId: filter.companyId });
      if (filter.billKey !== undefined) query.andWhere('agreement.billKey = :billKey', { billKey: filter.billKey });
      if (filter.status !== undefined) query.andWhere('agreement.status = :status', { status: filter.status });
      if (filter.signDate !== undefined) query.andWhere('agreement.signDate = :signDate', { signDate: filter.signDate });
      const [items, total] = await query
        .orderBy('agreement.agreementNo', 'ASC')
        .offset(window.offset)
        .limit(window.limit)
        .getManyAndCount();
      return { items, total };
    });
  }

  /**
   * Signed agreements, of companies assigned to their institution, whose customer has an unpaid bill due by
   * `today`: the candidates of automatic debit, by institution and customer.
   */
  dueAgreements(today: string): Promise<WithholdingAgreement[]> {
    return this.uow.read(() => {
      const query = this.uow.manager().createQueryBuilder(WithholdingAgreement, 'agreement');
      const due = query
        .subQuery()
        .select('1')
        .from(Bill, 'bill')
        .where('bill.companyId = agreement.companyId AND bill.billKey = agreement.billKey')
        .andWhere('bill.status = :unpaid AND bill.dueDate <= :today');
      const assigned = query
        .subQuery()
        .select('1')
        .from(InstitutionCompany, 'assignment')
        .where('assignment.instId = agreement.instId AND assignment.companyId = agreement.companyId');
      return query
        .where('agreement.status = :signed', { signed: AgreementStatus.Signed })
        .andWhere(`EXISTS ${due.getQuery()}`, { unpaid: BillStatus.Unpaid, today })
        .andWhere(`EXISTS ${assigned.getQuery()}`)
        .orderBy('agreement.instId', 'ASC')
        .addOrderBy('agreement.companyId', 'ASC')
        .addOrderBy('agreement.billKey', 'ASC')
        .getMany();
    });
  }

  findBatch(instId: string, batchNo: string): Promise<DebitBatch | null> {
    return this.uow.read(() => this.uow.repository(DebitBatch).findOneBy({ instId, batchNo }));
  }

  /** Every institution's batch of that number (partner numbers are unique per institution only). */
  findBatchesNumbered(batchNo: string): Promise<DebitBatch[]> {
    return this.uow.read(() => this.uow.repository(DebitBatch).find({ where: { batchNo }, order: { instId: 'ASC' } }));
  }

  async insertBatch(batch: Omit<DebitBatch, 'id'>): Promise<DebitBatch> {
    const repository = this.uow.repository(DebitBatch);
    return repository.save(repository.create(batch));
  }

  async insertItems(items: Omit<DebitBatchItem, 'id'>[]): Promise<void> {
    for (const chunk of chunked(items, ITEM_INSERT_CHUNK)) await this.uow.repository(DebitBatchItem).insert(chunk);
  }

  /** The batch's items in line order. */
  itemsOf(batchId: number): Promise<DebitBatchItem[]> {
    return this.uow.read(() => this.uow.repository(DebitBatchItem).find({ where: { batchId }, order: { lineNo: 'ASC' } }));
  }

  /**
   * Takes the row lock of an open batch until the transaction ends; false when it is not open any more.
   * Everything that changes a batch's items locks the batch first, so two of them never interleave.
   */
  async lockOpenBatch(batchId: number): Promise<boolean> {
    const result = await this.uow
      .manager()
      .createQueryBuilder()
      .update(DebitBatch)
      .set({ status: () => 'status' })
      .where({ id: batchId, status: In(OPEN_BATCH_STATUSES) })
      .execute();
    return result.affected === 1;
  }

  /** Re-reads a batch, e.g. after taking its lock. */
  findBatchById(id: number): Promise<DebitBatch | null> {
    return this.uow.read(() => this.uow.repository(DebitBatch).findOneBy({ id }));
  }

  async updateBatch(batchId: number, changes: Partial<Omit<DebitBatch, 'id'>>): Promise<void> {
    await this.uow.repository(DebitBatch).update({ id: batchId }, { ...changes, updatedAt: nowIso() });
  }

  /** Moves a pending item on; false when it is not pending any more. */
  async resolvePendingItem(itemId: number, changes: Partial<Omit<DebitBatchItem, 'id'>>): Promise<boolean> {
    const result = await this.uow
      .manager()
      .createQueryBuilder()
      .update(DebitBatchItem)
      .set({ ...changes, updatedAt: nowIso() })
      .where({ id: itemId, status: BatchItemStatus.Pending })
      .execute();
    return result.affected === 1;
  }

  /** Ids of the open batches holding a pending item of the agreement, ascending (the order they are locked in). */
  async openBatchIdsWithPendingItemsOf(agreementNo: string): Promise<number[]> {
    const rows = await this.uow
      .manager()
      .createQueryBuilder(DebitBatchItem, 'item')
      .innerJoin(DebitBatch, 'batch', 'batch.id = item.batchId')
      .select('item.batchId', 'batchId')
      .distinct(true)
      .where('item.agreementNo = :agreementNo AND item.status = :pending', { agreementNo, pending: BatchItemStatus.Pending })
      .andWhere('batch.status IN (:...open)', { open: OPEN_BATCH_STATUSES })
      .orderBy('item.batchId', 'ASC')
      .getRawMany<{ batchId: number | string }>();
    return rows.map((row) => Number(row.batchId));
  }

  /** Batch numbers of any institution and origin starting with `prefix`, e.g. the day's `A20240101`. */
  async batchNosStartingWith(prefix: string): Promise<string[]> {
    const rows = await this.uow
      .manager()
      .createQueryBuilder(DebitBatch, 'batch')
      .select('batch.batchNo', 'batchNo')
      .where('batch.batchNo LIKE :prefix', { prefix: `${prefix}%` })
      .getRawMany<{ batchNo: string }>();
    return rows.map((row) => row.batchNo);
  }

  /** The unpaid and held bills of some customers of one company, by billKey, oldest first. */
  openBillsOf(companyId: string, billKeys: string[]): Promise<Map<string, Bill[]>> {
    return this.uow.read(async () => {
      const byCustomer = new Map<string, Bill[]>(billKeys.map((billKey) => [billKey, []]));
      for (const chunk of chunked([...new Set(billKeys)], LOOKUP_CHUNK)) {
        const bills = await this.uow.repository(Bill).find({
          where: { companyId, billKey: In(chunk), status: In([BillStatus.Unpaid, BillStatus.Held]) },
          order: { period: 'ASC', dueDate: 'ASC', billNo: 'ASC' },
        });
        for (const bill of bills) byCustomer.get(bill.billKey)?.push(bill);
      }
      return byCustomer;
    });
  }

  findBills(billNos: string[]): Promise<Bill[]> {
    return this.uow.read(async () => {
      const found: Bill[] = [];
      for (const chunk of chunked(billNos, LOOKUP_CHUNK)) found.push(...(await this.uow.repository(Bill).findBy({ billNo: In(chunk) })));
      return found;
    });
  }

  /** Moves bills from one status to another where they still are in `from`; returns how many it changed. */
  async changeBillStatus(billNos: string[], from: BillStatus, to: BillStatus): Promise<number> {
    let changed = 0;
    const updatedAt = nowIso();
    for (const chunk of chunked(billNos, LOOKUP_CHUNK)) {
      const result = await this.uow
        .manager()
        .createQueryBuilder()
        .update(Bill)
        .set({ status: to, updatedAt })
        .where({ billNo: In(chunk), status: from })
        .execute();
      changed += result.affected ?? 0;
    }
    return changed;
  }

  /** Batches ordered by id, i.e. in the order they were received or built. */
  listBatches(filter: BatchFilter, window: { offset: number; limit: number }): Promise<{ items: DebitBatch[]; total: number }> {
    return this.uow.read(async () => {
      const query = this.uow.manager().createQueryBuilder(DebitBatch, 'batch');
      if (filter.instId !== undefined) query.andWhere('batch.instId = :instId', { instId: filter.instId });
      if (filter.status !== undefined) query.andWhere('batch.status = :status', { status: filter.status });
      if (filter.businessDate !== undefined) query.andWhere('batch.businessDate = :businessDate', { businessDate: filter.businessDate });
      if (filter.companyId !== undefined || filter.billKey !== undefined) {
        const items = query.subQuery().select('1').from(DebitBatchItem, 'item').where('item.batchId = batch.id');
        if (filter.companyId !== undefined) items.andWhere('item.companyId = :companyId', { companyId: filter.companyId });
        if (filter.billKey !== undefined) items.andWhere('item.billKey = :billKey', { billKey: filter.billKey });
        query.andWhere(`EXISTS ${items.getQuery()}`, items.getParameters());
      }
      const [batches, total] = await query.orderBy('batch.id', 'ASC').offset(window.offset).limit(window.limit).getManyAndCount();
      return { items: batches, total };
    });
  }
}

function chunked<T>(values: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}
