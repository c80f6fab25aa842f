import { DataSource } from 'typeorm';

/**
 * The ledger invariant, checked straight on the tables (any engine): for every customer, the bills with status
 * Paid are exactly the bills settled by live transactions — TranStatus 1 of TranCode Pay or Withhold, not named
 * by a PayInvalid — each by exactly one, at its due amount (Amount + LateFee), and each transaction's amount is
 * the sum of its bills. Reversals must match their originals. Run it when no request is in flight.
 */
export async function findLedgerViolations(db: DataSource): Promise<string[]> {
  const bills = await db.query<BillRow[]>('SELECT bill_no, company_id, bill_key, amount, late_fee, status FROM bill');
  const transactions = await db.query<TransactionRow[]>(
    'SELECT id, inst_id, tran_seq, tran_code, company_id, bill_key, amount, tran_status, original_tran_seq FROM ledger_transaction',
  );
  const lines = await db.query<LineRow[]>('SELECT transaction_id, bill_no, amount FROM ledger_transaction_bill');

  const violations: string[] = [];
  const billByNo = new Map(bills.map((bill) => [bill.bill_no, bill]));
  const linesOf = new Map<number, LineRow[]>();
  for (const line of lines) linesOf.set(Number(line.transaction_id), [...(linesOf.get(Number(line.transaction_id)) ?? []), line]);
  const bySeq = new Map(transactions.map((tx) => [`${tx.inst_id}\u0000${tx.tran_seq}`, tx]));
  const reversalOf = new Map<string, TransactionRow>();

  for (const tx of transactions.filter((row) => row.tran_code === 'PayInvalid')) {
    const key = `${tx.inst_id}\u0000${tx.original_tran_seq}`;
    const original = bySeq.get(key);
    const where = `${customer(tx)} reversal ${tx.tran_seq}`;
    if (!original) {
      violations.push(`${where}: its original ${tx.original_tran_seq} does not exist`);
      continue;
    }
    if (reversalOf.has(key)) violations.push(`${where}: ${tx.original_tran_seq} is reversed twice`);
    reversalOf.set(key, tx);
    if (Number(original.tran_status) !== TRAN_REVERSED) violations.push(`${where}: its original ${original.tran_seq} is not TranStatus 2`);
    if (fen(tx.amount) !== -fen(original.amount))
      violations.push(`${where}: amount ${fen(tx.amount)} is not minus ${fen(original.amount)}`);
  }

  const settledBy = new Map<string, TransactionRow[]>();
  for (const tx of transactions.filter((row) => row.tran_code === 'Pay' || row.tran_code === 'Withhold')) {
    const where = `${customer(tx)} ${tx.tran_code} ${tx.tran_seq}`;
    const reversed = reversalOf.has(`${tx.inst_id}\u0000${tx.tran_seq}`);
    if (Number(tx.tran_status) === TRAN_REVERSED && !reversed) violations.push(`${where}: TranStatus 2 but no PayInvalid names it`);
    if (Number(tx.tran_status) !== TRAN_SUCCESS || reversed) continue;
    if (fen(tx.amount) <= 0n) violations.push(`${where}: amount ${fen(tx.amount)} is not positive`);
    const settled = linesOf.get(Number(tx.id)) ?? [];
    if (settled.length === 0) violations.push(`${where}: settles no bill`);
    let sum = 0n;
    for (const line of settled) {
      sum += fen(line.amount);
      const bill = billByNo.get(line.bill_no);
      if (!bill) {
        violations.push(`${where}: settles bill ${line.bill_no}, which does not exist`);
        continue;
      }
      if (bill.company_id !== tx.company_id || bill.bill_key !== tx.bill_key) {
        violations.push(`${where}: settles bill ${bill.bill_no} of another customer (${customer(bill)})`);
      }
      const due = fen(bill.amount) + fen(bill.late_fee);
      if (fen(line.amount) !== due)
        violations.push(`${where}: records ${fen(line.amount)} for bill ${bill.bill_no}, whose due total is ${due}`);
      settledBy.set(bill.bill_no, [...(settledBy.get(bill.bill_no) ?? []), tx]);
    }
    if (sum !== fen(tx.amount)) violations.push(`${where}: amount ${fen(tx.amount)} but its bills add up to ${sum}`);
  }

  for (const bill of bills) {
    const settlements = settledBy.get(bill.bill_no) ?? [];
    const where = `${customer(bill)} bill ${bill.bill_no}`;
    if (settlements.length > 1)
      violations.push(`${where}: settled by ${settlements.length} live transactions (${settlements.map((tx) => tx.tran_seq).join(', ')})`);
    if (Number(bill.status) === BILL_PAID && settlements.length === 0) violations.push(`${where}: Paid but settled by no live transaction`);
    if (Number(bill.status) !== BILL_PAID && settlements.length > 0) {
      violations.push(`${where}: status ${bill.status} but settled by live ${settlements.map((tx) => tx.tran_seq).join(', ')}`);
    }
  }
  return violations;
}

