import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP_LENGTH } from '../../database/columns';

/** A customer of a company, identified by BillKey (缴费号). */
@Entity('customer')
export class Customer {
  @PrimaryColumn({ type: 'varchar', length: 30 })
  companyId: string;

  @PrimaryColumn({ type: 'varchar', length: 35 })
  billKey: string;

  @Column({ type: 'varchar', length: 150 })
  name: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;
}
