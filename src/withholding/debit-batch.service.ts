import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { BillingRepository } from '../billing/billing.repository';
import { Bill, BillStatus } from '../billing/entities/bill.entity';
import { TranStatus } from '../billing/entities/ledger-transaction.entity';
import { BusinessClock } from '../common/business-clock';
import { Fen } from '../common/fen';
import { nowIso } from '../database/columns';
import { isUniqueViolation } from '../database/errors';
import { UnitOfWork } from '../database/unit-of-work';
import type { ResponseMessage } from '../protocol/codec';
import { BusinessError, RespCode } from '../protocol/errors';
import { ReferenceRepository } from '../reference/reference.repository';
import {
  BackDiscRequest,
  CancelDiscRequest,
  DEBITED_RESULT_CODE,
  DebitResultItem,
  DiscQueryRequest,
  SendDiscRequest,
} from './dto/withholding-requests.dto';
import { BatchItemStatus, BatchStatus, DebitBatch, DebitBatchItem } from './entities/debit-batch.entity';
import { WithholdingAgreement } from './entities/withholding-agreement.entity';
import { batchMessage } from './withholding.messages';
import { OPEN_BATCH_STATUSES, WithholdingRepository } from './withholding.repository';

/** Why an item is cancelled when its agreement is terminated. */
export const TERMINATION_CANCEL_REASON = '协议解约';

export function customerKey(companyId: string, billKey: string): string {
  return `${companyId}\u0000${billKey}`;
}

function itemKey(companyId: string, billKey: string, agreementNo: string): string {
  return `${customerKey(companyId, billKey)}\u0000${agreementNo}`;
}

export function isOpenBatch(status: BatchStatus): boolean {
  return OPEN_BATCH_STATUSES.includes(status);
}

const BATCH_STATUS_TEXT: Record<BatchStatus, { zh: string; en: string }> = {
  [BatchStatus.Pending]: { zh: '待处理', en: 'pending' },
  [BatchStatus.Processing]: { zh: '处理中', en: 'processing' },
  [BatchStatus.Succeeded]: { zh: '处理成功', en: 'succeeded' },
  [BatchStatus.Failed]: { zh: '处理失败', en: 'failed' },
  [BatchStatus.Cancelled]: { zh: '已取消', en: 'cancelled' },
};

const ITEM_STATUS_TEXT: Record<BatchItemStatus, { zh: string; en: string }> = {
  [BatchItemStatus.Pending]: { zh: '待处理', en: 'pending' },
  [BatchItemStatus.Debited]: { zh: '已扣款(须红冲)', en: 'debited (reverse it with PayInvalid)' },
  [BatchItemStatus.Failed]: { zh: '已失败', en: 'failed' },
  [BatchItemStatus.Cancelled]: { zh: '已取消', en: 'already cancelled' },
};

function batchNotFound(batchNo: string): BusinessError {
  return new BusinessError(RespCode.DEF0001, { zh: `批次${batchNo}不存在`, en: `batch ${batchNo} not found` });
}

function batchNotOpen(batch: DebitBatch): BusinessError {
  const text = BATCH_STATUS_TEXT[batch.status];
  return new BusinessError(RespCode.DEF0013, {
    zh: `批次${batch.batchNo}${text.zh}, 不能回盘`,
    en: `batch ${batch.batchNo} is ${text.en}; its results cannot be applied`,
  });
}

function batchNotCancellable(batch: DebitBatch): BusinessError {
  const text = BATCH_STATUS_TEXT[batch.status];
  return new BusinessError(RespCode.DEF0014, {
    zh: `批次${batch.batchNo}${text.zh}, 不可取消`,
    en: `batch ${batch.batchNo} is ${text.en}; nothing in it can be cancelled`,
  });
}

function totalsMismatch(zh: string, en: string): BusinessError {
  return new BusinessError(RespCode.DEF0010, { zh, en });
}

/** `WH` + batch id + `L` + line + 6 random characters: unique per institution, at most 40 characters. */
function withholdTranSeq(batch: DebitBatch, item: DebitBatchItem): string {
  return `WH${batch.id}L${item.lineNo}${randomBytes(3).toString('hex').toUpperCase()}`;
}

