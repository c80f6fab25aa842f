import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Fen } from '../../common/fen';
import { fenColumn, TIMESTAMP_LENGTH } from '../../database/columns';

export enum AgreementStatus {
  Signed = 1,
  Terminated = 2,
}

/** A direct-debit agreement. Account name and number are encrypted at rest; only masks are kept in clear. */
@Entity('withholding_agreement')
// At most one signed agreement per customer, so automatic debit can never take a bill twice.
@Index('uq_agreement_signed_customer', ['companyId', 'billKey'], { unique: true, where: 'status = 1' })
@Index('idx_agreement_inst', ['instId', 'status'])
export class WithholdingAgreement {
  @PrimaryColumn({ type: 'varchar', length: 150 })
  agreementNo: string;

  @Column({ type: 'varchar', length: 30 })
  instId: string;

  @Column({ type: 'varchar', length: 30 })
  companyId: string;

  @Column({ type: 'varchar', length: 35 })
  billKey: string;

  @Column({ type: 'text' })
  accountNameEnc: string;

  @Column({ type: 'varchar', length: 150 })
  accountNameMasked: string;

  @Column({ type: 'text' })
  accountNoEnc: string;

  @Column({ type: 'varchar', length: 40 })
  accountNoMasked: string;

  @Column({ type: 'varchar', length: 150 })
  bankName: string;

  @Column({ type: 'integer' })
  bankType: number;

  @Column({ type: 'varchar', length: 150, nullable: true })
  contractNo: string | null;

  @Column(fenColumn({ nullable: true }))
  maxAmount: Fen | null;

  @Column({ type: 'integer' })
  status: AgreementStatus;

  @Column({ type: 'varchar', length: 10 })
  signDate: string;

  @Column({ type: 'varchar', length: 10, nullable: true })
  terminationDate: string | null;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  createdAt: string;

  @Column({ type: 'varchar', length: TIMESTAMP_LENGTH })
  updatedAt: string;
}
