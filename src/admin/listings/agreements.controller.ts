import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController } from '../http/admin-controller.decorator';
import { AdminErrorView } from '../http/admin-errors';
import { ListingService } from './listing.service';
import { AgreementListQueryDto, AgreementPageView } from './listing.dto';

@AdminController('agreements', '管理 Admin · listings')
export class AgreementsController {
  constructor(private readonly listings: ListingService) {}

  @Get()
  @ApiOperation({ operationId: 'adminListAgreements', summary: 'Withholding agreements by agreementNo; account name and number masked' })
  @ApiOkResponse({ type: AgreementPageView })
  @ApiBadRequestResponse({ description: 'A bad filter or page, named in `fields`', type: AdminErrorView })
  list(@Query() query: AgreementListQueryDto): Promise<AgreementPageView> {
    return this.listings.listAgreements(query);
  }
}