/** A bill the batch refers to is not in the state the batch left it in: a broken invariant, never a partner's fault. */
function billsOutOfStep(batch: DebitBatch, item: DebitBatchItem): Error {
  return new Error(`bills of batch ${batch.batchNo} line ${item.lineNo} are not held by it any more`);
}

/**
 * Debit batches (送盘/回盘): SendDisc, BackDisc, CancelDisc and DiscQuery, in the order of checks of CONTRACT §7.
 * Lock order, the same everywhere so PostgreSQL never deadlocks on them: agreements → batch → items → bills.
 */
@Injectable()
export class DebitBatchService {
  constructor(
    private readonly withholding: WithholdingRepository,
    private readonly billing: BillingRepository,
    private readonly reference: ReferenceRepository,
    private readonly uow: UnitOfWork,
    private readonly clock: BusinessClock,
  ) {}

  /** SendDisc: all items or none; the batch starts at the bank (status 1) and holds its bills (status 2). */
  receiveBatch(request: SendDiscRequest): Promise<ResponseMessage> {
    return this.uow.transaction(async () => {
      const instId = request.InstId;
      if (await this.withholding.findBatch(instId, request.BatchNo)) throw batchNoUsed(request.BatchNo);
      const list = request.WithholdingList;
      if (request.TotalCount !== list.length) {
        throw totalsMismatch(
          `总笔数${request.TotalCount}与明细${list.length}笔不符`,
          `TotalCount ${request.TotalCount} but the list has ${list.length} items`,
        );
      }
      const listTotal = Fen.sum(list.map((item) => item.PayAmount));
      if (!request.TotalAmount.equals(listTotal)) {
        throw totalsMismatch(
          `总金额${request.TotalAmount.toYuan()}与明细合计${listTotal.toYuan()}不符`,
          `TotalAmount ${request.TotalAmount.toYuan()} but the items add up to ${listTotal.toYuan()}`,
        );
      }

      // Locked before anything they guard is read: a termination either committed already or waits for this batch.
      const agreements = await this.lockSignedAgreements(
        instId,
        list.map((item) => item.AgreementNo),
      );
      const openBills = await this.openBillsOfCustomers(list.map((item) => ({ companyId: item.CompanyId, billKey: item.BillKey })));
      const scope = new Map<string, boolean>();
      const seen = new Set<string>();
      const planned: { lineNo: number; agreement: WithholdingAgreement; amount: Fen; bills: Bill[] }[] = [];
      for (const [index, item] of list.entries()) {
        const line = index + 1;
        if (!(await this.isInScope(instId, item.CompanyId, scope))) {
          throw new BusinessError(RespCode.DEF0001, {
            zh: `第${line}笔: 客户编号${item.BillKey}不存在`,
            en: `item ${line}: customer ${item.BillKey} not found`,
          });
        }
        const agreement = agreements.get(item.AgreementNo);
        if (!agreement || agreement.companyId !== item.CompanyId || agreement.billKey !== item.BillKey) {
          throw new BusinessError(RespCode.DEF0007, {
            zh: `第${line}笔: 客户${item.BillKey}无已签约的协议${item.AgreementNo}`,
            en: `item ${line}: customer ${item.BillKey} has no signed agreement ${item.AgreementNo}`,
          });
        }
        const key = customerKey(item.CompanyId, item.BillKey);
        const bills = openBills.get(key) ?? [];
        if (seen.has(key) || bills.some((bill) => bill.status === BillStatus.Held)) {
          throw new BusinessError(RespCode.DEF0012, {
            zh: `第${line}笔: 客户${item.BillKey}的账单已在代扣处理中`,
            en: `item ${line}: the bills of customer ${item.BillKey} are already held by a debit in progress`,
          });
        }
        seen.add(key);
        const unpaid = bills.filter((bill) => bill.status === BillStatus.Unpaid);
        const due = Fen.sum(unpaid.map((bill) => bill.dueTotal()));
        if (!item.PayAmount.equals(due)) {
          throw new BusinessError(RespCode.DEF0002, {
            zh: `第${line}笔: 客户${item.BillKey}应缴${due.toYuan()}, 扣款金额${item.PayAmount.toYuan()}不符`,
            en: `item ${line}: customer ${item.BillKey} owes ${due.toYuan()}, not ${item.PayAmount.toYuan()}`,
          });
        }
        if (agreement.maxAmount !== null && item.PayAmount.compare(agreement.maxAmount) > 0) {
          throw new BusinessError(RespCode.DEF0011, {
            zh: `第${line}笔: 扣款金额${item.PayAmount.toYuan()}超出协议限额${agreement.maxAmount.toYuan()}`,
            en: `item ${line}: ${item.PayAmount.toYuan()} is over the agreement's limit of ${agreement.maxAmount.toYuan()}`,
          });
        }
        planned.push({ lineNo: line, agreement, amount: item.PayAmount, bills: unpaid });
      }

      const now = nowIso();
      const batch = await this.insertBatch({
        instId,
        batchNo: request.BatchNo,
        origin: 'partner',
        status: BatchStatus.Processing,
        totalCount: request.TotalCount,
        totalAmount: request.TotalAmount,
        successCount: 0,
        successAmount: Fen.ZERO,
        failCount: 0,
        cancelCount: 0,
        businessDate: this.clock.today(),
        createdAt: now,
        updatedAt: now,
      });
      for (const plan of planned) {
        const billNos = plan.bills.map((bill) => bill.billNo);
        // A payment that committed after the bills were read leaves fewer to hold: refuse rather than debit a paid bill.
        if ((await this.withholding.changeBillStatus(billNos, BillStatus.Unpaid, BillStatus.Held)) !== billNos.length) {
          throw new BusinessError(RespCode.DEF0012, {
            zh: `第${plan.lineNo}笔: 客户${plan.agreement.billKey}的账单状态已变化`,
            en: `item ${plan.lineNo}: the bills of customer ${plan.agreement.billKey} changed meanwhile`,
          });
        }
      }
      await this.withholding.insertItems(
        planned.map((plan) => pendingItem(batch.id, plan.lineNo, plan.agreement, plan.amount, plan.bills, batch.updatedAt)),
      );
      return { Batch: batchMessage(batch) };
    });
  }

