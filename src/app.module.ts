import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AdminModule } from './admin/admin.module';
import { BillingModule } from './billing/billing.module';
import type { AppConfig } from './config/app-config';
import { CoreModule } from './core/core.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { OpsModule } from './ops/ops.module';
import { ProtocolModule } from './protocol/protocol.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { ReferenceModule } from './reference/reference.module';
import { AutoDebitModule } from './withholding/auto-debit/auto-debit.module';
import { WithholdingModule } from './withholding/withholding.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        ScheduleModule.forRoot(),
        DatabaseModule,
        ReferenceModule,
        ProtocolModule,
        BillingModule,
        WithholdingModule,
        AdminModule,
        AutoDebitModule,
        ReconciliationModule,
        DemoModule,
        OpsModule,
      ],
    };
  }
}
