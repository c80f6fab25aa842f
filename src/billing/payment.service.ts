import { Injectable } from '@nestjs/common';
import { BusinessClock } from '../common/business-clock';
import { Fen } from '../common/fen';
import { nowIso } from '../database/columns';
import { UnitOfWork } from '../database/unit-of-work';
import { ResponseMessage } from '../protocol/codec';
import { BusinessError, RespCode } from '../protocol/errors';
import { maskName } from '../withholding/masking';
import { BillingRepository } from './billing.repository';
import { PayInvalidRequest, PayQueryRequest, PayRequest, QueryRequest } from './dto/billing-requests.dto';
import { Bill, BillStatus } from './entities/bill.entity';
import { LedgerTransaction, TranStatus } from './entities/ledger-transaction.entity';
import { PaymentRepository } from './payment.repository';

function notFoundCustomer(billKey: string): BusinessError {
  return new BusinessError(RespCode.DEF0001, { zh: `客户编号${billKey}不存在`, en: `customer ${billKey} not found` });
}

function notFoundTransaction(tranSeq: string): BusinessError {
  return new BusinessError(RespCode.DEF0001, { zh: `原交易${tranSeq}不存在`, en: `transaction ${tranSeq} not found` });
}

export function billMessage(bill: Bill): ResponseMessage {
  return {
    BillNo: bill.billNo,
    BillKey: bill.billKey,
    CompanyId: bill.companyId,
    Period: bill.period,
    Amount: bill.amount,
    LateFee: bill.lateFee,
    StartDate: bill.startDate,
    EndDate: bill.endDate,
    DueDate: bill.dueDate,
    BillStatus: bill.status,
  };
}

export function transactionMessage(tx: LedgerTransaction, billNos: string[]): ResponseMessage {
  return {
    TranSeq: tx.tranSeq,
    BillKey: tx.billKey,
    CompanyId: tx.companyId,
    BillNos: billNos,
    TranCode: tx.tranCode,
    PayAmount: tx.amount,
    SubChannel: tx.subChannel,
    PayDate: tx.payDate,
    TranStatus: tx.tranStatus,
    OriginalTranSeq: tx.originalTranSeq,
    RespCode: tx.respCode,
    RespMessage: tx.respMessage,
  };
}

/**
 * Bill query, payment (销账), reversal (红冲) and payment query. Every check runs in the order of CONTRACT §7; the
 * request's InstId is the caller (the protocol layer checked it against the API key);
 * state changes are guarded by conditional updates, so a racing duplicate finds nothing left to change.
 */
