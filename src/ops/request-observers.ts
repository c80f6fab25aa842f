import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from '../config/app-config';
import { assignRequestId } from '../protocol/request-meta.middleware';
import { httpLoggerOptions, logLevelFrom } from './logging';
import { GatewayMetrics } from './metrics.service';

/**
 * The request log and the metrics see every request from its arrival, ahead of every module middleware: answers
 * the partner body reader writes itself (413, 415, 408) are logged and counted too, and latency includes reading
 * the body. Call before `app.init()` (configureApp does), so these run first.
 */
export function installRequestObservers(app: INestApplication, config: AppConfig): void {
  const metrics = app.get(GatewayMetrics);
  const requestLog = pinoHttp(httpLoggerOptions(logLevelFrom(process.env, config.nodeEnv)));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    // The id RequestMetaMiddleware echoes, assigned now so that the request's log lines carry it from the start.
    assignRequestId(req);
    res.once('finish', () => metrics.observe(req, res, Number(process.hrtime.bigint() - started) / 1e9));
    requestLog(req, res, next);
  });
}
