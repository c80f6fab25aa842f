import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { FixedWindowMemoryStorage } from '../../src/protocol/throttling/fixed-window-memory.storage';
import { Test, TestingModule } from '@nestjs/testing';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { BusinessClock } from '../../src/common/business-clock';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { CoreModule } from '../../src/core/core.module';
import { PARTNER_RATE_LIMIT_STORAGE, PartnerRateLimiter, RateLimitDecision, ThrottlingModule } from '../../src/protocol/throttling';
import type { LimitOverride } from '../../src/reference/entities/limit-override.entity';
import { ReferenceModule } from '../../src/reference/reference.module';
import { ReferenceCache } from '../../src/reference/reference-cache';
import { ReferenceRepository } from '../../src/reference/reference.repository';
import { RedisServer, startRedisServer } from '../support/redis-server';

/**
 * Rate limits across several app instances (CONTRACT §9 "shared across instances", §12 REDIS_URL) on a
 * real redis-server. The limits' data source is faked: the counters are what is under test here.
 */

class FakeClock extends BusinessClock {
  private nowMs = Date.parse('2024-05-01T02:00:30.000Z');

  constructor() {
    super({ businessTz: 'Asia/Shanghai' });
  }

  set(iso: string): void {
    this.nowMs = Date.parse(iso);
  }

  override now(): Date {
    return new Date(this.nowMs);
  }
}

/** The overrides table both instances read, as they would share the database. */
class SharedOverrides {
  private rows: LimitOverride[] = [];

  listLimitOverrides(instId: string): Promise<LimitOverride[]> {
    return Promise.resolve(this.rows.filter((row) => row.instId === instId));
  }

  set(instId: string, tranCode: string, perKey: number | null, perInst: number | null): void {
    this.rows = this.rows.filter((row) => !(row.instId === instId && row.tranCode === tranCode));
    this.rows.push({ instId, tranCode, perKey, perInst, updatedAt: '2024-05-01T00:00:00.000Z' });
  }

  clear(): void {
    this.rows = [];
  }
}

const overrides = new SharedOverrides();
const clock = new FakeClock();

// Overrides change directly in these tests, so nothing is cached.
const passthroughCache = { limitOverrides: <T>(_instId: string, load: () => Promise<T>) => load() };

@Module({
  providers: [
    { provide: ReferenceRepository, useValue: overrides },
    { provide: ReferenceCache, useValue: passthroughCache },
  ],
  exports: [ReferenceRepository, ReferenceCache],
})
class FakeReferenceModule {}

interface AppInstance {
  module: TestingModule;
  limiter: PartnerRateLimiter;
  storage: ThrottlerStorage;
}

function testConfig(redisUrl: string | undefined): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'sqlite::memory:',
    SECRET_KEY: randomBytes(32).toString('base64'),
    BUSINESS_TZ: 'Asia/Shanghai',
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  });
}

/** One "app instance": its own module, its own storage and, with Redis, its own connection. */
async function startInstance(redisUrl: string | undefined): Promise<AppInstance> {
  const module = await Test.createTestingModule({ imports: [CoreModule.forRoot(testConfig(redisUrl)), ThrottlingModule] })
    .overrideModule(ReferenceModule)
    .useModule(FakeReferenceModule)
    .overrideProvider(BusinessClock)
    .useValue(clock)
    .compile();
  await module.init();
  return { module, limiter: module.get(PartnerRateLimiter), storage: module.get<ThrottlerStorage>(PARTNER_RATE_LIMIT_STORAGE) };
}

const allowedCount = (decisions: RateLimitDecision[]) => decisions.filter((d) => d.allowed).length;

