// The service as main.ts serves it (demo data on an empty database), quiet, for the benchmarks.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import { DemoDataService } from '../src/demo/demo-data.service';
import { PartnerHttpAdapter } from '../src/protocol/partner-http-adapter';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await NestFactory.create(AppModule.forRoot(config), new PartnerHttpAdapter(), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureApp(app, config);
  await app.get(DemoDataService).loadIfEmpty();
  await app.listen(config.port, '127.0.0.1');
  // Exit normally on SIGTERM, so a --cpu-prof profile gets written.
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  console.log('ready');
}

void main();
