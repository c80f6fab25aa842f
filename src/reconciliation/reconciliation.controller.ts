import { Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EnvelopeInterceptor } from '../protocol/envelope.interceptor';
import { PartnerMessage } from '../protocol/partner-message.decorator';
import { OPERATIONS, PartnerOperation } from '../protocol/partner-operation';
import { PayCheckRequest } from './dto/pay-check-request.dto';
import { PaymentCheckService } from './payment-check.service';

/** 缴费对账: daily reconciliation for partner institutions (on its own path only, with a 16 MiB body limit). */
@ApiTags('对账管理')
@Controller()
@UseInterceptors(EnvelopeInterceptor)
export class ReconciliationController {
  constructor(private readonly checks: PaymentCheckService) {}

  @Post(OPERATIONS.PayCheck.path)
  @HttpCode(200)
  @PartnerOperation('PayCheck', PayCheckRequest)
  @ApiOperation({
    operationId: OPERATIONS.PayCheck.operationId,
    summary: '缴费对账',
    description:
      "Compares the caller's count and net sum (reversals negative) of (its InstId, CompanyId, PayDate) — and, with FileContent, its " +
      '§8 file line by line by TranSeq — with the ledger. FileName must be `<CompanyId>_<PayDate>.txt`. The file is UTF-8 (a BOM and CRLF ' +
      'line ends are accepted, blank lines only at the end): summary `交易笔数|总金额`, then `交易日期|交易流水号|客户编号|缴费金额|二级渠道|交易类型` ' +
      'with amounts of at most two decimals, negative exactly for PayInvalid, each TranSeq once. A malformed line, a summary that does ' +
      'not equal its lines, or PayCount/PayMoney that do not equal the summary is PRM3003 naming the line (not stored: correct and resend ' +
      'with the same TranSeq). A company not assigned to the caller is DEF0001. ' +
      'CheckStatus 0 when balanced, else 1; PayCount/PayMoney in the answer are ours. Differences (the first 100; DifferenceCount gives ' +
      'them all, kept with the check under CheckId for the utility staff): MISSING_HERE (only in the partner file), MISSING_THERE (only ' +
      'ours), AMOUNT (both, amounts differ); Ours/Theirs are the amounts, omitted where missing; ours first in file order, then the ' +
      "partner's in its order. Without a file only the totals are compared and Differences is empty. BillKey, SubChannel, TranCode and " +
      'the date of a line are checked for form but not compared. Idempotent on (InstId, TranSeq): a repeat replays the stored answer.',
  })
  paymentCheck(@PartnerMessage() request: PayCheckRequest) {
    return this.checks.check(request);
  }
}