@Injectable()
export class PaymentService {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly billing: BillingRepository,
    private readonly uow: UnitOfWork,
    private readonly clock: BusinessClock,
  ) {}

  async queryBills(request: QueryRequest): Promise<ResponseMessage> {
    const customer = await this.payments.findCustomerInScope(request.InstId, request.CompanyId, request.BillKey);
    if (!customer) throw notFoundCustomer(request.BillKey);
    const [bills, agreementNo] = await Promise.all([
      this.payments.openBills(customer.companyId, customer.billKey),
      this.payments.signedAgreementNo(request.InstId, customer.companyId, customer.billKey),
    ]);
    const unpaid = bills.filter((b) => b.status === BillStatus.Unpaid);
    return {
      Customer: {
        BillKey: customer.billKey,
        CustomerName: maskName(customer.name),
        CompanyId: customer.companyId,
        AgreementNo: agreementNo ?? undefined,
      },
      TotalAmount: Fen.sum(unpaid.map((b) => b.dueTotal())),
      Bills: bills.map(billMessage),
    };
  }

  async pay(request: PayRequest): Promise<ResponseMessage> {
    return this.uow.transaction(async () => {
      const customer = await this.payments.findCustomerInScope(request.InstId, request.CompanyId, request.BillKey);
      if (!customer) throw notFoundCustomer(request.BillKey);
      const toSettle = await this.billsToSettle(customer.companyId, customer.billKey, request.BillNo);
      const due = Fen.sum(toSettle.map((b) => b.dueTotal()));
      if (!request.PayAmount.equals(due)) {
        throw new BusinessError(RespCode.DEF0002, { zh: `缴费金额须为${due.toYuan()}`, en: `PayAmount must be ${due.toYuan()}` });
      }
      await this.refuseUsedTranSeq(request.InstId, request.TranSeq);
      const billNos = toSettle.map((b) => b.billNo);
      // A concurrent payment may have settled some of them since they were read.
      if ((await this.payments.settleBills(billNos)) !== billNos.length) {
        // Another payment or a debit batch took some of them since they were read: say which.
        const now = await this.payments.openBills(customer.companyId, customer.billKey);
        const heldNow = now.find((b) => b.status === BillStatus.Held && billNos.includes(b.billNo));
        if (heldNow) throw held(heldNow.billNo);
        throw new BusinessError(RespCode.DEF0003, { zh: '账单已被缴纳', en: 'the bills were settled meanwhile' });
      }
      const now = new Date();
      const tx = await this.billing.insertTransaction(
        {
          instId: request.InstId,
          tranSeq: request.TranSeq,
          tranCode: 'Pay',
          companyId: customer.companyId,
          billKey: customer.billKey,
          amount: due,
          subChannel: request.SubChannel ?? 0,
          payDate: now.toISOString(),
          businessDate: this.clock.businessDate(now),
          tranStatus: TranStatus.Success,
          originalTranSeq: null,
          batchNo: null,
          respCode: RespCode.AAAAAAA,
          respMessage: '成功',
          createdAt: nowIso(),
        },
        toSettle.map((b) => ({ billNo: b.billNo, amount: b.dueTotal() })),
      );
      return { Transaction: transactionMessage(tx, billNos) };
    });
  }

  async reversePayment(request: PayInvalidRequest): Promise<ResponseMessage> {
    return this.uow.transaction(async () => {
      const original = await this.payments.findTransaction(request.InstId, request.OriginalTranSeq);
      if (!original) throw notFoundTransaction(request.OriginalTranSeq);
      if (original.tranCode !== 'Pay' && original.tranCode !== 'Withhold') {
        throw new BusinessError(RespCode.DEF0004, {
          zh: `原交易${original.tranSeq}为红冲交易, 不可红冲`,
          en: `${original.tranSeq} is a reversal and cannot be reversed`,
        });
      }
      if (original.billKey !== request.BillKey || original.companyId !== request.CompanyId) {
        throw new BusinessError(RespCode.DEF0008, {
          zh: '客户编号或机构编码与原交易不符',
          en: 'BillKey or CompanyId does not match the original transaction',
        });
      }
      if (original.tranStatus === TranStatus.Reversed) {
        throw new BusinessError(RespCode.DEF0005, { zh: `原交易${original.tranSeq}已红冲`, en: `${original.tranSeq} is already reversed` });
      }
      if (request.PayAmount && !request.PayAmount.equals(original.amount)) {
        throw new BusinessError(RespCode.DEF0002, {
          zh: `红冲金额须为${original.amount.toYuan()}`,
          en: `PayAmount must be ${original.amount.toYuan()}`,
        });
      }
      const reversalSeq = `REV${request.TranSeq}`;
      await this.refuseUsedTranSeq(request.InstId, reversalSeq);
      if (!(await this.payments.markReversed(original.id))) {
        throw new BusinessError(RespCode.DEF0005, { zh: `原交易${original.tranSeq}已红冲`, en: `${original.tranSeq} is already reversed` });
      }
      const lines = await this.payments.billLinesOf(original.id);
      const billNos = lines.map((line) => line.billNo);
      if ((await this.payments.reopenBills(billNos)) !== billNos.length) {
        // Only a payment's own bills can be paid, and only its reversal reopens them: anything else is corruption.
        throw new Error(`bills of ${original.tranSeq} were not all paid`);
      }
      const now = new Date();
      const reversal = await this.billing.insertTransaction(
        {
          instId: request.InstId,
          tranSeq: reversalSeq,
          tranCode: 'PayInvalid',
          companyId: original.companyId,
          billKey: original.billKey,
          amount: original.amount.negate(),
          subChannel: original.subChannel,
          payDate: now.toISOString(),
          businessDate: this.clock.businessDate(now),
          tranStatus: TranStatus.Success,
          originalTranSeq: original.tranSeq,
          batchNo: null,
          respCode: RespCode.AAAAAAA,
          // The seed's example answers the negative record with 成功; 红冲成功 is the envelope's RespMessage.
          respMessage: '成功',
          createdAt: nowIso(),
        },
        // The released bills, negative, so the ledger shows what each reversal gave back.
        lines.map((line) => ({ billNo: line.billNo, amount: line.amount.negate() })),
      );
      return { Transaction: transactionMessage(reversal, billNos) };
    });
  }

  async queryPayment(request: PayQueryRequest): Promise<ResponseMessage> {
    const tx = await this.payments.findTransaction(request.InstId, request.OriginalTranSeq);
    if (!tx || tx.companyId !== request.CompanyId) throw notFoundTransaction(request.OriginalTranSeq);
    return { Transaction: transactionMessage(tx, await this.payments.billNosOf(tx.id)) };
  }

  private async billsToSettle(companyId: string, billKey: string, billNo: string | undefined): Promise<Bill[]> {
    if (billNo !== undefined) {
      const bill = await this.payments.findCustomerBill(companyId, billKey, billNo);
      if (!bill) throw new BusinessError(RespCode.DEF0001, { zh: `账单${billNo}不存在`, en: `bill ${billNo} not found` });
      if (bill.status === BillStatus.Held) throw held(bill.billNo);
      if (bill.status !== BillStatus.Unpaid) throw nothingUnpaid();
      return [bill];
    }
    const open = await this.payments.openBills(companyId, billKey);
    const unpaid = open.filter((b) => b.status === BillStatus.Unpaid);
    const heldBill = open.find((b) => b.status === BillStatus.Held);
    // Held bills wait for their debit's result; only when nothing else is open does the payment have to wait too.
    if (unpaid.length === 0 && heldBill) throw held(heldBill.billNo);
    if (unpaid.length === 0) throw nothingUnpaid();
    return unpaid;
  }

  private async refuseUsedTranSeq(instId: string, tranSeq: string): Promise<void> {
    if (await this.payments.transactionExists(instId, tranSeq)) {
      throw new BusinessError(RespCode.DEF0009, { zh: `流水号${tranSeq}已存在`, en: `TranSeq ${tranSeq} already exists` });
    }
  }
}

function held(billNo: string): BusinessError {
  return new BusinessError(RespCode.DEF0012, { zh: `账单${billNo}代扣处理中`, en: `bill ${billNo} is held by a debit in progress` });
}

function nothingUnpaid(): BusinessError {
  return new BusinessError(RespCode.DEF0003, { zh: '无欠费账单', en: 'no unpaid bills' });
}
