import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppModule } from '../app.module';
import { BusinessClock } from '../common/business-clock';
import { loadConfig } from '../config/app-config';
import { buildOpenApiDocument, withTranDate } from './openapi-document';
import { PartnerHttpAdapter } from '../protocol/partner-http-adapter';

/**
 * Writes the OpenAPI document the app serves at /docs-json to a file, building the app on a throwaway in-memory
 * database without listening: `npm run lint:openapi` lints that file with Redocly.
 */
async function exportDocument(target: string): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'sqlite::memory:',
    SECRET_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    DEMO_DATA: 'false',
    WITHHOLD_CRON: '',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), new PartnerHttpAdapter(), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  try {
    const document = withTranDate(buildOpenApiDocument(app), app.get(BusinessClock).todayCompact());
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`OpenAPI document written to ${target} (${Object.keys(document.paths).length} paths)`);
  } finally {
    await app.close();
  }
}

exportDocument(resolve(process.argv[2] ?? 'dist/openapi.json')).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
