import Database from 'better-sqlite3';

/**
 * Writes `count` paid bills, each settled by its own Pay transaction `P<prefix><i>` of institution 00001 and
 * company 654321, straight into a migrated database: every benchmark request can reverse a payment of its own.
 */
export function preparePayments(path: string, prefix: string, count: number): void {
  const db = new Database(path);
  const now = new Date().toISOString();
  const today = now.slice(0, 10);
  const customer = db.prepare('INSERT INTO customer (company_id, bill_key, name, created_at) VALUES (?, ?, ?, ?)');
  const bill = db.prepare(
    `INSERT INTO bill (bill_no, company_id, bill_key, period, amount, late_fee, start_date, end_date, due_date, status, created_at, updated_at)
     VALUES (?, '654321', ?, '202501', 15000, 0, '2025-01-01', '2025-01-31', '2025-02-15', 1, ?, ?)`,
  );
  const payment = db.prepare(
    `INSERT INTO ledger_transaction (inst_id, tran_seq, tran_code, company_id, bill_key, amount, sub_channel, pay_date, business_date, tran_status, original_tran_seq, batch_no, resp_code, resp_message, created_at)
     VALUES ('00001', ?, 'Pay', '654321', ?, 15000, 0, ?, ?, 1, NULL, NULL, 'AAAAAAA', '成功', ?)`,
  );
  const line = db.prepare('INSERT INTO ledger_transaction_bill (transaction_id, bill_no, amount) VALUES (?, ?, 15000)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const billKey = `BK${prefix}${i}`;
      customer.run('654321', billKey, '钱七', now);
      bill.run(`BN${prefix}${i}`, billKey, now, now);
      const tx = payment.run(`P${prefix}${i}`, billKey, now, today, now);
      line.run(tx.lastInsertRowid, `BN${prefix}${i}`);
    }
  })();
  db.close();
}