  /** BackDisc: the bank's results, applied once: debited items write their bills off, failed ones release them. */
  applyResults(request: BackDiscRequest): Promise<ResponseMessage> {
    return this.uow.transaction(async () => {
      const found = await this.withholding.findBatch(request.InstId, request.BatchNo);
      if (!found) throw batchNotFound(request.BatchNo);
      if (!isOpenBatch(found.status)) throw batchNotOpen(found);
      // The lock makes a concurrent BackDisc (or cancellation) wait, then find the batch closed.
      if (!(await this.withholding.lockOpenBatch(found.id))) throw batchNotOpen((await this.withholding.findBatchById(found.id)) ?? found);
      const batch = (await this.withholding.findBatchById(found.id))!;
      const items = await this.withholding.itemsOf(batch.id);
      const results = this.matchResults(request, items);

      let successCount = 0;
      let successAmount = Fen.ZERO;
      let failCount = 0;
      for (const item of items) {
        if (item.status !== BatchItemStatus.Pending) continue;
        const result = results.get(item.id)!;
        if (result.ResultCode === DEBITED_RESULT_CODE) {
          await this.writeOff(batch, item, result);
          successCount += 1;
          successAmount = successAmount.plus(item.amount);
        } else {
          await this.releaseFailed(batch, item, result);
          failCount += 1;
        }
      }
      const status = successCount === 0 ? BatchStatus.Failed : BatchStatus.Succeeded;
      await this.withholding.updateBatch(batch.id, { status, successCount, successAmount, failCount });
      return { Batch: batchMessage({ ...batch, status, successCount, successAmount, failCount }) };
    });
  }

