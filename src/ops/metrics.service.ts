import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { RespCode } from '../protocol/errors';
import type { PartnerRequest } from '../protocol/partner-exchange';
import { isPartnerRequest, partnerOutcome } from './partner-outcome';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const CIPHER_FAILURES: ReadonlySet<string> = new Set([RespCode.SEC2001, RespCode.SEC2005]);

/**
 * The Prometheus metrics of this app instance, in a registry of its own (several apps may share a process in tests).
 * Partner requests are counted by operation and RespCode; other routes (admin, health) by route template and status.
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();

  private readonly partnerRequests = new Counter({
    name: 'gateway_partner_requests_total',
    help: 'Partner requests answered, by operation (operationId), RespCode and HTTP status',
    labelNames: ['operation', 'resp_code', 'status'] as const,
    registers: [this.registry],
  });

  private readonly partnerLatency = new Histogram({
    name: 'gateway_partner_request_duration_seconds',
    help: 'Time from receiving a partner request to the end of its answer, by operation and RespCode',
    labelNames: ['operation', 'resp_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly replays = new Counter({
    name: 'gateway_idempotent_replays_total',
    help: 'Repeated state-changing requests answered from the idempotency store (Idempotent-Replayed: true)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  private readonly rateLimited = new Counter({
    name: 'gateway_rate_limit_rejections_total',
    help: 'Partner requests refused by a rate limit (429 LMT4001)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  private readonly cipherFailures = new Counter({
    name: 'gateway_cipher_failures_total',
    help: 'Encrypted bodies refused: SEC2001 (bad base64, length, tag, MAC or padding) or SEC2005 (unsupported type/mode)',
    labelNames: ['resp_code', 'encrypt_type'] as const,
    registers: [this.registry],
  });

  private readonly httpRequests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'Requests outside the partner API (admin, health, docs), by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpLatency = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'Time to answer requests outside the partner API, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
  }

  /** Records one answered request; `seconds` from its arrival. */
  observe(req: IncomingMessage, res: ServerResponse, seconds: number): void {
    if (isPartnerRequest(req)) {
      const outcome = partnerOutcome(req, res);
      this.partnerRequests.inc({ operation: outcome.operation, resp_code: outcome.respCode, status: String(res.statusCode) });
      this.partnerLatency.observe({ operation: outcome.operation, resp_code: outcome.respCode }, seconds);
      if (outcome.replayed) this.replays.inc({ operation: outcome.operation });
      if (outcome.respCode === (RespCode.LMT4001 as string)) this.rateLimited.inc({ operation: outcome.operation });
      if (CIPHER_FAILURES.has(outcome.respCode))
        this.cipherFailures.inc({ resp_code: outcome.respCode, encrypt_type: outcome.encryptType });
      return;
    }
    const route = routeOf(req as PartnerRequest);
    this.httpRequests.inc({ method: req.method ?? 'GET', route, status: String(res.statusCode) });
    this.httpLatency.observe({ method: req.method ?? 'GET', route }, seconds);
  }
}

/** The matched route's template (`/admin/v1/institutions/:instId/keys`), never the raw path: label values stay few. */
function routeOf(req: PartnerRequest): string {
  const template = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof template === 'string') return template;
  const path = req.originalUrl?.split('?')[0] ?? '';
  if (path === '/docs' || path.startsWith('/docs/') || path === '/docs-json') return '/docs';
  return 'unmatched';
}