/** Throws, listing every violation of the ledger invariant; for `afterEach` in any suite that moves money. */
export async function assertLedgerConsistent(db: DataSource): Promise<void> {
  const violations = await findLedgerViolations(db);
  if (violations.length > 0) throw new Error(`ledger invariant violated:\n${violations.join('\n')}`);
}

/**
 * The withholding side: the bills with status 2 (held) are exactly the bills of pending items of open batches
 * (status 0 or 1), each held by one item only, and no closed batch has a pending item.
 */
export async function findHoldViolations(db: DataSource): Promise<string[]> {
  const held = await db.query<{ bill_no: string }[]>('SELECT bill_no FROM bill WHERE status = 2');
  const items = await db.query<{ id: number; bill_nos: string; item_status: number; batch_no: string; batch_status: number }[]>(
    'SELECT item.id, item.bill_nos, item.status AS item_status, batch.batch_no, batch.status AS batch_status ' +
      'FROM debit_batch_item item JOIN debit_batch batch ON batch.id = item.batch_id WHERE item.status = 0',
  );
  const violations: string[] = [];
  const holder = new Map<string, string>();
  for (const item of items) {
    if (![0, 1].includes(Number(item.batch_status))) {
      violations.push(`batch ${item.batch_no} has status ${item.batch_status} but item ${item.id} is pending`);
      continue;
    }
    for (const billNo of JSON.parse(item.bill_nos) as string[]) {
      const other = holder.get(billNo);
      if (other) violations.push(`bill ${billNo} is held by two pending items (${other} and batch ${item.batch_no} item ${item.id})`);
      holder.set(billNo, `batch ${item.batch_no} item ${item.id}`);
    }
  }
  const heldNos = new Set(held.map((row) => row.bill_no));
  for (const billNo of heldNos)
    if (!holder.has(billNo)) violations.push(`bill ${billNo} is held (status 2) by no pending item of an open batch`);
  for (const [billNo, by] of holder) if (!heldNos.has(billNo)) violations.push(`bill ${billNo} of pending ${by} is not held (status 2)`);
  return violations;
}

/** The ledger invariant and the withholding holds together. */
export async function assertWithholdingConsistent(db: DataSource): Promise<void> {
  const violations = [...(await findLedgerViolations(db)), ...(await findHoldViolations(db))];
  if (violations.length > 0) throw new Error(`ledger invariant violated:\n${violations.join('\n')}`);
}

const TRAN_SUCCESS = 1;
const TRAN_REVERSED = 2;
const BILL_PAID = 1;

interface BillRow {
  bill_no: string;
  company_id: string;
  bill_key: string;
  amount: string | number;
  late_fee: string | number;
  status: number | string;
}

interface TransactionRow {
  id: number | string;
  inst_id: string;
  tran_seq: string;
  tran_code: string;
  company_id: string;
  bill_key: string;
  amount: string | number;
  tran_status: number | string;
  original_tran_seq: string | null;
}

interface LineRow {
  transaction_id: number | string;
  bill_no: string;
  amount: string | number;
}

/** bigint columns: a string from pg, a number from better-sqlite3. */
function fen(value: string | number): bigint {
  return BigInt(String(value));
}

function customer(row: { company_id: string; bill_key: string }): string {
  return `customer ${row.company_id}/${row.bill_key}`;
}
