import type { LedgerTranCode } from '../billing/entities/ledger-transaction.entity';
import { Fen } from '../common/fen';

/**
 * The reconciliation file of CONTRACT §8: UTF-8, `|`-separated, one file per (InstId, CompanyId, business date),
 * named `<CompanyId>_<YYYYMMDD>.txt`. Line 1 is the summary `交易笔数|总金额`; then one detail line per transaction,
 * `交易日期|交易流水号|客户编号|缴费金额|二级渠道|交易类型`, ordered by PayDate then TranSeq. Lines end with `\n`.
 */

export const LINE_END = '\n';

/** `<CompanyId>_<YYYYMMDD>.txt`. */
export function reconciliationFileName(companyId: string, businessDate: string): string {
  return `${companyId}_${compactDate(businessDate)}.txt`;
}

/** YYYY-MM-DD → YYYYMMDD. */
export function compactDate(isoDate: string): string {
  return isoDate.replaceAll('-', '');
}

/** YYYYMMDD → YYYY-MM-DD when it is a real calendar date, else null. */
export function isoDateOf(compact: string): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (!match) return null;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso || match[1] === '0000' ? null : iso;
}

/** One transaction as the file lists it. */
export interface FileTransaction {
  /** The calendar day of PayDate in BUSINESS_TZ, YYYY-MM-DD. */
  businessDate: string;
  tranSeq: string;
  billKey: string;
  amount: Fen;
  subChannel: number;
  tranCode: LedgerTranCode;
}

export function summaryLine(count: number, total: Fen): string {
  return `${count}|${total.toYuan()}${LINE_END}`;
}

/** A separator or line break inside a field would split it; customer numbers are free text, so they are neutralised. */
function fieldText(text: string): string {
  return text.replace(/[|\r\n]/g, ' ');
}

export function detailLine(tx: FileTransaction): string {
  return (
    [compactDate(tx.businessDate), tx.tranSeq, fieldText(tx.billKey), tx.amount.toYuan(), String(tx.subChannel), tx.tranCode].join('|') +
    LINE_END
  );
}

/** A partner file that does not follow §8: answered PRM3003 naming the line. */
export class ReconciliationFileError extends Error {
  constructor(
    readonly lineNo: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`line ${lineNo}: ${en}`);
    this.name = 'ReconciliationFileError';
  }
}

/** One detail line of a partner's file, as compared with ours. */
export interface PartnerLine {
  lineNo: number;
  amount: Fen;
}

export interface PartnerFile {
  /** The summary line's count and total, equal to the detail lines' (checked). */
  count: number;
  total: Fen;
  /** Detail lines by TranSeq, in file order. */
  lines: Map<string, PartnerLine>;
}

const TRAN_CODES: ReadonlySet<string> = new Set<LedgerTranCode>(['Pay', 'PayInvalid', 'Withhold']);
const TRAN_SEQ = /^[A-Za-z0-9_-]{1,40}$/;
const SUB_CHANNEL = /^\d{1,9}$/;
const COUNT = /^\d{1,9}$/;
/** A summary total may exceed one transaction's 13 digits. */
const TOTAL = /^(-)?(\d{1,16})(?:\.(\d{1,2}))?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function parseTotal(text: string): Fen | null {
  const match = TOTAL.exec(text);
  if (!match) return null;
  const fen = BigInt(match[2]) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return Fen.of(match[1] ? -fen : fen);
}

/** The lines of `content` without their `\n` or `\r\n`, decoded one at a time so that only one line is ever a string. */
function* linesOf(content: Buffer): Generator<{ lineNo: number; text: string }> {
  let start = 0;
  let lineNo = 0;
  while (start < content.length) {
    const newline = content.indexOf(0x0a, start);
    const end = newline === -1 ? content.length : newline;
    lineNo++;
    const bytes = content.subarray(start, end > start && content[end - 1] === 0x0d ? end - 1 : end);
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      throw new ReconciliationFileError(lineNo, `对账文件第${lineNo}行不是UTF-8编码`, `line ${lineNo}: not UTF-8`);
    }
    if (lineNo === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    yield { lineNo, text };
    start = end + 1;
  }
}

