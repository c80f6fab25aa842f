import { Inject, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ReferenceModule } from '../../reference/reference.module';
import { FixedWindowMemoryStorage } from './fixed-window-memory.storage';
import { PARTNER_RATE_LIMIT_STORAGE, PartnerRateLimiter } from './partner-rate-limiter';

/**
 * Counters in this process's memory unless REDIS_URL is set; several instances need Redis to share them.
 * The Redis client is ours (not the storage's) so that this module closes it.
 */
export function createRateLimitStorage(config: Pick<AppConfig, 'redisUrl'>): ThrottlerStorage {
  if (!config.redisUrl) return new FixedWindowMemoryStorage();
  const logger = new Logger('RateLimitRedis');
  // Fail a request after one reconnect attempt instead of queueing it for the default 20.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectionName: 'gateway-rate-limit' });
  redis.on('error', (error: Error) => logger.warn(`Redis: ${error.message}`));
  return new ThrottlerStorageRedisService(redis);
}

@Module({
  imports: [ReferenceModule],
  providers: [{ provide: PARTNER_RATE_LIMIT_STORAGE, inject: [APP_CONFIG], useFactory: createRateLimitStorage }, PartnerRateLimiter],
  exports: [PartnerRateLimiter, PARTNER_RATE_LIMIT_STORAGE],
})
export class ThrottlingModule implements OnModuleDestroy {
  constructor(@Inject(PARTNER_RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage) {}

  async onModuleDestroy(): Promise<void> {
    if (!(this.storage instanceof ThrottlerStorageRedisService)) return;
    await closeRedis(this.storage.redis);
  }
}

/** QUIT when connected (pending replies first), else drop the connection; resolves once it has ended. */
async function closeRedis(redis: ThrottlerStorageRedisService['redis']): Promise<void> {
  if (redis.status === 'end') return;
  const ended = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    redis.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
  await ended;
}

const CLOSE_TIMEOUT_MS = 2000;
