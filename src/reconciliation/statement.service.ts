import { Injectable } from '@nestjs/common';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Fen } from '../common/fen';
import { detailLine, reconciliationFileName, summaryLine } from './reconciliation-file';
import { LedgerCursor, ReconciliationRepository, StatementDay } from './reconciliation.repository';

/** Rows per keyset page: a page is one query and one chunk of output (about 120 KB of text). */
export const LEDGER_PAGE_SIZE = 2000;

export interface Statement {
  payCount: number;
  payMoney: Fen;
  reversalCount: number;
  reversalMoney: Fen;
  withholdCount: number;
  withholdMoney: Fen;
  netMoney: Fen;
}

/** Progress of writing the day's files: rows written so far of the total, files done of the total. */
export interface ExportProgress {
  rowsDone: number;
  rowsTotal: number;
  filesDone: number;
  filesTotal: number;
  current?: string;
}

export interface ExportedFile extends StatementDay {
  path: string;
  count: number;
}

/** The day's statement and the §8 file, from the ledger, by (institution, company, business date in BUSINESS_TZ). */
@Injectable()
export class StatementService {
  constructor(private readonly repository: ReconciliationRepository) {}

  /** Counts and sums per kind, reversals negative; `netMoney` is their sum, the file's total. */
  async statement(day: StatementDay): Promise<Statement> {
    const totals = await this.repository.totalsByTranCode(day);
    const of = (code: 'Pay' | 'PayInvalid' | 'Withhold') => totals.find((t) => t.tranCode === code) ?? { count: 0, money: Fen.ZERO };
    const [pay, reversal, withhold] = [of('Pay'), of('PayInvalid'), of('Withhold')];
    return {
      payCount: pay.count,
      payMoney: pay.money,
      reversalCount: reversal.count,
      reversalMoney: reversal.money,
      withholdCount: withhold.count,
      withholdMoney: withhold.money,
      netMoney: Fen.sum(totals.map((t) => t.money)),
    };
  }

  /**
   * The file as UTF-8 chunks: the summary (one aggregate query) first, then one chunk per keyset page, read from one
   * consistent view of the ledger; nothing is read before the first chunk is asked for, and only one page is held.
   * Closing the iterator early (a client gone) releases the view.
   */
  async *fileChunks(day: StatementDay, onRows?: (rows: number) => void): AsyncGenerator<Buffer> {
    const view = await this.repository.openDayView(day);
    try {
      const totals = await view.totals();
      yield Buffer.from(summaryLine(totals.count, totals.money), 'utf8');
      let after: LedgerCursor | null = null;
      for (;;) {
        const page = await view.page(after, LEDGER_PAGE_SIZE);
        if (page.length > 0) {
          yield Buffer.from(page.map(detailLine).join(''), 'utf8');
          onRows?.(page.length);
        }
        if (page.length < LEDGER_PAGE_SIZE) break;
        after = page[page.length - 1];
      }
    } finally {
      await view.close();
    }
  }

  fileName(day: StatementDay): string {
    return reconciliationFileName(day.companyId, day.businessDate);
  }

  /** Writes one day's file to `path`, through a temporary file renamed into place, so a partial file never appears. */
  async writeFile(day: StatementDay, path: string, onRows?: (rows: number) => void): Promise<void> {
    const partial = `${path}.partial`;
    try {
      await pipeline(Readable.from(this.fileChunks(day, onRows), { objectMode: false }), createWriteStream(partial));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  /**
   * Writes the files of `businessDate` for every institution: `<dir>/<InstId>/<CompanyId>_<YYYYMMDD>.txt` for each
   * company assigned to it (empty days too: `0|0.00`) and each other company it has transactions of that day.
   */
  async exportDay(
    businessDate: string,
    dir: string,
    onProgress: (progress: ExportProgress) => void = () => undefined,
  ): Promise<ExportedFile[]> {
    const days = await this.repository.statementDays(businessDate);
    const progress: ExportProgress = {
      rowsDone: 0,
      rowsTotal: days.reduce((n, d) => n + d.count, 0),
      filesDone: 0,
      filesTotal: days.length,
    };
    onProgress(progress);
    const written: ExportedFile[] = [];
    for (const day of days) {
      const folder = join(dir, day.instId);
      await mkdir(folder, { recursive: true });
      const path = join(folder, this.fileName(day));
      progress.current = `${day.instId}/${this.fileName(day)}`;
      let rows = 0;
      await this.writeFile(day, path, (n) => {
        rows += n;
        progress.rowsDone += n;
        onProgress(progress);
      });
      progress.filesDone++;
      onProgress(progress);
      written.push({ ...day, path, count: rows });
    }
    return written;
  }
}
