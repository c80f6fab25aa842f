import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { WithholdingAgreement } from './entities/withholding-agreement.entity';

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
}