describe('rate limits shared across instances through Redis', () => {
  let server: RedisServer;
  let admin: Redis;
  let a: AppInstance;
  let b: AppInstance;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });

  beforeEach(async () => {
    await admin.flushall();
    overrides.clear();
    clock.set('2024-05-01T02:00:30.000Z');
    [a, b] = await Promise.all([startInstance(server.url), startInstance(server.url)]);
  });

  afterEach(async () => {
    await Promise.all([a?.module.close(), b?.module.close()]);
  });

  it('builds a Redis storage with a connection of its own per instance', () => {
    expect(a.storage).toBeInstanceOf(ThrottlerStorageRedisService);
    expect(b.storage).toBeInstanceOf(ThrottlerStorageRedisService);
    expect((a.storage as ThrottlerStorageRedisService).redis).not.toBe((b.storage as ThrottlerStorageRedisService).redis);
  });

  it('shares a Pay BillKey counter: 5 calls split across the instances pass, the 6th is refused on either', async () => {
    const fields = { BillKey: 'K1' };
    const decisions = [
      await a.limiter.consume('Pay', 'I001', fields),
      await b.limiter.consume('Pay', 'I001', fields),
      await a.limiter.consume('Pay', 'I001', fields),
      await b.limiter.consume('Pay', 'I001', fields),
      await a.limiter.consume('Pay', 'I001', fields),
    ];
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 4],
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    const refused = { allowed: false, limit: 5, remaining: 0, resetSeconds: 30, retryAfterSeconds: 30 };
    await expect(a.limiter.consume('Pay', 'I001', fields)).resolves.toEqual(refused);
    await expect(b.limiter.consume('Pay', 'I001', fields)).resolves.toEqual(refused);
    await expect(b.limiter.consume('Pay', 'I001', { BillKey: 'K2' })).resolves.toMatchObject({ allowed: true, remaining: 4 });

    clock.set('2024-05-01T02:01:00.000Z');
    await expect(b.limiter.consume('Pay', 'I001', fields)).resolves.toMatchObject({ allowed: true, remaining: 4, resetSeconds: 60 });
  });

  it("keeps each counter under its window's key, expiring when the window ends; refusals do not extend it", async () => {
    for (let i = 0; i < 5; i++) await a.limiter.consume('Pay', 'I001', { BillKey: 'K1' });
    const windowStart = Date.parse('2024-05-01T02:00:00.000Z');
    const [hitKey] = await admin.keys(`{lmt:Pay:BillKey:*:m${windowStart}:partner}:hits`);
    expect(hitKey).toBeDefined();
    const ttlBefore = await admin.pttl(hitKey);
    expect(ttlBefore).toBeGreaterThan(25_000);
    expect(ttlBefore).toBeLessThanOrEqual(30_000);

    for (let i = 0; i < 3; i++)
      await expect(b.limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: false });
    const blockKey = hitKey.replace(/:hits$/, ':blocked');
    expect(await admin.pttl(hitKey)).toBeLessThanOrEqual(ttlBefore);
    expect(await admin.pttl(blockKey)).toBeLessThanOrEqual(30_000);
    expect(await admin.pttl(blockKey)).toBeGreaterThan(0);
    expect(await admin.keys('*')).toEqual(expect.arrayContaining([hitKey, blockKey]));
  });

  it('admits exactly the limit among 50 concurrent calls on both instances, and the refused ones do not count per InstId', async () => {
    overrides.set('I001', 'Query', null, 12);
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).limiter.consume('Query', 'I001', { BillKey: 'HOT' })),
    );
    expect(allowedCount(decisions)).toBe(10);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.limit === 10 && d.retryAfterSeconds === 30)).toBe(true);

    const others = [
      await a.limiter.consume('Query', 'I001', { BillKey: 'K1' }),
      await b.limiter.consume('Query', 'I001', { BillKey: 'K2' }),
      await a.limiter.consume('Query', 'I001', { BillKey: 'K3' }),
    ];
    expect(others.map((d) => [d.allowed, d.limit, d.remaining])).toEqual([
      [true, 12, 1],
      [true, 12, 0],
      [false, 12, 0],
    ]);
  });

  it('admits exactly 10 of 50 concurrent SendDisc calls an hour for one institution', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).limiter.consume('SendDisc', 'I001', {})),
    );
    expect(allowedCount(decisions)).toBe(10);
  });

  it('applies an admin override at once on every instance, and null restores the default', async () => {
    overrides.set('I001', 'Pay', 2, null);
    await expect(a.limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true, limit: 2 });
    await expect(b.limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true, limit: 2, remaining: 0 });
    await expect(a.limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: false, limit: 2 });

    overrides.set('I001', 'Pay', null, null);
    // Redis counts every call that reaches the limit, the refused one too: 3 of 5 used.
    await expect(b.limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true, limit: 5, remaining: 1 });
  });

  it('rolls a day window over at business midnight on both instances', async () => {
    clock.set('2024-05-01T15:59:59.000Z');
    await expect(a.limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toMatchObject({ allowed: true });
    await expect(b.limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toMatchObject({
      allowed: false,
      retryAfterSeconds: 1,
    });
    clock.set('2024-05-01T16:00:00.000Z');
    await expect(b.limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toMatchObject({ allowed: true });
  });

  it('closes its Redis connection when the module is destroyed', async () => {
    const redis = (a.storage as ThrottlerStorageRedisService).redis;
    await a.limiter.consume('Pay', 'I001', { BillKey: 'K1' });
    expect(redis.status).toBe('ready');
    await a.module.close();
    expect(redis.status).toBe('end');
    await expect(b.limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true, remaining: 3 });
  });
});

