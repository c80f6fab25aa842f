import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Fen } from '../../common/fen';
import { fenColumn, TIMESTAMP_LENGTH } from '../../database/columns';

export enum BillStatus {
  Unpaid = 0,
  Paid = 1,
  /** Held by an open debit batch. */
  Held = 2,
}

@Entity('bill')
@Index('idx_bill_customer_status', ['companyId', 'billKey', 'status'])
export class Bill {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  billNo: string;

  @Column({ type: 'varchar', length: 30 })
  companyId: string;

  @Column({ type: 'varchar', length: 35 })
  billKey: string;

  /** YYYYMM */
  @Column({ type: 'varchar', length: 6 })
  period: string;

  @Column(fenColumn())
  amount: Fen;

  @Column(fenColumn())
  lateFee: Fen;

  @Column({ type: 'varchar', length: 10 })
  startDate: string;

  @Column({ type: 'varchar', length: 10 })
  endDate: string;

  @Column({ type: 'varchar', length: 10 })
  dueDate: string;

  @Column({ type: 'integer' })
  status: BillStatus;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  updatedAt: string;

  /** What settling this bill costs: amount plus late fee. */
  dueTotal(): Fen {
    return this.amount.plus(this.lateFee);
  }
}
