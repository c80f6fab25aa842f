import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BusinessClock } from '../../common/business-clock';
import { AppConfig, ConfigError, loadConfig } from '../../config/app-config';
import { isoDateOf } from '../reconciliation-file';
import { StatementService } from '../statement.service';
import { ProgressBar } from './progress-bar';
import { ReconciliationExportModule } from './reconciliation-export.module';

const USAGE = `Usage: export-files [--date YYYYMMDD] [--out DIR]

Writes the reconciliation files (CONTRACT §8) of one business date for every institution:
DIR/<InstId>/<CompanyId>_<YYYYMMDD>.txt for each company assigned to it (an empty day too) and each other
company it has transactions of that day. Progress goes to stderr, the files written (path, lines) to stdout.

  --date YYYYMMDD   the business date in BUSINESS_TZ (default: yesterday)
  --out DIR         the folder (default: ./data/reconciliation)

The database and time zone come from the environment (DATABASE_URL, BUSINESS_TZ, SECRET_KEY, ...) or .env, as
for the service.`;

class UsageError extends Error {}

function options(argv: string[]): { date?: string; out: string; help: boolean } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { date: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return { date: values.date, out: values.out ?? './data/reconciliation', help: values.help ?? false };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The calendar day before `isoDate` (YYYY-MM-DD). */
function dayBefore(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof options>;
  let businessDate: string | null = null;
  try {
    args = options(argv);
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (args.date !== undefined) {
      businessDate = isoDateOf(args.date);
      if (businessDate === null) throw new UsageError(`--date must be a real date as YYYYMMDD, got "${args.date}"`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }

  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Configuration error — ${error.message}\n`);
    return 1;
  }

  const app = await NestFactory.createApplicationContext(ReconciliationExportModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const date = businessDate ?? dayBefore(app.get(BusinessClock).today());
    const dir = resolve(args.out);
    const bar = new ProgressBar(process.stderr);
    const files = await app.get(StatementService).exportDay(date, dir, (progress) => bar.update(progress));
    bar.done();
    for (const file of files) process.stdout.write(`${file.path}\t${file.count}\n`);
    process.stderr.write(`${files.length} files for ${date} in ${dir}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`export failed: ${error.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
