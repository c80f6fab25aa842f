import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { DemoDataService } from './demo/demo-data.service';
import { logLevelFrom } from './ops/logging';
import { PartnerHttpAdapter } from './protocol/partner-http-adapter';

function readConfig(): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    const config = loadConfig(process.env);
    logLevelFrom(process.env, config.nodeEnv);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error — ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  // The partner protocol layer reads raw bodies itself (GBK, encrypted); admin routes register their own parsers.
  // Nest's own start-up lines wait for the JSON logger (pino) that configureApp installs.
  const app = await NestFactory.create(AppModule.forRoot(config), new PartnerHttpAdapter(), { bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  app.flushLogs();
  const logger = new Logger('Bootstrap');

  if (config.secretKeySource === 'file-created')
    logger.warn('SECRET_KEY not set: generated one beside the SQLite database (embedded default only)');
  if (config.demoData) await app.get(DemoDataService).loadIfEmpty();
  await app.listen(config.port);

  const base = `http://localhost:${config.port}`;
  if (config.adminTokenGenerated) logger.log(`ADMIN_TOKEN not set: this run's admin token is ${config.adminToken}`);
  logger.log(`serving on ${base} (${config.database.engine}); health at ${base}/health`);
  if (config.docsEnabled) logger.log(`Swagger UI will be at ${base}/docs`);
}

void bootstrap();
