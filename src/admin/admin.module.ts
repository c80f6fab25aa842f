import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { ReferenceModule } from '../reference/reference.module';
import { WithholdingModule } from '../withholding/withholding.module';
import { AuditController } from './audit/audit.controller';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { BillAdminService } from './bills/bill-admin.service';
import { BillsController } from './bills/bills.controller';
import { CustomersController } from './bills/customers.controller';
import { AdminAuthGuard, AdminTokenVerifier } from './http/admin-auth.guard';
import { AdminBodyParserMiddleware } from './http/admin-body-parser.middleware';
import { InstitutionAdminService } from './institutions/institution-admin.service';
import { InstitutionsController } from './institutions/institutions.controller';
import { AgreementsController } from './listings/agreements.controller';
import { BatchesController } from './listings/batches.controller';
import { ListingService } from './listings/listing.service';
import { TransactionsController } from './listings/transactions.controller';

/** The admin API under /admin/v1: JSON (and CSV for bill imports), behind ADMIN_TOKEN, every write audited. */
@Module({
  imports: [ReferenceModule, BillingModule, WithholdingModule],
  controllers: [
    InstitutionsController,
    CustomersController,
    BillsController,
    TransactionsController,
    AgreementsController,
    BatchesController,
    AuditController,
  ],
  providers: [AdminTokenVerifier, AdminAuthGuard, AuditRepository, AuditService, InstitutionAdminService, BillAdminService, ListingService],
  exports: [AdminTokenVerifier, AdminAuthGuard, AuditService],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AdminBodyParserMiddleware).forRoutes({ path: 'admin/*path', method: RequestMethod.ALL });
  }
}
