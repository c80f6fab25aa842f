import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { BusinessClock } from '../../common/business-clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ReferenceCache } from '../../reference/reference-cache';
import { FixedWindowMemoryStorage } from './fixed-window-memory.storage';
import { ReferenceRepository } from '../../reference/reference.repository';
import type { TranCode } from '../partner-operation';
import { FixedWindows } from './fixed-window';
import { effectiveLimits, LimitWindow } from './partner-limits';

/** The ThrottlerStorage the counters live in: in memory by default, Redis when REDIS_URL is set. */
export const PARTNER_RATE_LIMIT_STORAGE = Symbol('PARTNER_RATE_LIMIT_STORAGE');

/** The throttler name passed to the storage; part of every counter's key there. */
const THROTTLER_NAME = 'partner';

/** The outcome of one request against the binding limit: the one that refused it, else the one closest to refusing. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until the binding limit's window ends, ≥ 1. */
  resetSeconds: number;
  /** Set when refused: the same whole seconds, for `Retry-After`. */
  retryAfterSeconds?: number;
}

export interface RateLimitHeaders {
  'X-RateLimit-Limit': string;
  'X-RateLimit-Remaining': string;
  'X-RateLimit-Reset': string;
  'Retry-After'?: string;
}

/** The headers of CONTRACT §2 for a throttled route; `Retry-After` only on a refusal. */
export function rateLimitHeaders(decision: RateLimitDecision): RateLimitHeaders {
  const headers: RateLimitHeaders = {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(decision.resetSeconds),
  };
  if (!decision.allowed) headers['Retry-After'] = String(decision.retryAfterSeconds ?? decision.resetSeconds);
  return headers;
}

interface Counter {
  /** Which limit: `BillKey`, `OriginalTranSeq`, `AgreementNo` or `InstId`. */
  scope: string;
  /** What it counts by, hashed into the key: [InstId] or [InstId, key value]. */
  subject: readonly string[];
  limit: number;
  window: LimitWindow;
}

/**
 * The per-key and per-institution limits of CONTRACT §9 on fixed windows, counted in a ThrottlerStorage
 * whose key carries the window, so instances sharing Redis share each window's counter. Called once a
 * request reaches the rate-limit step (§1): the per-key limit first; a request it refuses is not counted
 * against the institution's limit.
 */
@Injectable()
export class PartnerRateLimiter {
  private readonly windows: FixedWindows;
  /**
   * With blockDuration 0 the in-memory storage counts only admitted hits and compares with the limit
   * passed on each call, so a changed limit applies at once. The Redis script counts every call (INCR) and
   * rejects `PX 0`; there the block lasts to the window's end and the decision is made from the count, so
   * neither storage ever extends a window.
   */
  private readonly passesZeroBlockDuration: boolean;

  constructor(
    @Inject(PARTNER_RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
    private readonly reference: ReferenceRepository,
    private readonly clock: BusinessClock,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'businessTz'>,
    private readonly cache: ReferenceCache,
  ) {
    this.windows = new FixedWindows(config.businessTz);
    this.passesZeroBlockDuration = storage instanceof ThrottlerStorageService || storage instanceof FixedWindowMemoryStorage;
  }

  async consume(tranCode: TranCode, instId: string, fields: Record<string, unknown>): Promise<RateLimitDecision> {
    // An admin change drops the cached overrides on commit here; other instances see it within OVERRIDE_TTL_MS.
    const overrides = await this.cache.limitOverrides(instId, () => this.reference.listLimitOverrides(instId));
    const override = overrides.find((row) => row.tranCode === tranCode);
    const limits = effectiveLimits(tranCode, override);
    const nowMs = this.clock.now().getTime();

    const decisions: RateLimitDecision[] = [];
    const keyValue = limits.perKey && keyFieldValue(fields[limits.perKey.keyField]);
    if (limits.perKey && keyValue !== undefined) {
      const perKey = await this.count(tranCode, { scope: limits.perKey.keyField, subject: [instId, keyValue], ...limits.perKey }, nowMs);
      if (!perKey.allowed) return perKey;
      decisions.push(perKey);
    }
    const perInst = await this.count(tranCode, { scope: 'InstId', subject: [instId], ...limits.perInst }, nowMs);
    if (!perInst.allowed) return perInst;
    decisions.push(perInst);
    return decisions.reduce(binding);
  }

  private async count(tranCode: TranCode, counter: Counter, nowMs: number): Promise<RateLimitDecision> {
    const window = this.windows.current(counter.window, nowMs);
    const msLeft = window.endMs - nowMs;
    const key = `lmt:${tranCode}:${counter.scope}:${digest(counter.subject)}:${window.id}`;
    const record = await this.storage.increment(key, msLeft, counter.limit, this.passesZeroBlockDuration ? 0 : msLeft, THROTTLER_NAME);
    const resetSeconds = Math.max(1, Math.ceil(msLeft / 1000));
    const allowed = record.totalHits <= counter.limit;
    return {
      allowed,
      limit: counter.limit,
      remaining: Math.max(0, counter.limit - record.totalHits),
      resetSeconds,
      ...(allowed ? {} : { retryAfterSeconds: resetSeconds }),
    };
  }
}

/** The one that will refuse first: fewest remaining, then the longer wait. */
function binding(a: RateLimitDecision, b: RateLimitDecision): RateLimitDecision {
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? a : b;
  return a.resetSeconds >= b.resetSeconds ? a : b;
}

/** A key field's value as text; absent, empty or non-scalar values skip the per-key limit. */
function keyFieldValue(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return undefined;
  const text = String(value);
  return text.trim() === '' ? undefined : text;
}

/** Keys stay short and unambiguous whatever a partner sends: the values are hashed, as a JSON array. */
function digest(subject: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(subject)).digest('base64url').slice(0, 22);
}
