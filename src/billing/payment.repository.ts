import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { nowIso } from '../database/columns';
import { UnitOfWork } from '../database/unit-of-work';
import { InstitutionCompany } from '../reference/entities/company.entity';
import { Customer } from '../reference/entities/customer.entity';
import { AgreementStatus, WithholdingAgreement } from '../withholding/entities/withholding-agreement.entity';
import { Bill, BillStatus } from './entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill, TranStatus } from './entities/ledger-transaction.entity';

/** The reads and guarded writes of payments and reversals. */
@Injectable()
export class PaymentRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** The customer, when its company is assigned to the institution; otherwise null, like a missing one. */
  findCustomerInScope(instId: string, companyId: string, billKey: string): Promise<Customer | null> {
    return this.uow.read(async () => {
      const assigned = await this.uow.repository(InstitutionCompany).existsBy({ instId, companyId });
      return assigned ? this.uow.repository(Customer).findOneBy({ companyId, billKey }) : null;
    });
  }

  isCompanyInScope(instId: string, companyId: string): Promise<boolean> {
    return this.uow.read(() => this.uow.repository(InstitutionCompany).existsBy({ instId, companyId }));
  }

  /** The customer's unpaid and held bills, oldest first. */
  openBills(companyId: string, billKey: string): Promise<Bill[]> {
    return this.uow.read(() =>
      this.uow.repository(Bill).find({
        where: { companyId, billKey, status: In([BillStatus.Unpaid, BillStatus.Held]) },
        order: { period: 'ASC', dueDate: 'ASC', billNo: 'ASC' },
      }),
    );
  }

  findCustomerBill(companyId: string, billKey: string, billNo: string): Promise<Bill | null> {
    return this.uow.read(() => this.uow.repository(Bill).findOneBy({ companyId, billKey, billNo }));
  }

  signedAgreementOf(instId: string, companyId: string, billKey: string): Promise<WithholdingAgreement | null> {
    return this.uow.read(() =>
      this.uow.repository(WithholdingAgreement).findOneBy({ instId, companyId, billKey, status: AgreementStatus.Signed }),
    );
  }

  findTransaction(instId: string, tranSeq: string): Promise<LedgerTransaction | null> {
    return this.uow.read(() => this.uow.repository(LedgerTransaction).findOneBy({ instId, tranSeq }));
  }

  billLinesOf(transactionId: number): Promise<LedgerTransactionBill[]> {
    return this.uow.read(() => this.uow.repository(LedgerTransactionBill).find({ where: { transactionId }, order: { billNo: 'ASC' } }));
  }

  billNosOf(transactionId: number): Promise<string[]> {
    return this.uow.read(async () => {
      const rows = await this.uow.repository(LedgerTransactionBill).find({ where: { transactionId }, order: { billNo: 'ASC' } });
      return rows.map((r) => r.billNo);
    });
  }

  /** Marks bills paid only where they are still unpaid; returns how many it changed. */
  async settleBills(billNos: string[]): Promise<number> {
    const result = await this.uow
      .manager()
      .createQueryBuilder()
      .update(Bill)
      .set({ status: BillStatus.Paid, updatedAt: nowIso() })
      .where({ billNo: In(billNos), status: BillStatus.Unpaid })
      .execute();
    return result.affected ?? 0;
  }

  /** Returns paid bills to unpaid; returns how many it changed. */
  async reopenBills(billNos: string[]): Promise<number> {
    const result = await this.uow
      .manager()
      .createQueryBuilder()
      .update(Bill)
      .set({ status: BillStatus.Unpaid, updatedAt: nowIso() })
      .where({ billNo: In(billNos), status: BillStatus.Paid })
      .execute();
    return result.affected ?? 0;
  }

  /** Flips a live transaction to reversed; false when another reversal got there first. */
  async markReversed(transactionId: number): Promise<boolean> {
    const result = await this.uow
      .manager()
      .createQueryBuilder()
      .update(LedgerTransaction)
      .set({ tranStatus: TranStatus.Reversed })
      .where({ id: transactionId, tranStatus: TranStatus.Success })
      .execute();
    return result.affected === 1;
  }
}
