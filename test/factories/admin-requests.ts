import { BILL_CSV_COLUMNS, BillCsvColumn } from '../../src/admin/bills/bill-csv';

let sequence = 0;

/** Unique within a test process, so tests sharing an app never collide. */
export function uniqueId(prefix: string): string {
  sequence += 1;
  return `${prefix}${String(sequence).padStart(5, '0')}`;
}

export interface InstitutionBody {
  instId: string;
  name: string;
  requireEncryption?: boolean;
  legacyCiphers?: boolean;
}

export function institutionBody(overrides: Partial<InstitutionBody> = {}): InstitutionBody {
  return { instId: uniqueId('I'), name: '测试银行 Test Bank', ...overrides };
}

export function companyBody(overrides: Partial<{ companyId: string; name: string }> = {}): { companyId: string; name: string } {
  return { companyId: uniqueId('C'), name: '测试自来水公司', ...overrides };
}

export function customerBody(
  companyId: string,
  overrides: Partial<{ billKey: string; name: string }> = {},
): { companyId: string; billKey: string; name: string } {
  return { companyId, billKey: uniqueId('K'), name: '张三丰', ...overrides };
}

export interface BillBody {
  companyId: string;
  billKey: string;
  amount: string;
  lateFee?: string;
  period: string;
  dueDate: string;
  startDate?: string;
  endDate?: string;
  billNo?: string;
  customerName?: string;
}

/** A bill of a new customer (customerName given) of `companyId`. */
export function billBody(companyId: string, overrides: Partial<BillBody> = {}): BillBody {
  return {
    companyId,
    billKey: uniqueId('K'),
    customerName: '李四',
    amount: '150.00',
    period: '202401',
    dueDate: '2024-01-31',
    ...overrides,
  };
}

/** A bills/import file: the header of `columns`, then one line per row with its cells in that order. */
export function billCsv(rows: Partial<Record<BillCsvColumn, string>>[], columns: readonly BillCsvColumn[] = BILL_CSV_COLUMNS): string {
  const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  return [columns.join(','), ...rows.map((row) => columns.map((column) => quote(row[column] ?? '')).join(','))].join('\n') + '\n';
}

/** A CSV row of a bill (all columns as in `billBody`). */
export function billRow(companyId: string, overrides: Partial<Record<BillCsvColumn, string>> = {}): Partial<Record<BillCsvColumn, string>> {
  const { customerName, ...bill } = billBody(companyId);
  return { ...bill, customerName, ...overrides };
}
