import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { ReferenceModule } from '../reference/reference.module';
import { PaymentCheckService } from './payment-check.service';
import { ReconciliationAdminController } from './reconciliation-admin.controller';
import { ReconciliationAdminService } from './reconciliation-admin.service';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationRepository } from './reconciliation.repository';
import { StatementService } from './statement.service';

/** Reconciliation (对账, CONTRACT §8): the PayCheck operation, statements and the daily file, and their admin API. */
@Module({
  imports: [ReferenceModule, AdminModule],
  controllers: [ReconciliationController, ReconciliationAdminController],
  providers: [ReconciliationRepository, StatementService, PaymentCheckService, ReconciliationAdminService],
  exports: [StatementService],
})
export class ReconciliationModule {}