  /** CancelDisc: one pending item of an open batch sent today; its bills are released, its agreement stays signed. */
  cancelItem(request: CancelDiscRequest): Promise<ResponseMessage> {
    return this.uow.transaction(async () => {
      const batch = await this.withholding.findBatch(request.InstId, request.BatchNo);
      if (!batch) throw batchNotFound(request.BatchNo);
      const item = (await this.withholding.itemsOf(batch.id)).find(
        (candidate) =>
          itemKey(candidate.companyId, candidate.billKey, candidate.agreementNo) ===
          itemKey(request.CompanyId, request.BillKey, request.AgreementNo),
      );
      if (!item) {
        throw new BusinessError(RespCode.DEF0001, {
          zh: `批次${request.BatchNo}中无客户${request.BillKey}协议${request.AgreementNo}的代扣`,
          en: `batch ${request.BatchNo} has no debit of customer ${request.BillKey} under agreement ${request.AgreementNo}`,
        });
      }
      if (!isOpenBatch(batch.status)) throw batchNotCancellable(batch);
      if (batch.businessDate !== this.clock.today()) {
        throw new BusinessError(RespCode.DEF0014, {
          zh: `批次${batch.batchNo}非当日送盘, 不可取消`,
          en: `batch ${batch.batchNo} was sent on ${batch.businessDate}; only a batch sent today can be cancelled`,
        });
      }
      if (item.status !== BatchItemStatus.Pending) throw this.itemNotCancellable(item);
      // Locked, then read again: a BackDisc or termination that got there first has closed the batch or the item.
      if (!(await this.withholding.lockOpenBatch(batch.id))) {
        throw batchNotCancellable((await this.withholding.findBatchById(batch.id)) ?? batch);
      }
      const current = (await this.withholding.itemsOf(batch.id)).find((candidate) => candidate.id === item.id) ?? item;
      if ((await this.cancelPendingItems(batch, [current], request.CancelReason)).length === 0) throw this.itemNotCancellable(current);
      return { Batch: batchMessage(await this.recountCancelled(batch.id)) };
    });
  }

  /** DiscQuery: the batch and its items, with the TranSeq of each write-off. */
  async describeBatch(request: DiscQueryRequest): Promise<ResponseMessage> {
    const batch = await this.withholding.findBatch(request.InstId, request.BatchNo);
    if (!batch) throw batchNotFound(request.BatchNo);
    return { Batch: batchMessage(batch, await this.withholding.itemsOf(batch.id)) };
  }

  /**
   * Cancels the agreement's pending items in open batches and releases their bills; the caller holds the
   * agreement's lock (termination). A batch whose results were applied meanwhile is left as the bank reported it.
   */
  async cancelItemsOfAgreement(agreementNo: string, reason: string): Promise<number> {
    let cancelled = 0;
    for (const batchId of await this.withholding.openBatchIdsWithPendingItemsOf(agreementNo)) {
      if (!(await this.withholding.lockOpenBatch(batchId))) continue;
      const batch = (await this.withholding.findBatchById(batchId))!;
      const pending = (await this.withholding.itemsOf(batchId)).filter(
        (item) => item.agreementNo === agreementNo && item.status === BatchItemStatus.Pending,
      );
      const done = await this.cancelPendingItems(batch, pending, reason);
      if (done.length > 0) await this.recountCancelled(batchId);
      cancelled += done.length;
    }
    return cancelled;
  }

  /**
   * Takes the locks of the named agreements that are signed with `instId`, in agreementNo order, and reads them;
   * an agreement missing from the answer is not signed with this institution.
   */
  async lockSignedAgreements(instId: string, agreementNos: string[]): Promise<Map<string, WithholdingAgreement>> {
    const locked: string[] = [];
    for (const agreementNo of [...new Set(agreementNos)].sort()) {
      if (await this.withholding.lockSignedAgreement(instId, agreementNo)) locked.push(agreementNo);
    }
    const agreements = await this.withholding.findAgreements(locked);
    return new Map(agreements.map((agreement) => [agreement.agreementNo, agreement]));
  }

  /** Unpaid and held bills of each customer, keyed by `customerKey`. */
  async openBillsOfCustomers(customers: { companyId: string; billKey: string }[]): Promise<Map<string, Bill[]>> {
    const byCompany = new Map<string, string[]>();
    for (const { companyId, billKey } of customers) byCompany.set(companyId, [...(byCompany.get(companyId) ?? []), billKey]);
    const open = new Map<string, Bill[]>();
    for (const [companyId, billKeys] of byCompany) {
      for (const [billKey, bills] of await this.withholding.openBillsOf(companyId, billKeys))
        open.set(customerKey(companyId, billKey), bills);
    }
    return open;
  }

  private async isInScope(instId: string, companyId: string, cache: Map<string, boolean>): Promise<boolean> {
    let known = cache.get(companyId);
    if (known === undefined) {
      known = (await this.reference.findAssignment(instId, companyId)) !== null;
      cache.set(companyId, known);
    }
    return known;
  }

