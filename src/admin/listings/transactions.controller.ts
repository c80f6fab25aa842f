import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController } from '../http/admin-controller.decorator';
import { AdminErrorView } from '../http/admin-errors';
import { ListingService } from './listing.service';
import { TransactionListQueryDto, TransactionPageView } from './listing.dto';

@AdminController('transactions', '管理 Admin · listings')
export class TransactionsController {
  constructor(private readonly listings: ListingService) {}

  @Get()
  @ApiOperation({
    operationId: 'adminListTransactions',
    summary: 'The ledger: payments, withholdings and reversals (negative), in the order written',
  })
  @ApiOkResponse({ type: TransactionPageView })
  @ApiBadRequestResponse({ description: 'A bad filter or page, named in `fields`', type: AdminErrorView })
  list(@Query() query: TransactionListQueryDto): Promise<TransactionPageView> {
    return this.listings.listTransactions(query);
  }
}
