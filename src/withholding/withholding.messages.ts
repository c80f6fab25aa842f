import { Fen } from '../common/fen';
import type { ResponseMessage } from '../protocol/codec';
import { PROTOCOL_VERSION } from '../protocol/base-request.dto';
import { BatchItemStatus, DebitBatch, DebitBatchItem } from './entities/debit-batch.entity';
import { WithholdingAgreement } from './entities/withholding-agreement.entity';

/** `Agreement` (CONTRACT §4): account name and number only as their masks. */
export function agreementMessage(agreement: WithholdingAgreement): ResponseMessage {
  return {
    AgreementNo: agreement.agreementNo,
    BillKey: agreement.billKey,
    CompanyId: agreement.companyId,
    AccountNo: agreement.accountNoMasked,
    AccountName: agreement.accountNameMasked,
    BankName: agreement.bankName,
    BankType: agreement.bankType,
    ContractNo: agreement.contractNo,
    AgreementStatus: agreement.status,
    SignDate: agreement.signDate,
    TerminationDate: agreement.terminationDate,
    MaxAmount: agreement.maxAmount,
  };
}

/** The Termination answer has exactly the seed's fields, in its order. */
export function terminatedAgreementMessage(agreement: WithholdingAgreement, terminationDate: string): ResponseMessage {
  return {
    BillKey: agreement.billKey,
    CompanyId: agreement.companyId,
    AgreementNo: agreement.agreementNo,
    AgreementStatus: 2,
    TerminationDate: terminationDate,
  };
}

/** `Batch` (CONTRACT §4); `Items` only when given (DiscQuery). */
export function batchMessage(batch: DebitBatch, items?: DebitBatchItem[]): ResponseMessage {
  return {
    BatchNo: batch.batchNo,
    BatchStatus: batch.status,
    TotalCount: batch.totalCount,
    TotalAmount: batch.totalAmount,
    SuccessCount: batch.successCount,
    SuccessAmount: batch.successAmount,
    FailCount: batch.failCount,
    CancelCount: batch.cancelCount,
    Items: items?.map((item) => ({
      BillKey: item.billKey,
      CompanyId: item.companyId,
      AgreementNo: item.agreementNo,
      PayAmount: item.amount,
      ItemStatus: item.status,
      TranSeq: item.tranSeq,
    })),
  };
}

const TRAN_SEQ = /^(?!REV)[A-Za-z0-9_-]{1,40}$/;

/**
 * A batch as the SendDisc message that delivers it to the bank: its items not cancelled, totals of those.
 * TranDate is the batch's business day and TranSeq its number, so a re-delivery is the identical message.
 */
export function sendDiscMessage(batch: DebitBatch, items: DebitBatchItem[]): ResponseMessage {
  const live = items.filter((item) => item.status !== BatchItemStatus.Cancelled);
  return {
    Version: PROTOCOL_VERSION,
    InstId: batch.instId,
    TranCode: 'SendDisc',
    TranDate: batch.businessDate.replaceAll('-', ''),
    TranSeq: TRAN_SEQ.test(batch.batchNo) ? batch.batchNo : `BATCH${batch.id}`,
    BatchNo: batch.batchNo,
    TotalCount: live.length,
    TotalAmount: Fen.sum(live.map((item) => item.amount)),
    WithholdingList: live.map((item) => ({
      BillKey: item.billKey,
      CompanyId: item.companyId,
      AgreementNo: item.agreementNo,
      PayAmount: item.amount,
    })),
  };
}