  private async insertBatch(batch: Omit<DebitBatch, 'id'>): Promise<DebitBatch> {
    try {
      // Under a savepoint: on PostgreSQL a concurrent SendDisc of the same BatchNo fails here once the other commits.
      return await this.uow.savepoint(() => this.withholding.insertBatch(batch));
    } catch (error) {
      if (isUniqueViolation(error)) throw batchNoUsed(batch.batchNo);
      throw error;
    }
  }

  /** Every result names a distinct item of the batch with its amount, every pending item has one, and the counts add up. */
  private matchResults(request: BackDiscRequest, items: DebitBatchItem[]): Map<number, DebitResultItem> {
    const results = request.ResultList;
    const debited = results.filter((result) => result.ResultCode === DEBITED_RESULT_CODE).length;
    if (request.SuccessCount + request.FailCount !== request.TotalCount || request.TotalCount !== results.length) {
      throw totalsMismatch(
        `总笔数${request.TotalCount}、成功${request.SuccessCount}笔、失败${request.FailCount}笔与明细${results.length}笔不符`,
        `TotalCount ${request.TotalCount}, SuccessCount ${request.SuccessCount} and FailCount ${request.FailCount} do not add up to the ${results.length} results`,
      );
    }
    if (request.SuccessCount !== debited) {
      throw totalsMismatch(
        `成功笔数${request.SuccessCount}与明细中成功的${debited}笔不符`,
        `SuccessCount ${request.SuccessCount} but ${debited} results are debited (${DEBITED_RESULT_CODE})`,
      );
    }
    const byKey = new Map(items.map((item) => [itemKey(item.companyId, item.billKey, item.agreementNo), item]));
    const matched = new Map<number, DebitResultItem>();
    for (const [index, result] of results.entries()) {
      const line = index + 1;
      const item = byKey.get(itemKey(result.CompanyId, result.BillKey, result.AgreementNo));
      if (!item || matched.has(item.id)) {
        throw totalsMismatch(
          item ? `第${line}笔: 客户${result.BillKey}的结果重复` : `第${line}笔: 客户${result.BillKey}协议${result.AgreementNo}不在批次中`,
          item
            ? `result ${line}: customer ${result.BillKey} is reported twice`
            : `result ${line}: customer ${result.BillKey} under agreement ${result.AgreementNo} is not in the batch`,
        );
      }
      if (!result.PayAmount.equals(item.amount)) {
        throw totalsMismatch(
          `第${line}笔: 金额${result.PayAmount.toYuan()}与送盘金额${item.amount.toYuan()}不符`,
          `result ${line}: ${result.PayAmount.toYuan()} but the batch asked for ${item.amount.toYuan()}`,
        );
      }
      if (item.status === BatchItemStatus.Cancelled && result.ResultCode === DEBITED_RESULT_CODE) {
        throw totalsMismatch(
          `第${line}笔: 客户${result.BillKey}的代扣已取消, 不能扣款成功`,
          `result ${line}: the debit of customer ${result.BillKey} was cancelled and cannot have succeeded`,
        );
      }
      matched.set(item.id, result);
    }
    const missing = items.find((item) => item.status === BatchItemStatus.Pending && !matched.has(item.id));
    if (missing) {
      throw totalsMismatch(
        `缺少客户${missing.billKey}协议${missing.agreementNo}的结果`,
        `no result for customer ${missing.billKey} under agreement ${missing.agreementNo}`,
      );
    }
    return matched;
  }

