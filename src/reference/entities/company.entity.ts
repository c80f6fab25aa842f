import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP_LENGTH } from '../../database/columns';

/** A branch of the utility that owns bills (CompanyId). */
@Entity('company')
export class Company {
  @PrimaryColumn({ type: 'varchar', length: 30 })
  companyId: string;

  @Column({ type: 'varchar', length: 150 })
  name: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;
}

/** Which institutions may collect for which company; outside it a company answers as not found. */
@Entity('institution_company')
export class InstitutionCompany {
  @PrimaryColumn({ type: 'varchar', length: 30 })
  instId: string;

  @PrimaryColumn({ type: 'varchar', length: 30 })
  companyId: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;
}
