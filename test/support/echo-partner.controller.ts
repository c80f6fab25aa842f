import { Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { AuditEntry } from '../../src/admin/entities/audit-entry.entity';
import { PayInvalidRequest, PayRequest, QueryRequest } from '../../src/billing/dto/billing-requests.dto';
import { Fen } from '../../src/common/fen';
import { nowIso } from '../../src/database/columns';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { EnvelopeInterceptor } from '../../src/protocol/envelope.interceptor';
import { BusinessError, RespCode } from '../../src/protocol/errors';
import { PartnerMessage } from '../../src/protocol/partner-message.decorator';
import { OPERATIONS, PartnerOperation, TranCode } from '../../src/protocol/partner-operation';

/** Where the echo serves an operation: beside the real path, so both can run in one app. */
export function echoPath(tranCode: TranCode): string {
  return OPERATIONS[tranCode].path.replace('/api/app/', '/api/app/echo/');
}

/**
 * Partner operations with trivial business behaviour, at the real paths, for testing the protocol layer on its
 * own: each execution writes an audit row (so exactly-once and rollback are visible in the database) and
 * BillKey picks a business outcome: 'missing' → DEF0001, 'explode' → an unexpected error, 'nothing-due' → DEF0003 (Pay),
 * 'slow' → `slowMs` before answering (Pay).
 */
@Controller()
@UseInterceptors(EnvelopeInterceptor)
export class EchoPartnerController {
  static executions = 0;
  /** How long BillKey 'slow' takes; a test shortens it to retry the same request within the deadline. */
  static slowMs = 300;
  /** How many 'slow' handlers have come back from their wait: an answer sent before this moves came from the deadline. */
  static slowReturns = 0;
  /** While set, every Pay fails unexpectedly after writing its audit row: a server fault that a later "fix" clears. */
  static payFault = false;

  constructor(private readonly uow: UnitOfWork) {}

  @Post(echoPath('Query'))
  @HttpCode(200)
  @PartnerOperation('Query', QueryRequest, { gateway: false })
  query(@PartnerMessage() request: QueryRequest) {
    if (request.BillKey === 'missing')
      throw new BusinessError(RespCode.DEF0001, { zh: `客户编号${request.BillKey}不存在`, en: `customer ${request.BillKey} not found` });
    if (request.BillKey === 'explode') throw new Error('unexpected failure with secret detail');
    return Promise.resolve({
      Customer: { BillKey: request.BillKey, CompanyId: request.CompanyId, CustomerName: '张*丰' },
      TotalAmount: Fen.of(8640),
      Bills: [{ BillNo: 'B1', Amount: Fen.of(8640) }],
    });
  }

  @Post(echoPath('Pay'))
  @HttpCode(200)
  @PartnerOperation('Pay', PayRequest, { gateway: false })
  async pay(@PartnerMessage() request: PayRequest) {
    EchoPartnerController.executions++;
    await this.uow.repository(AuditEntry).insert({
      occurredAt: nowIso(),
      actor: 'echo',
      action: 'echo.pay',
      target: request.TranSeq,
      detail: request.PayAmount.toString(),
      requestId: null,
    });
    if (request.BillKey === 'nothing-due') throw new BusinessError(RespCode.DEF0003, { zh: '无欠费账单', en: 'nothing unpaid' });
    if (request.BillKey === 'explode' || EchoPartnerController.payFault) throw new Error('unexpected failure with secret detail');
    if (request.BillKey === 'slow') {
      await new Promise((r) => setTimeout(r, EchoPartnerController.slowMs));
      EchoPartnerController.slowReturns++;
    }
    return {
      Transaction: {
        TranSeq: request.TranSeq,
        BillKey: request.BillKey,
        CompanyId: request.CompanyId,
        TranCode: 'Pay',
        PayAmount: request.PayAmount,
        SubChannel: request.SubChannel ?? 0,
        TranStatus: 1,
      },
    };
  }

  @Post(echoPath('PayInvalid'))
  @HttpCode(200)
  @PartnerOperation('PayInvalid', PayInvalidRequest, { gateway: false })
  async payInvalid(@PartnerMessage() request: PayInvalidRequest) {
    EchoPartnerController.executions++;
    await this.uow.repository(AuditEntry).insert({
      occurredAt: nowIso(),
      actor: 'echo',
      action: 'echo.reverse',
      target: request.TranSeq,
      detail: request.OriginalTranSeq,
      requestId: null,
    });
    return {
      Transaction: {
        TranSeq: `REV${request.TranSeq}`,
        BillKey: request.BillKey,
        CompanyId: request.CompanyId,
        TranCode: 'PayInvalid',
        PayAmount: Fen.of(-15000),
        TranStatus: 1,
      },
    };
  }
}
