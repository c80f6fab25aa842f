import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { DemoDataService } from './demo/demo-data.service';

function readConfig(): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env);
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
  const app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false });
  configureApp(app, config);
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
