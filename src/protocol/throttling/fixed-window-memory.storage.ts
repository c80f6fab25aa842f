import { OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Counter {
  hits: number;
  expiresAt: number;
}

const SWEEP_EVERY_MS = 30_000;

/**
 * The in-memory ThrottlerStorage for one instance. Our keys already carry their fixed window, so a counter
 * and its expiry are all a key needs: @nestjs/throttler's own memory storage keeps a timestamp per hit and
 * scans them on every increment, which grows with the limit (a raised override of 100,000 a minute made
 * each request walk up to 100,000 entries). Refused hits are not counted, like that storage with no block.
 */
export class FixedWindowMemoryStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS).unref();

  increment(key: string, ttl: number, limit: number, _blockDuration: number, _throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    let counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= now) {
      counter = { hits: 0, expiresAt: now + ttl };
      this.counters.set(key, counter);
    }
    const isBlocked = counter.hits >= limit;
    if (!isBlocked) counter.hits++;
    const timeToExpire = Math.max(0, Math.ceil((counter.expiresAt - now) / 1000));
    return Promise.resolve({
      totalHits: isBlocked ? counter.hits + 1 : counter.hits,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    });
  }

  /** Drops expired windows so keys of past minutes and days do not accumulate. */
  sweep(now = Date.now()): void {
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
  }

  get size(): number {
    return this.counters.size;
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