function badLine(lineNo: number, zh: string, en: string): ReconciliationFileError {
  return new ReconciliationFileError(lineNo, `对账文件第${lineNo}行${zh}`, `line ${lineNo}: ${en}`);
}

/**
 * Reads and checks a partner's file: the summary line, every detail line, no TranSeq twice, and the summary equal to
 * the details. Blank lines are allowed only at the end. The first fault throws, naming its line. The details are kept
 * as a Map by TranSeq: the 16 MiB body limit of PayCheck bounds it (about 12 MiB of file, some 200,000 lines).
 */
export function parsePartnerFile(content: Buffer): PartnerFile {
  let summary: { count: number; total: Fen } | null = null;
  const lines = new Map<string, PartnerLine>();
  let total = Fen.ZERO;
  let blankLineNo: number | null = null;
  for (const { lineNo, text } of linesOf(content)) {
    if (text.trim() === '') {
      blankLineNo ??= lineNo;
      continue;
    }
    if (blankLineNo !== null) throw badLine(blankLineNo, '为空行', 'blank line');
    const fields = text.split('|');
    if (summary === null) {
      if (fields.length !== 2)
        throw badLine(lineNo, '汇总行须为“交易笔数|总金额”', 'the summary line must be 交易笔数|总金额 (count|total)');
      const total = parseTotal(fields[1]);
      if (!COUNT.test(fields[0])) throw badLine(lineNo, '交易笔数格式错误', 'bad count');
      if (!total) throw badLine(lineNo, '总金额格式错误', 'bad total amount');
      summary = { count: Number(fields[0]), total };
      continue;
    }
    if (fields.length !== 6)
      throw badLine(
        lineNo,
        '须为6个以“|”分隔的字段',
        'a detail line has 6 fields separated by |: date|TranSeq|BillKey|amount|SubChannel|TranCode',
      );
    const [date, tranSeq, billKey, amountText, subChannel, tranCode] = fields;
    if (isoDateOf(date) === null) throw badLine(lineNo, '交易日期格式错误', 'bad date (YYYYMMDD)');
    if (!TRAN_SEQ.test(tranSeq)) throw badLine(lineNo, '交易流水号格式错误', 'bad TranSeq');
    if (billKey.trim() === '' || billKey.length > 35) throw badLine(lineNo, '客户编号格式错误', 'bad BillKey');
    const amount = Fen.parseYuan(amountText, { allowNegative: true });
    if (!amount || amount.isZero()) throw badLine(lineNo, '金额格式错误', 'bad amount');
    if (!SUB_CHANNEL.test(subChannel)) throw badLine(lineNo, '二级渠道格式错误', 'bad SubChannel');
    if (!TRAN_CODES.has(tranCode)) throw badLine(lineNo, '交易类型格式错误', 'bad TranCode (Pay, PayInvalid or Withhold)');
    if (amount.isPositive() === (tranCode === 'PayInvalid'))
      throw badLine(lineNo, '金额正负与交易类型不符', 'amount sign does not match TranCode (reversals negative, others positive)');
    const earlier = lines.get(tranSeq);
    if (earlier) throw badLine(lineNo, `交易流水号与第${earlier.lineNo}行重复`, `TranSeq ${tranSeq} repeats line ${earlier.lineNo}`);
    lines.set(tranSeq, { lineNo, amount });
    total = total.plus(amount);
  }
  if (summary === null) throw badLine(1, '缺少汇总行', 'the summary line is missing');
  if (summary.count !== lines.size)
    throw badLine(1, `汇总笔数${summary.count}与明细${lines.size}笔不符`, `summary count ${summary.count} but ${lines.size} detail lines`);
  if (!summary.total.equals(total))
    throw badLine(
      1,
      `汇总金额${summary.total.toYuan()}与明细合计${total.toYuan()}不符`,
      `summary total ${summary.total.toYuan()} but the detail lines sum to ${total.toYuan()}`,
    );
  return { count: summary.count, total: summary.total, lines };
}
