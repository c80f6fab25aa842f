import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { Bill, BillStatus } from '../../billing/entities/bill.entity';
import { BusinessClock } from '../../common/business-clock';
import { Fen } from '../../common/fen';
import { nowIso } from '../../database/columns';
import { isUniqueViolation } from '../../database/errors';
import { UnitOfWork } from '../../database/unit-of-work';
import type { ResponseMessage } from '../../protocol/codec';
import { customerKey, DebitBatchService, pendingItem } from '../debit-batch.service';
import { MAX_BATCH_ITEMS } from '../dto/withholding-requests.dto';
import { BatchStatus, DebitBatch } from '../entities/debit-batch.entity';
import { WithholdingAgreement } from '../entities/withholding-agreement.entity';
import { sendDiscMessage } from '../withholding.messages';
import { WithholdingRepository } from '../withholding.repository';

export interface BuiltBatchItem {
  billKey: string;
  companyId: string;
  agreementNo: string;
  payAmount: Fen;
}

/** A batch automatic debit built: status 0, waiting for delivery to the bank as a SendDisc message. */
export interface BuiltBatch {
  instId: string;
  batchNo: string;
  totalCount: number;
  totalAmount: Fen;
  items: BuiltBatchItem[];
}

/** Progress is logged every this many customers examined, so a large run shows it is moving. */
export const PROGRESS_EVERY = 100;

/** The bills changed between reading and holding them (a payment committed meanwhile): the customer is skipped. */
class BillsChangedMeanwhile extends Error {}

/**
 * Automatic debit (CONTRACT §7): one batch per institution of every unpaid bill due by today whose customer has a
 * signed agreement with it, one item per customer. Each batch is built in its own transaction under the same locks
 * as SendDisc, so a termination either comes first (the agreement is skipped) or cancels the item; running it twice,
 * or on two instances at once, holds no bill twice. Batches hold at most 1000 items (the SendDisc limit); an
 * institution with more due customers gets several.
 */
@Injectable()
export class AutoDebitService {
  private readonly logger = new Logger('AutoDebit');

  constructor(
    private readonly withholding: WithholdingRepository,
    private readonly batches: DebitBatchService,
    private readonly uow: UnitOfWork,
    private readonly clock: BusinessClock,
  ) {}

  /** Builds today's batches; `onBatch` runs inside each batch's transaction (the admin API audits there). */
  async buildDueBatches(onBatch?: (batch: BuiltBatch) => Promise<void>): Promise<BuiltBatch[]> {
    const today = this.clock.today();
    const candidates = await this.withholding.dueAgreements(today);
    const byInstitution = new Map<string, WithholdingAgreement[]>();
    for (const agreement of candidates) byInstitution.set(agreement.instId, [...(byInstitution.get(agreement.instId) ?? []), agreement]);
    this.logger.log(`automatic debit of ${today}: ${candidates.length} customers with bills due in ${byInstitution.size} institutions`);

    const built: BuiltBatch[] = [];
    for (const [instId, agreements] of byInstitution) {
      const progress = { instId, examined: 0, total: agreements.length };
      for (let start = 0; start < agreements.length; start += MAX_BATCH_ITEMS) {
        const chunk = agreements.slice(start, start + MAX_BATCH_ITEMS);
        const batch = await this.uow.transaction(() => this.buildBatch(instId, chunk, today, progress, onBatch));
        if (batch) built.push(batch);
      }
    }
    return built;
  }

  /** The batch as the SendDisc message that delivers it; `instId` picks one when institutions share the number. */
  async deliveryMessage(batchNo: string, instId?: string): Promise<ResponseMessage> {
    const found = (await this.withholding.findBatchesNumbered(batchNo)).filter((batch) => instId === undefined || batch.instId === instId);
    if (found.length === 0) throw new NotFoundException(`batch ${batchNo} not found`);
    if (found.length > 1) throw new ConflictException(`batch ${batchNo} exists for several institutions; name one with instId`);
    const [batch] = found;
    if (batch.status === BatchStatus.Cancelled) throw new ConflictException(`batch ${batchNo} is cancelled: nothing to deliver`);
    return sendDiscMessage(batch, await this.withholding.itemsOf(batch.id));
  }

