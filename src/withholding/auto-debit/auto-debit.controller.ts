import { Get, Param, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
} from '@nestjs/swagger';
import { AuditContext, AuditService } from '../../admin/audit/audit.service';
import { AdminController, AuditedWrite } from '../../admin/http/admin-controller.decorator';
import { AdminErrorView } from '../../admin/http/admin-errors';
import { Audited } from '../../admin/http/audit-context.decorator';
import { contentTypeFor, encodeRequestMessage } from '../../protocol/codec';
import { AutoDebitRunView, BatchDeliveryQueryDto, builtBatchView } from './auto-debit.dto';
import { AutoDebitService } from './auto-debit.service';

@AdminController('', '管理 Admin · withholding')
export class AutoDebitController {
  constructor(
    private readonly autoDebit: AutoDebitService,
    private readonly audit: AuditService,
  ) {}

  @Post('withholding/batches')
  @AuditedWrite()
  @ApiOperation({
    operationId: 'adminBuildDebitBatches',
    summary: 'Build the automatic-debit batches now, as the WITHHOLD_CRON schedule does',
    description:
      'One batch per institution (status 0, `A<YYYYMMDD><4 digits>`) of every unpaid bill due by today whose customer has a signed ' +
      'agreement with it, one item per customer; the bills become status 2. Customers with bills already held, or whose due total is over ' +
      "the agreement's MaxAmount, are left out; an institution with over 1000 such customers gets several batches (the SendDisc limit). " +
      'Each batch is audited.',
  })
  @ApiCreatedResponse({ type: AutoDebitRunView })
  async buildBatches(@Audited() context: AuditContext): Promise<AutoDebitRunView> {
    const batches = await this.autoDebit.buildDueBatches((batch) =>
      this.audit.record(context, 'withholding.batch.build', `batch:${batch.instId}/${batch.batchNo}`, {
        totalCount: batch.totalCount,
        totalAmount: batch.totalAmount.toYuan(),
      }),
    );
    return { batches: batches.map(builtBatchView) };
  }

  @Get('batches/:batchNo')
  @ApiOperation({
    operationId: 'adminDeliverDebitBatch',
    summary: 'A batch as the SendDisc message that delivers it to the bank (XML `<in>` or JSON)',
    description:
      "Its items not cancelled, with their totals; TranDate is the batch's business day and TranSeq its number, so a re-delivery is identical.",
  })
  @ApiProduces('application/json', 'application/xml')
  @ApiOkResponse({ description: 'The SendDisc message' })
  @ApiBadRequestResponse({ description: 'A bad format or instId', type: AdminErrorView })
  @ApiNotFoundResponse({ description: 'No such batch', type: AdminErrorView })
  @ApiConflictResponse({
    description: 'Several institutions have that number (name one with instId), or the batch is cancelled',
    type: AdminErrorView,
  })
  async deliveryMessage(@Param('batchNo') batchNo: string, @Query() query: BatchDeliveryQueryDto): Promise<StreamableFile> {
    const format = query.format === 'xml' ? 'XML' : 'JSON';
    const body = encodeRequestMessage(format, await this.autoDebit.deliveryMessage(batchNo, query.instId));
    return new StreamableFile(body, { type: contentTypeFor(format), length: body.length });
  }
}
