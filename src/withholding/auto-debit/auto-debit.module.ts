import { Module } from '@nestjs/common';
import { AdminModule } from '../../admin/admin.module';
import { WithholdingModule } from '../withholding.module';
import { AutoDebitController } from './auto-debit.controller';
import { AutoDebitScheduler } from './auto-debit.scheduler';
import { AutoDebitService } from './auto-debit.service';

/** Automatic debit: the batch builder, its admin endpoints (audited, behind the admin token) and the WITHHOLD_CRON schedule. */
@Module({
  imports: [WithholdingModule, AdminModule],
  controllers: [AutoDebitController],
  providers: [AutoDebitService, AutoDebitScheduler],
  exports: [AutoDebitService],
})
export class AutoDebitModule {}
