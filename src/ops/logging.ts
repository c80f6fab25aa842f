import { RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdSerializers, stdTimeFunctions } from 'pino';
import type { Options } from 'pino-http';
import { ConfigError } from '../config/app-config';
import type { PartnerRequest } from '../protocol/partner-exchange';
import { isPartnerRequest, partnerOutcome } from './partner-outcome';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL (default `info`; `warn` under NODE_ENV=test, so test runs stay readable). */
export function logLevelFrom(env: NodeJS.ProcessEnv, nodeEnv: string): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return nodeEnv === 'test' ? 'warn' : 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  return raw as LogLevel;
}

/** The path without its query string: admin filters stay out of the log. */
function pathOf(req: IncomingMessage): string {
  const url = (req as PartnerRequest).originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Probes, scrapes and Swagger UI's assets would drown the request log; the metrics count them. */
function isQuiet(req: IncomingMessage): boolean {
  const path = pathOf(req);
  return path === '/metrics' || path === '/health' || path.startsWith('/health/') || path === '/docs' || path.startsWith('/docs/');
}

/** What the protocol layer learned about a partner request; nothing from its body beyond the codes. */
function requestFields(req: IncomingMessage, res: ServerResponse): Record<string, string | undefined> {
  const requestId = (req as PartnerRequest).requestId;
  if (!isPartnerRequest(req)) return { requestId };
  const partner = partnerOutcome(req, res);
  return {
    requestId,
    instId: partner.instId,
    tranCode: partner.tranCode,
    // Known once answered; the request's own log lines (bound when it arrives) have none.
    respCode: res.headersSent && partner.respCode !== 'none' ? partner.respCode : undefined,
  };
}

function outcome(req: IncomingMessage, res: ServerResponse, durationMs: number): Record<string, unknown> {
  return { method: req.method, path: pathOf(req), status: res.statusCode, durationMs };
}

/**
 * pino-http: JSON lines on stdout, one per request (`request completed`) with requestId, instId, tranCode, respCode,
 * status and durationMs. Headers and bodies are never serialized (the request serializer keeps method and path only);
 * the redaction paths are a second line of defence should a header object or a body ever be logged.
 */
export function httpLoggerOptions(level: LogLevel): Options {
  return {
    level,
    timestamp: stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers["x-api-key"]',
        'req.headers.authorization',
        'req.headers.cookie',
        'headers["x-api-key"]',
        'headers.authorization',
        'req.body',
        'res.body',
        'body',
      ],
      censor: '[redacted]',
    },
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, path: pathOf(req) }),
      res: (res: ServerResponse) => ({ status: res.statusCode }),
      err: stdSerializers.err,
    },
    genReqId: (req: IncomingMessage) => (req as PartnerRequest).requestId ?? '',
    quietResLogger: true,
    customProps: (req: IncomingMessage, res: ServerResponse) => requestFields(req, res),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req: IncomingMessage, res: ServerResponse, value: { responseTime?: number }) =>
      outcome(req, res, value.responseTime ?? 0),
    customErrorObject: (req: IncomingMessage, res: ServerResponse, error: Error, value: { responseTime?: number }) => ({
      ...outcome(req, res, value.responseTime ?? 0),
      // The message only: the stack of an unexpected error is logged once, by the filter that caught it.
      error: error.message,
    }),
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: isQuiet },
  };
}

/**
 * nestjs-pino as Nest's logger: app logs inside a request go to that request's child logger (with its requestId).
 * The request logger itself is installed by installRequestObservers, ahead of every other middleware.
 */
export function loggerParams(level: LogLevel): Params {
  return { pinoHttp: httpLoggerOptions(level), useExisting: true, forRoutes: [{ path: '*path', method: RequestMethod.ALL }] };
}
