import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AuditService } from '../../admin/audit/audit.service';
import { APP_CONFIG, AppConfig, ConfigError } from '../../config/app-config';
import { AutoDebitService, BuiltBatch } from './auto-debit.service';

export const AUTO_DEBIT_JOB = 'withholding-auto-debit';

/** Runs automatic debit on WITHHOLD_CRON in the business time zone; an empty WITHHOLD_CRON disables it. */
@Injectable()
export class AutoDebitScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('AutoDebit');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly autoDebit: AutoDebitService,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    const cronTime = this.config.withholdCron;
    if (cronTime === '') {
      this.logger.log('WITHHOLD_CRON is empty: the automatic debit schedule is disabled');
      return;
    }
    let job: CronJob;
    try {
      job = CronJob.from({
        cronTime,
        timeZone: this.config.businessTz,
        onTick: async () => {
          await this.run();
        },
        waitForCompletion: true,
      });
    } catch (error) {
      throw new ConfigError('WITHHOLD_CRON', `not a valid cron expression: ${(error as Error).message}`);
    }
    // The registry stops the job at shutdown.
    this.registry.addCronJob(AUTO_DEBIT_JOB, job);
    job.start();
    this.logger.log(`automatic debit scheduled at "${cronTime}" (${this.config.businessTz})`);
  }

  /** One scheduled run; a failure is logged and the next tick tries again. */
  async run(): Promise<BuiltBatch[]> {
    try {
      return await this.autoDebit.buildDueBatches((batch) =>
        this.audit.record({ actor: 'scheduler', requestId: null }, 'withholding.batch.build', `batch:${batch.instId}/${batch.batchNo}`, {
          totalCount: batch.totalCount,
          totalAmount: batch.totalAmount.toYuan(),
        }),
      );
    } catch (error) {
      this.logger.error(`automatic debit failed: ${(error as Error).message}`, (error as Error).stack);
      return [];
    }
  }
}
