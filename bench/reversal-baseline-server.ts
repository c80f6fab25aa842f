/**
 * The practical limit for a reversal on this machine: node:http + better-sqlite3, no framework, doing the
 * same transaction as the service (lookup, conditional status flip, negative row, bills back to unpaid,
 * idempotency row) with the same SQLite settings. Serves POST /reverse with a JSON body.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const db = new Database(process.env.BASELINE_DB, { timeout: 5000 });
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.SQLITE_SYNC ?? 'FULL'}`);
db.pragma('foreign_keys = ON');
db.pragma('temp_store = MEMORY');

const findOriginal = db.prepare(
  'SELECT id, tran_code, company_id, bill_key, amount, sub_channel, tran_status FROM ledger_transaction WHERE inst_id = ? AND tran_seq = ?',
);
const findIdempotency = db.prepare('SELECT request_hash FROM idempotency_record WHERE inst_id = ? AND tran_seq = ?');
const flip = db.prepare('UPDATE ledger_transaction SET tran_status = 2 WHERE id = ? AND tran_status = 1');
const billsOf = db.prepare('SELECT bill_no, amount FROM ledger_transaction_bill WHERE transaction_id = ?');
const reopen = db.prepare('UPDATE bill SET status = 0, updated_at = ? WHERE bill_no = ? AND status = 1');
const insertTx = db.prepare(
  `INSERT INTO ledger_transaction (inst_id, tran_seq, tran_code, company_id, bill_key, amount, sub_channel, pay_date, business_date, tran_status, original_tran_seq, batch_no, resp_code, resp_message, created_at)
   VALUES (?, ?, 'PayInvalid', ?, ?, ?, ?, ?, ?, 1, ?, NULL, 'AAAAAAA', '成功', ?)`,
);
const insertLine = db.prepare('INSERT INTO ledger_transaction_bill (transaction_id, bill_no, amount) VALUES (?, ?, ?)');
const insertIdempotency = db.prepare(
  "INSERT INTO idempotency_record (inst_id, tran_seq, tran_code, request_hash, state, http_status, response_body, created_at, expires_at) VALUES (?, ?, 'PayInvalid', ?, 'done', ?, ?, ?, ?)",
);

interface Reversal {
  InstId: string;
  TranSeq: string;
  OriginalTranSeq: string;
  BillKey: string;
  CompanyId: string;
}

const reverse = db.transaction((r: Reversal, hash: string): { status: number; body: string } => {
  if (findIdempotency.get(r.InstId, r.TranSeq)) return { status: 400, body: '{"RespCode":"DEF0009"}' };
  const original = findOriginal.get(r.InstId, r.OriginalTranSeq) as
    | { id: number; tran_code: string; company_id: string; bill_key: string; amount: number; sub_channel: number; tran_status: number }
    | undefined;
  let result: { status: number; body: string };
  if (!original) result = { status: 400, body: '{"RespCode":"DEF0001"}' };
  else if (original.bill_key !== r.BillKey || original.company_id !== r.CompanyId) result = { status: 400, body: '{"RespCode":"DEF0008"}' };
  else if (flip.run(original.id).changes !== 1) result = { status: 400, body: '{"RespCode":"DEF0005"}' };
  else {
    const now = new Date().toISOString();
    const lines = billsOf.all(original.id) as { bill_no: string; amount: number }[];
    for (const line of lines) reopen.run(now, line.bill_no);
    const tx = insertTx.run(
      r.InstId,
      `REV${r.TranSeq}`,
      original.company_id,
      original.bill_key,
      -original.amount,
      original.sub_channel,
      now,
      now.slice(0, 10),
      r.OriginalTranSeq,
      now,
    );
    for (const line of lines) insertLine.run(tx.lastInsertRowid, line.bill_no, -line.amount);
    result = {
      status: 200,
      body: JSON.stringify({
        RespCode: 'AAAAAAA',
        RespMessage: '红冲成功',
        Data: { Transaction: { TranSeq: `REV${r.TranSeq}`, PayAmount: -original.amount / 100 } },
      }),
    };
  }
  const now = new Date();
  insertIdempotency.run(
    r.InstId,
    r.TranSeq,
    hash,
    result.status,
    result.body,
    now.toISOString(),
    new Date(now.getTime() + 7 * 86_400_000).toISOString(),
  );
  return result;
});

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    const outcome = reverse(JSON.parse(text) as Reversal, createHash('sha256').update(text).digest('hex'));
    res.writeHead(outcome.status, { 'Content-Type': 'application/json; charset=utf-8' }).end(outcome.body);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
// Exit normally on SIGTERM, so a --cpu-prof profile gets written.
process.once('SIGTERM', () => server.close(() => process.exit(0)));
