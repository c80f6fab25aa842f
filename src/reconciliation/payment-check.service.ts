import { Injectable } from '@nestjs/common';
import { Fen } from '../common/fen';
import { nowIso } from '../database/columns';
import { ResponseMessage } from '../protocol/codec';
import { BusinessError, ProtocolError, RespCode } from '../protocol/errors';
import { ReferenceRepository } from '../reference/reference.repository';
import { PayCheckRequest } from './dto/pay-check-request.dto';
import { CheckStatus, DifferenceKind, ReconciliationDifference } from './entities/reconciliation-check.entity';
import { isoDateOf, parsePartnerFile, PartnerFile, reconciliationFileName, ReconciliationFileError } from './reconciliation-file';
import { LedgerCursor, ReconciliationRepository, StatementDay } from './reconciliation.repository';
import { LEDGER_PAGE_SIZE } from './statement.service';

/** At most this many differences go in the PayCheck answer; the stored check result keeps them all. */
export const DIFFERENCES_IN_RESPONSE = 100;
const DIFFERENCE_FLUSH = 1000;

function badField(field: string, zh: string, en: string): ProtocolError {
  return new ProtocolError(RespCode.PRM3003, { zh: `字段${field}${zh}`, en: `field ${field} ${en}` });
}

/** Standard base64, line breaks and spaces allowed (MIME-wrapped files), nothing else. */
function decodeBase64(text: string): Buffer | null {
  const compact = text.replace(/[\r\n\t ]+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, 'base64');
}

/** Streams differences into the check's child rows in chunks, keeping only the first ones for the answer. */
class DifferenceRecorder {
  readonly first: ReconciliationDifference[] = [];
  count = 0;
  private pending: ReconciliationDifference[] = [];

  constructor(
    private readonly repository: ReconciliationRepository,
    private readonly checkId: number,
  ) {}

  async add(kind: DifferenceKind, tranSeq: string, ours: Fen | null, theirs: Fen | null, lineNo: number | null): Promise<void> {
    this.count++;
    const row: ReconciliationDifference = { checkId: this.checkId, seq: this.count, tranSeq, kind, ours, theirs, lineNo };
    if (this.first.length < DIFFERENCES_IN_RESPONSE) this.first.push(row);
    this.pending.push(row);
    if (this.pending.length >= DIFFERENCE_FLUSH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await this.repository.insertDifferences(rows);
  }
}

interface CheckOutcome {
  ourCount: number;
  ourMoney: Fen;
  checkStatus: CheckStatus;
  differences: DifferenceRecorder | null;
}

/**
 * PayCheck (缴费对账, CONTRACT §8): the partner's totals, and optionally its file, against our ledger for (its
 * InstId, CompanyId, PayDate). Runs inside the protocol layer's transaction, so the stored check and the idempotency
 * record commit together. Order: the fields and the file (PRM3003, naming the line), then the company's scope
 * (DEF0001), then the comparison.
 */
@Injectable()
export class PaymentCheckService {
  constructor(
    private readonly repository: ReconciliationRepository,
    private readonly reference: ReferenceRepository,
  ) {}

