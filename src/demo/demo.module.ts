import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { ReferenceModule } from '../reference/reference.module';
import { WithholdingModule } from '../withholding/withholding.module';
import { DemoDataService } from './demo-data.service';

@Module({
  imports: [ReferenceModule, BillingModule, WithholdingModule],
  providers: [DemoDataService],
  exports: [DemoDataService],
})
export class DemoModule {}
