import { Injectable, Logger, NotFoundException, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ReferenceRepository } from '../reference/reference.repository';
import {
  CheckDetailView,
  CheckListQueryDto,
  CheckPageView,
  CheckView,
  DifferenceView,
  StatementQueryDto,
  StatementView,
} from './dto/reconciliation-admin.dto';
import { ReconciliationCheck, ReconciliationDifference } from './entities/reconciliation-check.entity';
import { compactDate } from './reconciliation-file';
import { ReconciliationRepository, StatementDay } from './reconciliation.repository';
import { StatementService } from './statement.service';

/** The admin side of reconciliation: statements, the file download and the stored check results. */
@Injectable()
export class ReconciliationAdminService {
  private readonly logger = new Logger('Reconciliation');

  constructor(
    private readonly statements: StatementService,
    private readonly repository: ReconciliationRepository,
    private readonly reference: ReferenceRepository,
  ) {}

  async statement(query: StatementQueryDto): Promise<StatementView> {
    const day = await this.dayOf(query);
    const s = await this.statements.statement(day);
    return {
      instId: day.instId,
      companyId: day.companyId,
      date: compactDate(day.businessDate),
      payCount: s.payCount,
      payMoney: s.payMoney.toYuan(),
      reversalCount: s.reversalCount,
      reversalMoney: s.reversalMoney.toYuan(),
      withholdCount: s.withholdCount,
      withholdMoney: s.withholdMoney.toYuan(),
      netMoney: s.netMoney.toYuan(),
    };
  }

  /**
   * The §8 file, streamed page by page. The summary is read before the answer starts, so a failure to open the day is an
   * ordinary error response; a failure after that aborts the connection, so a truncated file never looks whole.
   */
  async statementFile(query: StatementQueryDto): Promise<StreamableFile> {
    const day = await this.dayOf(query);
    const fileName = this.statements.fileName(day);
    const chunks = this.statements.fileChunks(day);
    const summary = await chunks.next();
    const stream = Readable.from(chunks, { objectMode: false });
    if (!summary.done) stream.unshift(summary.value);
    const file = new StreamableFile(stream, { type: 'text/plain; charset=utf-8', disposition: `attachment; filename=${fileName}` });
    return file.setErrorHandler((error: Error, res: Parameters<StreamableFile['errorHandler']>[1]) => {
      this.logger.error(`reconciliation file ${day.instId}/${fileName} failed: ${String(error)}`, error.stack);
      if (res.destroyed) return;
      if (res.headersSent) {
        res.destroy?.(error);
        return;
      }
      res.statusCode = 500;
      res.send('internal error; see the server log');
    });
  }

  async listChecks(query: CheckListQueryDto): Promise<CheckPageView> {
    const { items, total } = await this.repository.listChecks(
      { instId: query.instId, companyId: query.companyId, payDate: query.date },
      { offset: (query.page - 1) * query.pageSize, limit: query.pageSize },
    );
    return { items: items.map(checkView), total, page: query.page, pageSize: query.pageSize };
  }

  async check(id: number): Promise<CheckDetailView> {
    const found = await this.repository.findCheck(id);
    if (!found) throw new NotFoundException(`check ${id} not found`);
    return { ...checkView(found.check), differences: found.differences.map(differenceView) };
  }

  /** Unknown institutions and companies are 404 rather than an empty statement: most likely a typo. */
  private async dayOf(query: StatementQueryDto): Promise<StatementDay> {
    if (!(await this.reference.findInstitution(query.instId))) throw new NotFoundException(`institution ${query.instId} not found`);
    if (!(await this.reference.findCompany(query.companyId))) throw new NotFoundException(`company ${query.companyId} not found`);
    return { instId: query.instId, companyId: query.companyId, businessDate: query.date };
  }
}

function checkView(check: ReconciliationCheck): CheckView {
  return {
    id: check.id,
    instId: check.instId,
    companyId: check.companyId,
    payDate: check.payDate,
    tranSeq: check.tranSeq,
    fileName: check.fileName,
    withFile: check.withFile,
    checkStatus: check.checkStatus,
    theirCount: check.theirCount,
    theirMoney: check.theirMoney.toYuan(),
    ourCount: check.ourCount,
    ourMoney: check.ourMoney.toYuan(),
    differenceCount: check.differenceCount,
    createdAt: check.createdAt,
  };
}

function differenceView(difference: ReconciliationDifference): DifferenceView {
  return {
    seq: difference.seq,
    tranSeq: difference.tranSeq,
    kind: difference.kind,
    ours: difference.ours?.toYuan() ?? null,
    theirs: difference.theirs?.toYuan() ?? null,
    lineNo: difference.lineNo,
  };
}