  async check(request: PayCheckRequest): Promise<ResponseMessage> {
    const businessDate = isoDateOf(request.PayDate)!;
    const theirMoney = request.PayMoney;
    const expectedName = reconciliationFileName(request.CompanyId, businessDate);
    if (request.FileName !== expectedName) throw badField('FileName', `须为${expectedName}`, `must be ${expectedName}`);
    const file = request.FileContent === undefined ? null : this.readFile(request.FileContent);
    if (file && file.count !== request.PayCount)
      throw badField(
        'PayCount',
        `${request.PayCount}与对账文件第1行汇总笔数${file.count}不符`,
        `${request.PayCount} does not match the file's summary count ${file.count} (line 1)`,
      );
    if (file && !file.total.equals(theirMoney))
      throw badField(
        'PayMoney',
        `${theirMoney.toYuan()}与对账文件第1行汇总金额${file.total.toYuan()}不符`,
        `${theirMoney.toYuan()} does not match the file's summary total ${file.total.toYuan()} (line 1)`,
      );
    if (!(await this.reference.findAssignment(request.InstId, request.CompanyId)))
      throw new BusinessError(RespCode.DEF0001, { zh: `机构编码${request.CompanyId}不存在`, en: `company ${request.CompanyId} not found` });

    const day: StatementDay = { instId: request.InstId, companyId: request.CompanyId, businessDate };
    const checkId = await this.repository.insertCheck({
      instId: request.InstId,
      tranSeq: request.TranSeq,
      companyId: request.CompanyId,
      payDate: businessDate,
      fileName: request.FileName,
      withFile: file !== null,
      checkStatus: CheckStatus.Differences,
      theirCount: request.PayCount,
      theirMoney,
      ourCount: 0,
      ourMoney: Fen.ZERO,
      differenceCount: 0,
      createdAt: nowIso(),
    });
    const outcome = file ? await this.compareFile(day, file, checkId) : await this.compareTotals(day, request.PayCount, theirMoney);
    await this.repository.completeCheck(checkId, {
      checkStatus: outcome.checkStatus,
      ourCount: outcome.ourCount,
      ourMoney: outcome.ourMoney,
      differenceCount: outcome.differences?.count ?? 0,
    });
    return {
      Check: {
        CompanyId: request.CompanyId,
        PayDate: request.PayDate,
        CheckStatus: outcome.checkStatus,
        PayCount: outcome.ourCount,
        PayMoney: outcome.ourMoney,
        Differences: (outcome.differences?.first ?? []).map((d) => ({ TranSeq: d.tranSeq, Kind: d.kind, Ours: d.ours, Theirs: d.theirs })),
        DifferenceCount: outcome.differences?.count ?? 0,
        CheckId: checkId,
      },
    };
  }

  private readFile(content: string): PartnerFile {
    const bytes = decodeBase64(content);
    if (!bytes) throw badField('FileContent', '须为base64编码', 'must be standard base64');
    try {
      return parsePartnerFile(bytes);
    } catch (error) {
      if (error instanceof ReconciliationFileError) throw new ProtocolError(RespCode.PRM3003, { zh: error.zh, en: error.en });
      throw error;
    }
  }

  private async compareTotals(day: StatementDay, theirCount: number, theirMoney: Fen): Promise<CheckOutcome> {
    const totals = await this.repository.totalsByTranCode(day);
    const ourCount = totals.reduce((n, t) => n + t.count, 0);
    const ourMoney = Fen.sum(totals.map((t) => t.money));
    const balanced = ourCount === theirCount && ourMoney.equals(theirMoney);
    return { ourCount, ourMoney, checkStatus: balanced ? CheckStatus.Balanced : CheckStatus.Differences, differences: null };
  }

  /**
   * A merge by TranSeq: ours are read in keyset pages (one page in memory), each looked up in and removed from the
   * partner's lines; what is left of theirs is missing here. Differences come in our file order (MISSING_THERE,
   * AMOUNT), then the partner's file order (MISSING_HERE).
   */
  private async compareFile(day: StatementDay, file: PartnerFile, checkId: number): Promise<CheckOutcome> {
    const differences = new DifferenceRecorder(this.repository, checkId);
    let ourCount = 0;
    let ourMoney = 0n;
    let after: LedgerCursor | null = null;
    for (;;) {
      const page = await this.repository.ledgerPage(day, after, LEDGER_PAGE_SIZE);
      for (const ours of page) {
        ourCount++;
        ourMoney += ours.amount.value;
        const theirs = file.lines.get(ours.tranSeq);
        if (!theirs) {
          await differences.add('MISSING_THERE', ours.tranSeq, ours.amount, null, null);
          continue;
        }
        file.lines.delete(ours.tranSeq);
        if (!theirs.amount.equals(ours.amount)) await differences.add('AMOUNT', ours.tranSeq, ours.amount, theirs.amount, theirs.lineNo);
      }
      if (page.length < LEDGER_PAGE_SIZE) break;
      after = page[page.length - 1];
    }
    for (const [tranSeq, theirs] of file.lines) await differences.add('MISSING_HERE', tranSeq, null, theirs.amount, theirs.lineNo);
    await differences.flush();
    return {
      ourCount,
      ourMoney: Fen.of(ourMoney),
      checkStatus: differences.count === 0 ? CheckStatus.Balanced : CheckStatus.Differences,
      differences,
    };
  }
}
