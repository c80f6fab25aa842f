import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { BillingController } from './billing.controller';
import { BillingRepository } from './billing.repository';
import { BillingService } from './billing.service';

@Module({
  imports: [ReferenceModule],
  controllers: [BillingController],
  providers: [BillingRepository, BillingService],
  exports: [BillingRepository, BillingService],
})
export class BillingModule {}
