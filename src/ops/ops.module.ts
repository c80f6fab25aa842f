import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { HealthController } from './health.controller';
import { LedgerMetricsCollector } from './ledger-metrics.collector';
import { loggerParams, logLevelFrom } from './logging';
import { MetricsController } from './metrics.controller';
import { GatewayMetrics } from './metrics.service';
import { RedisHealthIndicator } from './redis-health.indicator';

/** Operations: health (liveness, readiness), Prometheus metrics and the structured log (installRequestObservers wires the request side). */
@Module({
  imports: [
    TerminusModule.forRoot({ logger: false }),
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loggerParams(logLevelFrom(process.env, config.nodeEnv)),
    }),
  ],
  controllers: [HealthController, MetricsController],
  providers: [GatewayMetrics, LedgerMetricsCollector, RedisHealthIndicator],
  exports: [GatewayMetrics],
})
export class OpsModule {}