describe('ThrottlerStorageRedisService semantics the limiter relies on', () => {
  let server: RedisServer;
  let storage: ThrottlerStorageRedisService;

  beforeAll(async () => {
    server = await startRedisServer();
    storage = new ThrottlerStorageRedisService(server.url);
  });

  afterAll(async () => {
    storage?.onModuleDestroy();
    await server?.stop();
  });

  it('counts every call, refused ones too, and takes ttl and blockDuration in ms while returning seconds', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await storage.increment('semantics', 30_000, 2, 30_000, 'partner'));
    expect(results.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, true],
    ]);
    expect(results[3].timeToExpire).toBeLessThanOrEqual(30);
    expect(results[3].timeToExpire).toBeGreaterThan(25);
    expect(results[3].timeToBlockExpire).toBeLessThanOrEqual(30);
    // A later call with a longer ttl does not move the expiry of an existing counter.
    await expect(storage.increment('semantics', 600_000, 2, 600_000, 'partner')).resolves.toMatchObject({ totalHits: 5 });
    expect(await storage.redis.pttl('{semantics:partner}:hits')).toBeLessThanOrEqual(30_000);
  });

  it('rejects a blockDuration of 0 once over the limit (SET … PX 0), which is why the limiter passes the rest of the window', async () => {
    await storage.increment('zero-block', 30_000, 1, 0, 'partner');
    await expect(storage.increment('zero-block', 30_000, 1, 0, 'partner')).rejects.toThrow(/invalid expire time/);
  });
});

describe('rate limits with the default in-memory storage', () => {
  let a: AppInstance;
  let b: AppInstance;

  beforeEach(async () => {
    overrides.clear();
    clock.set('2024-05-01T02:00:30.000Z');
    [a, b] = await Promise.all([startInstance(undefined), startInstance(undefined)]);
  });

  afterEach(async () => {
    await Promise.all([a?.module.close(), b?.module.close()]);
  });

  it('does not share counters between instances, which is why several instances need REDIS_URL', async () => {
    expect(a.storage).toBeInstanceOf(FixedWindowMemoryStorage);
    const onA = [];
    const onB = [];
    for (let i = 0; i < 6; i++) onA.push(await a.limiter.consume('Pay', 'I001', { BillKey: 'K1' }));
    for (let i = 0; i < 6; i++) onB.push(await b.limiter.consume('Pay', 'I001', { BillKey: 'K1' }));
    // Each instance admits the full limit of 5: 10 payments of one BillKey in a minute instead of 5.
    expect(allowedCount(onA)).toBe(5);
    expect(allowedCount(onB)).toBe(5);
  });
});
