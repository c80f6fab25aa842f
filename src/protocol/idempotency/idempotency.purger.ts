import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IdempotencyStore } from './idempotency.store';

const PURGE_EVERY_MS = 60 * 60 * 1000;

/** Deletes idempotency records past their retention, hourly. */
@Injectable()
export class IdempotencyPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: IdempotencyStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(now = new Date()): Promise<number> {
    try {
      const purged = await this.store.purgeExpired(now);
      if (purged > 0) this.logger.log(`purged ${purged} expired idempotency records`);
      return purged;
    } catch (error) {
      this.logger.error(`purge failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
