import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { BillingController } from './billing.controller';
import { BillingRepository } from './billing.repository';
import { BillingService } from './billing.service';
import { PaymentRepository } from './payment.repository';
import { PaymentService } from './payment.service';

@Module({
  imports: [ReferenceModule],
  controllers: [BillingController],
  providers: [BillingRepository, BillingService, PaymentRepository, PaymentService],
  exports: [BillingRepository, BillingService, PaymentService],
})
export class BillingModule {}
