import { AuditEntry } from '../admin/entities/audit-entry.entity';
import { Bill } from '../billing/entities/bill.entity';
import { LedgerTransaction, LedgerTransactionBill } from '../billing/entities/ledger-transaction.entity';
import { IdempotencyRecord } from '../protocol/idempotency/idempotency-record.entity';
import { ReconciliationCheck, ReconciliationDifference } from '../reconciliation/entities/reconciliation-check.entity';
import { ApiKey } from '../reference/entities/api-key.entity';
import { Company, InstitutionCompany } from '../reference/entities/company.entity';
import { Customer } from '../reference/entities/customer.entity';
import { Institution } from '../reference/entities/institution.entity';
import { LimitOverride } from '../reference/entities/limit-override.entity';
import { DebitBatch, DebitBatchItem } from '../withholding/entities/debit-batch.entity';
import { WithholdingAgreement } from '../withholding/entities/withholding-agreement.entity';

export const ENTITIES = [
  Institution,
  ApiKey,
  Company,
  InstitutionCompany,
  Customer,
  LimitOverride,
  Bill,
  LedgerTransaction,
  LedgerTransactionBill,
  WithholdingAgreement,
  DebitBatch,
  DebitBatchItem,
  IdempotencyRecord,
  AuditEntry,
  ReconciliationCheck,
  ReconciliationDifference,
];
