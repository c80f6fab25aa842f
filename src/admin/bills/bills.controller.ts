import { Body, Get, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { AuditContext } from '../audit/audit.service';
import { AdminController, AuditedWrite } from '../http/admin-controller.decorator';
import { AdminErrorView } from '../http/admin-errors';
import { Audited } from '../http/audit-context.decorator';
import { CsvBody } from '../http/csv-body.decorator';
import { BillListQueryDto, BillPageView } from '../listings/listing.dto';
import { ListingService } from '../listings/listing.service';
import { BILL_CSV_COLUMNS, MAX_IMPORT_ROWS } from './bill-csv';
import { BillImportErrorView, BillImportView, BillView, CreateBillDto } from './bill.dto';
import { BillAdminService } from './bill-admin.service';

const CSV_EXAMPLE = `${BILL_CSV_COLUMNS.join(',')}\n654321,123456,张三丰,150.00,0.00,202401,2024-01-31,,,B202401123456\n654321,234567,李四,52.00,,202401,2024-01-31,,,\n`;

@AdminController('bills', '管理 Admin · customers and bills')
export class BillsController {
  constructor(
    private readonly bills: BillAdminService,
    private readonly listings: ListingService,
  ) {}

  @Post()
  @AuditedWrite()
  @ApiOperation({
    operationId: 'adminCreateBill',
    summary: 'Create an unpaid bill, and its customer when new (customerName then required)',
  })
  @ApiCreatedResponse({ type: BillView })
  @ApiBadRequestResponse({ description: 'A bad field, named in `fields`', type: AdminErrorView })
  @ApiNotFoundResponse({ description: 'Unknown company', type: AdminErrorView })
  @ApiConflictResponse({ description: 'The billNo exists', type: AdminErrorView })
  create(@Body() body: CreateBillDto, @Audited() context: AuditContext): Promise<BillView> {
    return this.bills.createBill(body, context);
  }

  @Post('import')
  @AuditedWrite()
  @ApiOperation({
    operationId: 'adminImportBills',
    summary: 'Import bills from CSV, all or nothing',
    description:
      `UTF-8 CSV, header row first (line 1) naming columns ${BILL_CSV_COLUMNS.join(', ')} in any order; ` +
      'companyId, billKey, amount, period and dueDate are required, the other columns may be absent or empty. Each row follows the rules of POST /admin/v1/bills; ' +
      `billNos must also be unique within the file. At most ${MAX_IMPORT_ROWS} rows and 10 MiB. Any bad row refuses the file, listing each bad line.`,
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: CSV_EXAMPLE } })
  @ApiCreatedResponse({ type: BillImportView })
  @ApiBadRequestResponse({
    description: 'Bad rows (each listed by line) or an unreadable file; nothing imported',
    type: BillImportErrorView,
  })
  @ApiPayloadTooLargeResponse({ description: `Over 10 MiB or over ${MAX_IMPORT_ROWS} rows`, type: AdminErrorView })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not text/csv', type: AdminErrorView })
  import(@CsvBody() csv: string, @Audited() context: AuditContext): Promise<BillImportView> {
    return this.bills.importBills(csv, context);
  }

  @Get()
  @ApiOperation({ operationId: 'adminListBills', summary: 'Bills by billNo' })
  @ApiOkResponse({ type: BillPageView })
  @ApiBadRequestResponse({ description: 'A bad filter or page, named in `fields`', type: AdminErrorView })
  list(@Query() query: BillListQueryDto): Promise<BillPageView> {
    return this.listings.listBills(query);
  }
}
