import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController } from '../http/admin-controller.decorator';
import { AdminErrorView } from '../http/admin-errors';
import { ListingService } from './listing.service';
import { BatchListQueryDto, BatchPageView } from './listing.dto';

@AdminController('batches', '管理 Admin · listings')
export class BatchesController {
  constructor(private readonly listings: ListingService) {}

  @Get()
  @ApiOperation({ operationId: 'adminListBatches', summary: 'Debit batches, received (SendDisc) or built here, in the order created' })
  @ApiOkResponse({ type: BatchPageView })
  @ApiBadRequestResponse({ description: 'A bad filter or page, named in `fields`', type: AdminErrorView })
  list(@Query() query: BatchListQueryDto): Promise<BatchPageView> {
    return this.listings.listBatches(query);
  }
}
