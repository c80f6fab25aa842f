import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { ReconciliationCheck } from '../reconciliation/entities/reconciliation-check.entity';
import { DebitBatch } from '../withholding/entities/debit-batch.entity';
import { GatewayMetrics } from './metrics.service';

interface CountRow {
  label: string | number;
  origin?: string;
  count: string | number;
}

/**
 * Batch and reconciliation counts, read from their tables when Prometheus scrapes: correct across instances and
 * restarts, and no business module has to report to the metrics.
 */
@Injectable()
export class LedgerMetricsCollector implements OnModuleInit {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const dataSource = this.dataSource;
    const logger = this.logger;
    new Gauge({
      name: 'gateway_debit_batches',
      help: 'Debit batches (送盘) by BatchStatus (0 pending, 1 at the bank, 2 succeeded, 3 failed, 4 cancelled) and origin (partner SendDisc or auto)',
      labelNames: ['status', 'origin'] as const,
      registers: [this.metrics.registry],
      async collect() {
        const rows = await countRows(logger, () =>
          dataSource
            .getRepository(DebitBatch)
            .createQueryBuilder('batch')
            .select('batch.status', 'label')
            .addSelect('batch.origin', 'origin')
            .addSelect('COUNT(*)', 'count')
            .groupBy('batch.status')
            .addGroupBy('batch.origin')
            .getRawMany<CountRow>(),
        );
        this.reset();
        for (const row of rows) this.set({ status: String(row.label), origin: row.origin ?? 'unknown' }, Number(row.count));
      },
    });
    new Gauge({
      name: 'gateway_reconciliation_checks',
      help: 'PayCheck reconciliations (对账) stored, by CheckStatus (0 balanced, 1 differences)',
      labelNames: ['check_status'] as const,
      registers: [this.metrics.registry],
      async collect() {
        const rows = await countRows(logger, () =>
          dataSource
            .getRepository(ReconciliationCheck)
            .createQueryBuilder('check')
            .select('check.checkStatus', 'label')
            .addSelect('COUNT(*)', 'count')
            .groupBy('check.checkStatus')
            .getRawMany<CountRow>(),
        );
        this.reset();
        for (const row of rows) this.set({ check_status: String(row.label) }, Number(row.count));
      },
    });
  }
}

/** A failed count leaves its gauge empty for this scrape rather than failing the whole scrape. */
async function countRows(logger: Logger, query: () => Promise<CountRow[]>): Promise<CountRow[]> {
  try {
    return await query();
  } catch (error) {
    logger.warn(`could not count for the metrics: ${(error as Error).message}`);
    return [];
  }
}
