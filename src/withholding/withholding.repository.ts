import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { BatchStatus, DebitBatch, DebitBatchItem } from './entities/debit-batch.entity';
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

/** Withholding agreements, debit batches and their items. */
@Injectable()
export class WithholdingRepository {
  constructor(private readonly uow: UnitOfWork) {}

  findAgreement(agreementNo: string): Promise<WithholdingAgreement | null> {
    return this.uow.read(() => this.uow.repository(WithholdingAgreement).findOneBy({ agreementNo }));
  }

  async insertAgreement(agreement: WithholdingAgreement): Promise<void> {
    await this.uow.repository(WithholdingAgreement).insert(agreement);
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
