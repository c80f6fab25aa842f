// The service with echo partner operations (no business rules), for measuring the protocol pipeline alone.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { loadConfig } from '../src/config/app-config';
import { DemoDataService } from '../src/demo/demo-data.service';
import { EchoPartnerController } from '../test/support/echo-partner.controller';
import { Module } from '@nestjs/common';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  @Module({ imports: [AppModule.forRoot(config)], controllers: [EchoPartnerController] })
  class BenchModule {}
  const app = await NestFactory.create(BenchModule, { bodyParser: false, logger: ['error', 'warn'] });
  configureApp(app, config);
  await app.get(DemoDataService).loadIfEmpty();
  await app.listen(config.port, '127.0.0.1');
  console.log('ready');
}

void main();
