import { Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EnvelopeInterceptor } from '../protocol/envelope.interceptor';
import { PartnerMessage } from '../protocol/partner-message.decorator';
import { OPERATIONS, PartnerOperation } from '../protocol/partner-operation';
import { DebitBatchService } from './debit-batch.service';
import {
  AgreementQueryRequest,
  BackDiscRequest,
  CancelDiscRequest,
  DiscQueryRequest,
  SendDiscRequest,
  SigningRequest,
  TerminationRequest,
} from './dto/withholding-requests.dto';
import { WithholdingService } from './withholding.service';

/** 代扣管理: withholding agreements and debit batches for partner institutions, under /api/app/bankWithholding. */
@ApiTags('代扣管理')
@Controller()
@UseInterceptors(EnvelopeInterceptor)
export class WithholdingController {
  constructor(
    private readonly agreements: WithholdingService,
    private readonly batches: DebitBatchService,
  ) {}

  @Post(OPERATIONS.Signing.path)
  @HttpCode(200)
  @PartnerOperation('Signing', SigningRequest)
  @ApiOperation({
    operationId: OPERATIONS.Signing.operationId,
    summary: '代扣签约',
    description:
      'Signs a direct-debit agreement for an existing customer (DEF0001 otherwise); a customer has at most one signed agreement, ' +
      'whatever the account (DEF0006). AgreementNo is generated (`AG` + YYYYMMDD + 10 characters); the account number is stored ' +
      'encrypted and answered masked; SignDate is today in the business time zone. 5 per day per BillKey.',
  })
  signing(@PartnerMessage() request: SigningRequest) {
    return this.agreements.sign(request);
  }

  @Post(OPERATIONS.AgreementQuery.path)
  @HttpCode(200)
  @PartnerOperation('AgreementQuery', AgreementQueryRequest)
  @ApiOperation({
    operationId: OPERATIONS.AgreementQuery.operationId,
    summary: '协议查询',
    description: "An agreement of the caller's institution (DEF0001 otherwise) of the company named (DEF0008 otherwise), masked.",
  })
  agreementQuery(@PartnerMessage() request: AgreementQueryRequest) {
    return this.agreements.queryAgreement(request);
  }

  @Post(OPERATIONS.Termination.path)
  @HttpCode(200)
  @PartnerOperation('Termination', TerminationRequest)
  @ApiOperation({
    operationId: OPERATIONS.Termination.operationId,
    summary: '代扣解约',
    description:
      "Terminates a signed agreement of the caller's institution (DEF0001), of that BillKey and CompanyId (DEF0008), once (DEF0007). " +
      'From then on it is never debited: its pending items in open batches are cancelled and their bills released. ' +
      'Past transactions are untouched. TerminationDate is today in the business time zone. 1 per day per AgreementNo.',
  })
  termination(@PartnerMessage() request: TerminationRequest) {
    return this.agreements.terminate(request);
  }

  @Post(OPERATIONS.SendDisc.path)
  @HttpCode(200)
  @PartnerOperation('SendDisc', SendDiscRequest)
  @ApiOperation({
    operationId: OPERATIONS.SendDisc.operationId,
    summary: '代扣送盘',
    description:
      'A debit batch, all or nothing: BatchNo unused by the institution (DEF0009), totals equal to the list (DEF0010), and per item in ' +
      "list order: the company assigned (DEF0001), a signed agreement of that customer (DEF0007), none of the customer's bills held " +
      'and the customer at most once (DEF0012), PayAmount equal to its unpaid total (DEF0002), within MaxAmount (DEF0011). ' +
      'The batch starts at status 1 and its bills become status 2.',
  })
  sendDisc(@PartnerMessage() request: SendDiscRequest) {
    return this.batches.receiveBatch(request);
  }

  @Post(OPERATIONS.BackDisc.path)
  @HttpCode(200)
  @PartnerOperation('BackDisc', BackDiscRequest)
  @ApiOperation({
    operationId: OPERATIONS.BackDisc.operationId,
    summary: '代扣回盘',
    description:
      "The bank's results, applied once: a batch of the institution (DEF0001), open (DEF0013); SuccessCount + FailCount = TotalCount = " +
      'the results, SuccessCount = the results with ResultCode 0000, and one result for every pending item with its amount (DEF0010). ' +
      'A cancelled item may be reported as failed (ignored) but not as debited (DEF0010). Debited items write their bills off with ' +
      'one Withhold transaction each; failed ones release them. Final status 2, or 3 when every item failed.',
  })
  backDisc(@PartnerMessage() request: BackDiscRequest) {
    return this.batches.applyResults(request);
  }

  @Post(OPERATIONS.CancelDisc.path)
  @HttpCode(200)
  @PartnerOperation('CancelDisc', CancelDiscRequest)
  @ApiOperation({
    operationId: OPERATIONS.CancelDisc.operationId,
    summary: '取消代扣',
    description:
      "Cancels one customer's pending item of an open batch sent today: the batch and item must exist (DEF0001), the batch be open, " +
      'of today, and the item pending (DEF0014). Its bills are released; the agreement stays signed. A debited item needs PayInvalid.',
  })
  cancelDisc(@PartnerMessage() request: CancelDiscRequest) {
    return this.batches.cancelItem(request);
  }

  @Post(OPERATIONS.DiscQuery.path)
  @HttpCode(200)
  @PartnerOperation('DiscQuery', DiscQueryRequest)
  @ApiOperation({
    operationId: OPERATIONS.DiscQuery.operationId,
    summary: '送盘/回盘查询',
    description: 'A batch of the institution (DEF0001 otherwise) with its items and the TranSeq of each write-off.',
  })
  discQuery(@PartnerMessage() request: DiscQueryRequest) {
    return this.batches.describeBatch(request);
  }
}