  private async buildBatch(
    instId: string,
    candidates: WithholdingAgreement[],
    today: string,
    progress: { instId: string; examined: number; total: number },
    onBatch?: (batch: BuiltBatch) => Promise<void>,
  ): Promise<BuiltBatch | null> {
    // The same locks as SendDisc: an agreement terminated by now is not among them, and a termination waits for this batch.
    const agreements = await this.batches.lockSignedAgreements(
      instId,
      candidates.map((candidate) => candidate.agreementNo),
    );
    const openBills = await this.batches.openBillsOfCustomers(candidates);
    const held: { agreement: WithholdingAgreement; bills: Bill[]; amount: Fen }[] = [];
    for (const candidate of candidates) {
      this.reportProgress(progress);
      const agreement = agreements.get(candidate.agreementNo);
      if (!agreement) continue;
      const bills = openBills.get(customerKey(agreement.companyId, agreement.billKey)) ?? [];
      // A customer whose bills are held is being debited already; its new bills wait for the next run.
      if (bills.some((bill) => bill.status === BillStatus.Held)) continue;
      const due = bills.filter((bill) => bill.status === BillStatus.Unpaid && bill.dueDate <= today);
      if (due.length === 0) continue;
      const amount = Fen.sum(due.map((bill) => bill.dueTotal()));
      if (agreement.maxAmount !== null && amount.compare(agreement.maxAmount) > 0) {
        this.logger.warn(
          `agreement ${agreement.agreementNo}: ${amount.toYuan()} due is over its limit of ${agreement.maxAmount.toYuan()}; not debited`,
        );
        continue;
      }
      if (await this.hold(due)) held.push({ agreement, bills: due, amount });
    }
    if (held.length === 0) return null;

    const batch = await this.insertBatch(instId, today, held.length, Fen.sum(held.map((entry) => entry.amount)));
    await this.withholding.insertItems(
      held.map((entry, index) => pendingItem(batch.id, index + 1, entry.agreement, entry.amount, entry.bills, batch.createdAt)),
    );
    const built: BuiltBatch = {
      instId,
      batchNo: batch.batchNo,
      totalCount: batch.totalCount,
      totalAmount: batch.totalAmount,
      items: held.map(({ agreement, amount }) => ({
        billKey: agreement.billKey,
        companyId: agreement.companyId,
        agreementNo: agreement.agreementNo,
        payAmount: amount,
      })),
    };
    await onBatch?.(built);
    this.logger.log(
      `automatic debit: batch ${built.batchNo} of institution ${instId}: ${built.totalCount} items, ${built.totalAmount.toYuan()}`,
    );
    return built;
  }

  private reportProgress(progress: { instId: string; examined: number; total: number }): void {
    progress.examined += 1;
    if (progress.examined % PROGRESS_EVERY === 0 || progress.examined === progress.total) {
      this.logger.log(`automatic debit: institution ${progress.instId}: ${progress.examined}/${progress.total} customers examined`);
    }
  }

  /** Holds the bills (status 2) when they are all still unpaid; under a savepoint, so a partial hold leaves nothing behind. */
  private async hold(bills: Bill[]): Promise<boolean> {
    const billNos = bills.map((bill) => bill.billNo);
    try {
      await this.uow.savepoint(async () => {
        const changed = await this.withholding.changeBillStatus(billNos, BillStatus.Unpaid, BillStatus.Held);
        if (changed !== billNos.length) throw new BillsChangedMeanwhile();
      });
      return true;
    } catch (error) {
      if (error instanceof BillsChangedMeanwhile) return false;
      throw error;
    }
  }

  /** Numbered `A<YYYYMMDD><4 digits>`, the next after the day's largest of any institution. */
  private async insertBatch(instId: string, today: string, totalCount: number, totalAmount: Fen): Promise<DebitBatch> {
    const prefix = `A${today.replaceAll('-', '')}`;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const used = (await this.withholding.batchNosStartingWith(prefix))
        .filter((batchNo) => new RegExp(`^${prefix}\\d{4}$`).test(batchNo))
        .map((batchNo) => Number(batchNo.slice(prefix.length)));
      const next = Math.max(0, ...used) + 1;
      if (next > 9999) throw new Error(`no automatic batch number left for ${today}`);
      const now = nowIso();
      try {
        return await this.uow.savepoint(() =>
          this.withholding.insertBatch({
            instId,
            batchNo: `${prefix}${String(next).padStart(4, '0')}`,
            origin: 'auto',
            status: BatchStatus.Pending,
            totalCount,
            totalAmount,
            successCount: 0,
            successAmount: Fen.ZERO,
            failCount: 0,
            cancelCount: 0,
            businessDate: today,
            createdAt: now,
            updatedAt: now,
          }),
        );
      } catch (error) {
        // Another run numbered a batch of this institution first; the next read sees it.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new Error(`could not number an automatic batch of ${instId} for ${today}`);
  }
}
