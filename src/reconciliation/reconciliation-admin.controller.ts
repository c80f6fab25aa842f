import { Get, Param, ParseIntPipe, Query, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiExtraModels, ApiNotFoundResponse, ApiOkResponse, ApiOperation, getSchemaPath } from '@nestjs/swagger';
import { AdminController } from '../admin/http/admin-controller.decorator';
import { AdminErrorView } from '../admin/http/admin-errors';
import { CheckDetailView, CheckListQueryDto, CheckPageView, StatementQueryDto, StatementView } from './dto/reconciliation-admin.dto';
import { ReconciliationAdminService } from './reconciliation-admin.service';

@AdminController('reconciliation', '管理 Admin · reconciliation')
export class ReconciliationAdminController {
  constructor(private readonly reconciliation: ReconciliationAdminService) {}

  @Get()
  @ApiOperation({
    operationId: 'adminReconciliationStatement',
    summary: 'The statement of (instId, companyId, business date), or with format=txt its §8 reconciliation file',
    description:
      'From the ledger, by the business date in BUSINESS_TZ: counts and sums of payments, reversals (negative) and withholdings, and the ' +
      'net. A payment reversed later still counts on its own day; its reversal counts, negative, on the day it was made. `format=txt` streams the file `<CompanyId>_<YYYYMMDD>.txt` (UTF-8, `\\n` line ends): summary `交易笔数|总金额`, then one line ' +
      'per transaction ordered by PayDate then TranSeq (byte order), `交易日期|交易流水号|客户编号|缴费金额|二级渠道|交易类型`. ' +
      'A `|` or line break inside a customer number is written as a space.',
  })
  @ApiExtraModels(StatementView)
  @ApiOkResponse({
    description: 'The statement (JSON), or with format=txt the file (a text/plain attachment)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(StatementView) } },
      'text/plain': {
        schema: {
          type: 'string',
          example: '2|236.40\n20240101|TXN123456789012|123456|150.00|0|Pay\n20240101|TXN123456789013|123456|86.40|0|Pay\n',
        },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'A missing or bad instId, companyId, date or format, named in `fields`', type: AdminErrorView })
  @ApiNotFoundResponse({ description: 'No such institution or company', type: AdminErrorView })
  statement(@Query() query: StatementQueryDto): Promise<StatementView | StreamableFile> {
    return query.format === 'txt' ? this.reconciliation.statementFile(query) : this.reconciliation.statement(query);
  }

  @Get('checks')
  @ApiOperation({
    operationId: 'adminListReconciliationChecks',
    summary: 'The stored PayCheck results, in the order made (without their differences)',
  })
  @ApiOkResponse({ type: CheckPageView })
  @ApiBadRequestResponse({ description: 'A bad filter or page, named in `fields`', type: AdminErrorView })
  listChecks(@Query() query: CheckListQueryDto): Promise<CheckPageView> {
    return this.reconciliation.listChecks(query);
  }

  @Get('checks/:id')
  @ApiOperation({ operationId: 'adminGetReconciliationCheck', summary: 'One PayCheck result with every difference found' })
  @ApiOkResponse({ type: CheckDetailView })
  @ApiBadRequestResponse({ description: 'The id is not a number', type: AdminErrorView })
  @ApiNotFoundResponse({ description: 'No such check', type: AdminErrorView })
  check(@Param('id', ParseIntPipe) id: number): Promise<CheckDetailView> {
    return this.reconciliation.check(id);
  }
}
