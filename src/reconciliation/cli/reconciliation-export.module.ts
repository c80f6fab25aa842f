import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { CoreModule } from '../../core/core.module';
import { DatabaseModule } from '../../database/database.module';
import { ReferenceModule } from '../../reference/reference.module';
import { ReconciliationRepository } from '../reconciliation.repository';
import { StatementService } from '../statement.service';

/** What the export command needs to write files: configuration, the database, the ledger reads. No HTTP, schedules or demo data. */
@Module({})
export class ReconciliationExportModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ReconciliationExportModule,
      imports: [CoreModule.forRoot(config), DatabaseModule, ReferenceModule],
      providers: [ReconciliationRepository, StatementService],
    };
  }
}