  /** One Withhold transaction per debited item, an ordinary ledger row listing its bills, so PayInvalid can reverse it. */
  private async writeOff(batch: DebitBatch, item: DebitBatchItem, result: DebitResultItem): Promise<void> {
    const tranSeq = withholdTranSeq(batch, item);
    const resolved = await this.withholding.resolvePendingItem(item.id, {
      status: BatchItemStatus.Debited,
      tranSeq,
      resultCode: result.ResultCode,
      resultMessage: result.ResultMessage,
      bankTranSeq: result.BankTranSeq ?? null,
    });
    if (!resolved || (await this.withholding.changeBillStatus(item.billNos, BillStatus.Held, BillStatus.Paid)) !== item.billNos.length) {
      throw billsOutOfStep(batch, item);
    }
    const bills = await this.withholding.findBills(item.billNos);
    const lines = bills.map((bill) => ({ billNo: bill.billNo, amount: bill.dueTotal() }));
    if (!Fen.sum(lines.map((line) => line.amount)).equals(item.amount)) throw billsOutOfStep(batch, item);
    const at = this.clock.now();
    await this.billing.insertTransaction(
      {
        instId: batch.instId,
        tranSeq,
        tranCode: 'Withhold',
        companyId: item.companyId,
        billKey: item.billKey,
        amount: item.amount,
        subChannel: 0,
        payDate: at.toISOString(),
        businessDate: this.clock.businessDate(at),
        tranStatus: TranStatus.Success,
        originalTranSeq: null,
        batchNo: batch.batchNo,
        respCode: RespCode.AAAAAAA,
        respMessage: '成功',
        createdAt: at.toISOString(),
      },
      lines,
    );
  }

  private async releaseFailed(batch: DebitBatch, item: DebitBatchItem, result: DebitResultItem): Promise<void> {
    const resolved = await this.withholding.resolvePendingItem(item.id, {
      status: BatchItemStatus.Failed,
      resultCode: result.ResultCode,
      resultMessage: result.ResultMessage,
      bankTranSeq: result.BankTranSeq ?? null,
    });
    if (!resolved || (await this.withholding.changeBillStatus(item.billNos, BillStatus.Held, BillStatus.Unpaid)) !== item.billNos.length) {
      throw billsOutOfStep(batch, item);
    }
  }

  /** Cancels those of `items` still pending and releases their bills; the caller holds the batch's lock. */
  private async cancelPendingItems(batch: DebitBatch, items: DebitBatchItem[], reason: string): Promise<DebitBatchItem[]> {
    const cancelled: DebitBatchItem[] = [];
    for (const item of items) {
      if (!(await this.withholding.resolvePendingItem(item.id, { status: BatchItemStatus.Cancelled, cancelReason: reason }))) continue;
      if ((await this.withholding.changeBillStatus(item.billNos, BillStatus.Held, BillStatus.Unpaid)) !== item.billNos.length) {
        throw billsOutOfStep(batch, item);
      }
      cancelled.push(item);
    }
    return cancelled;
  }

  /** CancelCount from the items; a batch with nothing left but cancelled items is cancelled (status 4). */
  private async recountCancelled(batchId: number): Promise<DebitBatch> {
    const items = await this.withholding.itemsOf(batchId);
    const cancelCount = items.filter((item) => item.status === BatchItemStatus.Cancelled).length;
    const changes: Partial<DebitBatch> = { cancelCount };
    if (cancelCount === items.length) changes.status = BatchStatus.Cancelled;
    await this.withholding.updateBatch(batchId, changes);
    return (await this.withholding.findBatchById(batchId))!;
  }

  private itemNotCancellable(item: DebitBatchItem): BusinessError {
    const state = ITEM_STATUS_TEXT[item.status];
    return new BusinessError(RespCode.DEF0014, {
      zh: `客户${item.billKey}的代扣${state.zh}, 不可取消`,
      en: `the debit of customer ${item.billKey} is ${state.en}; it cannot be cancelled`,
    });
  }
}

export function batchNoUsed(batchNo: string): BusinessError {
  return new BusinessError(RespCode.DEF0009, { zh: `批次号${batchNo}已使用`, en: `BatchNo ${batchNo} was used before` });
}

/** A new pending item holding `bills`. */
export function pendingItem(
  batchId: number,
  lineNo: number,
  agreement: WithholdingAgreement,
  amount: Fen,
  bills: Bill[],
  at: string,
): Omit<DebitBatchItem, 'id'> {
  return {
    batchId,
    lineNo,
    companyId: agreement.companyId,
    billKey: agreement.billKey,
    agreementNo: agreement.agreementNo,
    amount,
    status: BatchItemStatus.Pending,
    billNos: bills.map((bill) => bill.billNo),
    tranSeq: null,
    resultCode: null,
    resultMessage: null,
    bankTranSeq: null,
    cancelReason: null,
    updatedAt: at,
  };
}
