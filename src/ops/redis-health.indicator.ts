import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { PARTNER_RATE_LIMIT_STORAGE } from '../protocol/throttling';

const PING_TIMEOUT_MS = 1500;

/** Redis, when REDIS_URL put the rate-limit counters there: PING over the limiter's own connection. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(PARTNER_RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
  ) {}

  /** Whether readiness depends on Redis at all (in-memory counters need nothing). */
  get configured(): boolean {
    return this.storage instanceof ThrottlerStorageRedisService;
  }

  async pingCheck(key: 'redis'): Promise<HealthIndicatorResult<'redis'>> {
    const session = this.indicators.check(key);
    if (!(this.storage instanceof ThrottlerStorageRedisService)) return session.up({ message: 'not configured' });
    const redis = this.storage.redis;
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await Promise.race([
        redis.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        }),
      ]);
      return reply === 'PONG' ? session.up() : session.down({ message: `unexpected reply ${String(reply).slice(0, 20)}` });
    } catch (error) {
      return session.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
