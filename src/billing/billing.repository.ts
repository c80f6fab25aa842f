import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { Bill } from './entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill } from './entities/ledger-transaction.entity';

/** Bills and the ledger. */
@Injectable()
export class BillingRepository {
  constructor(private readonly uow: UnitOfWork) {}

  findBill(billNo: string): Promise<Bill | null> {
    return this.uow.read(() => this.uow.repository(Bill).findOneBy({ billNo }));
  }

  async insertBills(bills: Bill[]): Promise<void> {
    if (bills.length > 0) await this.uow.repository(Bill).insert(bills);
  }

  async insertTransaction(
    transaction: Omit<LedgerTransaction, 'id'>,
    bills: Omit<LedgerTransactionBill, 'transactionId'>[],
  ): Promise<LedgerTransaction> {
    const saved = await this.uow.repository(LedgerTransaction).save(this.uow.repository(LedgerTransaction).create(transaction));
    if (bills.length > 0) {
      await this.uow.repository(LedgerTransactionBill).insert(bills.map((b) => ({ ...b, transactionId: saved.id })));
    }
    return saved;
  }
}
