import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { ReferenceModule } from '../reference/reference.module';
import { DebitBatchService } from './debit-batch.service';
import { WithholdingController } from './withholding.controller';
import { WithholdingRepository } from './withholding.repository';
import { WithholdingService } from './withholding.service';

@Module({
  imports: [ReferenceModule, BillingModule],
  controllers: [WithholdingController],
  providers: [WithholdingRepository, WithholdingService, DebitBatchService],
  exports: [WithholdingRepository, WithholdingService, DebitBatchService],
})
export class WithholdingModule {}
