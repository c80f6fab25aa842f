import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { BusinessClock } from '../../common/business-clock';
import type { LimitOverride } from '../../reference/entities/limit-override.entity';
import type { ReferenceCache } from '../../reference/reference-cache';
import type { ReferenceRepository } from '../../reference/reference.repository';
import type { TranCode } from '../partner-operation';
import { PARTNER_LIMITS } from './partner-limits';
import { PartnerRateLimiter, RateLimitDecision, rateLimitHeaders } from './partner-rate-limiter';

/** The business clock under test control; Date follows it so the in-memory storage's own expiry agrees. */
class FakeClock extends BusinessClock {
  private nowMs = 0;

  constructor(timeZone: string) {
    super({ businessTz: timeZone });
  }

  set(iso: string): void {
    this.nowMs = Date.parse(iso);
    jest.setSystemTime(this.nowMs);
  }

  override now(): Date {
    return new Date(this.nowMs);
  }
}

class FakeReferenceRepository {
  private rows: LimitOverride[] = [];

  readonly listLimitOverrides = jest.fn((instId: string) => Promise.resolve(this.rows.filter((row) => row.instId === instId)));

  setOverride(instId: string, tranCode: string, perKey: number | null, perInst: number | null): void {
    this.rows = this.rows.filter((row) => !(row.instId === instId && row.tranCode === tranCode));
    this.rows.push({ instId, tranCode, perKey, perInst, updatedAt: '2024-05-01T00:00:00.000Z' });
  }
}

interface Setup {
  limiter: PartnerRateLimiter;
  clock: FakeClock;
  repo: FakeReferenceRepository;
  storage: ThrottlerStorage;
}

function setup(timeZone = 'Asia/Shanghai', storage: ThrottlerStorage = new ThrottlerStorageService()): Setup {
  const clock = new FakeClock(timeZone);
  clock.set('2024-05-01T02:00:30.000Z');
  const repo = new FakeReferenceRepository();
  // No caching here: these specs change overrides directly, not through the admin service that drops the cache.
  const passthrough = { limitOverrides: <T>(_instId: string, load: () => Promise<T>) => load() } as unknown as ReferenceCache;
  const limiter = new PartnerRateLimiter(storage, repo as unknown as ReferenceRepository, clock, { businessTz: timeZone }, passthrough);
  return { limiter, clock, repo, storage };
}

async function consumeTimes<T = RateLimitDecision>(n: number, consume: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < n; i++) results.push(await consume(i));
  return results;
}

const allowedCount = (decisions: RateLimitDecision[]) => decisions.filter((d) => d.allowed).length;

let storages: ThrottlerStorageService[] = [];

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
});

afterEach(() => {
  for (const storage of storages) storage.onApplicationShutdown();
  storages = [];
  jest.useRealTimers();
});

function memoryStorage(): ThrottlerStorageService {
  const storage = new ThrottlerStorageService();
  storages.push(storage);
  return storage;
}

describe('PartnerRateLimiter defaults (CONTRACT §9)', () => {
  it.each<[TranCode, 'BillKey' | 'OriginalTranSeq' | 'AgreementNo', number]>([
    ['Query', 'BillKey', 10],
    ['Pay', 'BillKey', 5],
    ['PayInvalid', 'OriginalTranSeq', 1],
    ['Signing', 'BillKey', 5],
    ['Termination', 'AgreementNo', 1],
  ])(
    '%s allows %s-keyed requests up to its per-key limit (%i), refuses the next, and counts another key apart',
    async (tranCode, keyField, limit) => {
      const { limiter } = setup('Asia/Shanghai', memoryStorage());
      const first = await consumeTimes(limit, () => limiter.consume(tranCode, 'I001', { [keyField]: 'K1' }));
      expect(first.every((d) => d.allowed)).toBe(true);

      const refused = await limiter.consume(tranCode, 'I001', { [keyField]: 'K1' });
      expect(refused).toMatchObject({ allowed: false, limit, remaining: 0 });
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);

      const other = await consumeTimes(limit, () => limiter.consume(tranCode, 'I001', { [keyField]: 'K2' }));
      expect(allowedCount(other)).toBe(limit);
      await expect(limiter.consume(tranCode, 'I001', { [keyField]: 'K2' })).resolves.toMatchObject({ allowed: false });
    },
  );

  it.each<[TranCode, number]>([
    ['Query', 1000],
    ['Pay', 500],
    ['PayInvalid', 100],
    ['Signing', 50],
    ['Termination', 20],
  ])('%s allows %i requests a minute per InstId across keys and refuses the next', async (tranCode, limit) => {
    const { limiter, clock } = setup('Asia/Shanghai', memoryStorage());
    const keyField = PARTNER_LIMITS[tranCode].perKey!.keyField;
    const decisions = await consumeTimes(limit, (i) => limiter.consume(tranCode, 'I001', { [keyField]: `K${i}` }));
    expect(allowedCount(decisions)).toBe(limit);

    await expect(limiter.consume(tranCode, 'I001', { [keyField]: 'fresh' })).resolves.toMatchObject({
      allowed: false,
      limit,
      remaining: 0,
    });
    await expect(limiter.consume(tranCode, 'I002', { [keyField]: 'fresh' })).resolves.toMatchObject({ allowed: true });

    clock.set('2024-05-01T02:01:00.000Z');
    await expect(limiter.consume(tranCode, 'I001', { [keyField]: 'next' })).resolves.toMatchObject({ allowed: true });
  });

  it.each<TranCode>(['PayQuery', 'PayCheck', 'AgreementQuery', 'BackDisc', 'CancelDisc', 'DiscQuery'])(
    '%s allows 600 requests a minute per InstId and refuses the 601st',
    async (tranCode) => {
      const { limiter, clock } = setup('Asia/Shanghai', memoryStorage());
      const decisions = await consumeTimes(600, () => limiter.consume(tranCode, 'I001', { BillKey: 'K1' }));
      expect(allowedCount(decisions)).toBe(600);
      expect(decisions[0]).toMatchObject({ limit: 600, remaining: 599 });

      await expect(limiter.consume(tranCode, 'I001', {})).resolves.toMatchObject({ allowed: false, limit: 600, remaining: 0 });
      clock.set('2024-05-01T02:01:00.000Z');
      await expect(limiter.consume(tranCode, 'I001', {})).resolves.toMatchObject({ allowed: true, remaining: 599 });
    },
  );

  it('SendDisc allows 10 an hour per InstId, whatever its fields', async () => {
    const { limiter, clock } = setup('Asia/Shanghai', memoryStorage());
    clock.set('2024-05-01T02:00:00.000Z');
    const decisions = await consumeTimes(10, (i) => limiter.consume('SendDisc', 'I001', { BatchNo: `B${i}`, BillKey: `K${i}` }));
    expect(allowedCount(decisions)).toBe(10);
    expect(decisions[0]).toMatchObject({ limit: 10, remaining: 9, resetSeconds: 3600 });

    clock.set('2024-05-01T02:59:59.000Z');
    await expect(limiter.consume('SendDisc', 'I001', {})).resolves.toEqual({
      allowed: false,
      limit: 10,
      remaining: 0,
      resetSeconds: 1,
      retryAfterSeconds: 1,
    });
    clock.set('2024-05-01T03:00:00.000Z');
    await expect(limiter.consume('SendDisc', 'I001', {})).resolves.toMatchObject({ allowed: true, remaining: 9, resetSeconds: 3600 });
  });

  it('keeps a per-key day limit through minute boundaries: the 6th Signing of a BillKey waits for the next business day', async () => {
    const { limiter, clock } = setup('Asia/Shanghai', memoryStorage());
    clock.set('2024-05-01T04:00:00.000Z'); // 12:00 in Shanghai
    await consumeTimes(5, () => limiter.consume('Signing', 'I001', { BillKey: 'K1' }));
    clock.set('2024-05-01T05:00:00.000Z');
    await expect(limiter.consume('Signing', 'I001', { BillKey: 'K1' })).resolves.toEqual({
      allowed: false,
      limit: 5,
      remaining: 0,
      resetSeconds: 11 * 3600,
      retryAfterSeconds: 11 * 3600,
    });
  });
});

describe('PartnerRateLimiter binding limit and counting', () => {
  it('reports the limit closest to refusing: the per-key one on a fresh institution', async () => {
    const { limiter } = setup('Asia/Shanghai', memoryStorage());
    await expect(limiter.consume('Query', 'I001', { BillKey: 'K1' })).resolves.toEqual({
      allowed: true,
      limit: 10,
      remaining: 9,
      resetSeconds: 30,
    });
  });

  it('reports the per-institution limit once it has fewer left', async () => {
    const { limiter, repo } = setup('Asia/Shanghai', memoryStorage());
    repo.setOverride('I001', 'Pay', null, 3);
    const decisions = await consumeTimes(4, (i) => limiter.consume('Pay', 'I001', { BillKey: `K${i}` }));
    expect(decisions.map((d) => [d.allowed, d.limit, d.remaining])).toEqual([
      [true, 3, 2],
      [true, 3, 1],
      [true, 3, 0],
      [false, 3, 0],
    ]);
  });

  it('does not count a request the per-key limit refuses against the institution', async () => {
    const { limiter } = setup('Asia/Shanghai', memoryStorage());
    const sameKey = await consumeTimes(100, () => limiter.consume('Pay', 'I001', { BillKey: 'HOT' }));
    expect(allowedCount(sameKey)).toBe(5);

    const others = await consumeTimes(495, (i) => limiter.consume('Pay', 'I001', { BillKey: `K${i}` }));
    expect(allowedCount(others)).toBe(495);
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'LAST' })).resolves.toMatchObject({ allowed: false, limit: 500 });
  });

  it('counts the request against the per-key limit when the institution limit refuses it', async () => {
    const { limiter, repo } = setup('Asia/Shanghai', memoryStorage());
    repo.setOverride('I001', 'Pay', null, 1);
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true });
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: false, limit: 1 });
    repo.setOverride('I001', 'Pay', null, null);
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true, limit: 5, remaining: 2 });
  });

  it.each<[string, Record<string, unknown>]>([
    ['absent', {}],
    ['empty', { BillKey: '' }],
    ['blank', { BillKey: '   ' }],
    ['null', { BillKey: null }],
    ['an object', { BillKey: { nested: 'K1' } }],
  ])('skips the per-key limit when the key field is %s', async (_label, fields) => {
    const { limiter } = setup('Asia/Shanghai', memoryStorage());
    const decisions = await consumeTimes(12, () => limiter.consume('Query', 'I001', fields));
    expect(allowedCount(decisions)).toBe(12);
    expect(decisions[11]).toMatchObject({ limit: 1000, remaining: 988 });
  });

  it('counts a numeric key field like its text', async () => {
    const { limiter } = setup('Asia/Shanghai', memoryStorage());
    await consumeTimes(5, () => limiter.consume('Pay', 'I001', { BillKey: 12345 }));
    await expect(limiter.consume('Pay', 'I001', { BillKey: '12345' })).resolves.toMatchObject({ allowed: false });
  });

  it('keeps institutions apart for the same key, and keys unambiguous whatever they contain', async () => {
    const { limiter } = setup('Asia/Shanghai', memoryStorage());
    await consumeTimes(5, () => limiter.consume('Pay', 'I1', { BillKey: 'x:y' }));
    await expect(limiter.consume('Pay', 'I1', { BillKey: 'x:y' })).resolves.toMatchObject({ allowed: false });
    await expect(limiter.consume('Pay', 'I1:x', { BillKey: 'y' })).resolves.toMatchObject({ allowed: true });
    await expect(limiter.consume('Pay', 'I2', { BillKey: 'x:y' })).resolves.toMatchObject({ allowed: true });
    await expect(limiter.consume('Query', 'I1', { BillKey: 'x:y' })).resolves.toMatchObject({ allowed: true });
  });

  it('gives the storage a bounded key with the window start, the ms left as ttl, and blockDuration 0 in memory', async () => {
    const storage = memoryStorage();
    const increment = jest.spyOn(storage, 'increment');
    const { limiter, clock } = setup('Asia/Shanghai', storage);
    clock.set('2024-05-01T02:00:30.250Z');
    await limiter.consume('Pay', 'I001', { BillKey: 'K'.repeat(5000) });

    const windowStart = Date.parse('2024-05-01T02:00:00.000Z');
    expect(increment.mock.calls).toEqual([
      [expect.stringMatching(new RegExp(`^lmt:Pay:BillKey:[A-Za-z0-9_-]{22}:m${windowStart}$`)), 29_750, 5, 0, 'partner'],
      [expect.stringMatching(new RegExp(`^lmt:Pay:InstId:[A-Za-z0-9_-]{22}:m${windowStart}$`)), 29_750, 500, 0, 'partner'],
    ]);
  });

  it('on a storage that counts every call (as the Redis one does) blocks to the end of the window and decides by the count', async () => {
    const counts = new Map<string, number>();
    const storage: ThrottlerStorage = {
      increment: jest.fn((key: string, ttl: number, limit: number) => {
        const totalHits = (counts.get(key) ?? 0) + 1;
        counts.set(key, totalHits);
        return Promise.resolve({ totalHits, timeToExpire: Math.ceil(ttl / 1000), isBlocked: totalHits > limit, timeToBlockExpire: 0 });
      }),
    };
    const { limiter, repo } = setup('Asia/Shanghai', storage);
    const decisions = await consumeTimes(3, () => limiter.consume('PayInvalid', 'I001', { OriginalTranSeq: 'T1' }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, false, false]);
    expect(storage.increment).toHaveBeenNthCalledWith(3, expect.stringContaining(':OriginalTranSeq:'), 30_000, 1, 30_000, 'partner');

    repo.setOverride('I001', 'PayInvalid', 5, null);
    await expect(limiter.consume('PayInvalid', 'I001', { OriginalTranSeq: 'T1' })).resolves.toMatchObject({ allowed: true, remaining: 1 });
  });
});

describe('PartnerRateLimiter windows', () => {
  it('rolls a minute window over exactly at the minute boundary, with Retry-After counting down to it', async () => {
    const { limiter, clock } = setup('Asia/Shanghai', memoryStorage());
    clock.set('2024-05-01T02:00:30.250Z');
    await consumeTimes(5, () => limiter.consume('Pay', 'I001', { BillKey: 'K1' }));
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toEqual({
      allowed: false,
      limit: 5,
      remaining: 0,
      resetSeconds: 30,
      retryAfterSeconds: 30,
    });

    clock.set('2024-05-01T02:00:59.000Z');
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.set('2024-05-01T02:00:59.999Z');
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: false, retryAfterSeconds: 1 });

    // The refusals did not extend the window nor eat into the next one.
    clock.set('2024-05-01T02:01:00.000Z');
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toEqual({
      allowed: true,
      limit: 5,
      remaining: 4,
      resetSeconds: 60,
    });
  });

  it('rolls a day window over at business midnight in Asia/Shanghai (16:00 UTC)', async () => {
    const { limiter, clock } = setup('Asia/Shanghai', memoryStorage());
    clock.set('2024-05-01T15:59:58.500Z');
    await expect(limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toMatchObject({ allowed: true, resetSeconds: 2 });
    clock.set('2024-05-01T15:59:59.999Z');
    await expect(limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toEqual({
      allowed: false,
      limit: 1,
      remaining: 0,
      resetSeconds: 1,
      retryAfterSeconds: 1,
    });
    clock.set('2024-05-01T16:00:00.000Z');
    await expect(limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toMatchObject({
      allowed: true,
      limit: 1,
      remaining: 0,
      resetSeconds: 86_400,
    });
  });

  it('runs a 23-hour business day in Europe/Berlin when the clocks spring forward', async () => {
    const { limiter, clock } = setup('Europe/Berlin', memoryStorage());
    clock.set('2024-03-31T00:30:00.000Z'); // 01:30 CET, half an hour before the change
    await consumeTimes(5, () => limiter.consume('Signing', 'I001', { BillKey: 'K1' }));
    await expect(limiter.consume('Signing', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({
      allowed: false,
      retryAfterSeconds: 21.5 * 3600,
    });
    clock.set('2024-03-31T21:59:59.500Z'); // 23:59:59.5 CEST
    await expect(limiter.consume('Signing', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.set('2024-03-31T22:00:00.000Z'); // midnight CEST
    await expect(limiter.consume('Signing', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true, remaining: 4 });
  });

  it('runs a 25-hour business day in Europe/Berlin when the clocks fall back', async () => {
    const { limiter, clock } = setup('Europe/Berlin', memoryStorage());
    clock.set('2024-10-26T22:00:00.000Z'); // midnight CEST, 27 October
    await expect(limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toMatchObject({ resetSeconds: 25 * 3600 });
    clock.set('2024-10-27T22:30:00.000Z'); // 23:30 CET, still the 27th
    await expect(limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toMatchObject({
      allowed: false,
      retryAfterSeconds: 1800,
    });
    clock.set('2024-10-27T23:00:00.000Z');
    await expect(limiter.consume('Termination', 'I001', { AgreementNo: 'A1' })).resolves.toMatchObject({ allowed: true });
  });
});

describe('PartnerRateLimiter overrides (CONTRACT §11)', () => {
  it('reads the overrides on every call, so a change applies to the next request; null restores the default', async () => {
    const { limiter, repo } = setup('Asia/Shanghai', memoryStorage());
    repo.setOverride('I001', 'Query', 3, null);
    const decisions = await consumeTimes(4, () => limiter.consume('Query', 'I001', { BillKey: 'K1' }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]).toMatchObject({ limit: 3, remaining: 0 });

    repo.setOverride('I001', 'Query', null, null);
    await expect(limiter.consume('Query', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true, limit: 10, remaining: 6 });
    expect(repo.listLimitOverrides).toHaveBeenCalledTimes(5);
    expect(repo.listLimitOverrides).toHaveBeenLastCalledWith('I001');
  });

  it('lowers a limit in the middle of a window', async () => {
    const { limiter, repo } = setup('Asia/Shanghai', memoryStorage());
    await consumeTimes(3, () => limiter.consume('SendDisc', 'I001', {}));
    repo.setOverride('I001', 'SendDisc', null, 3);
    await expect(limiter.consume('SendDisc', 'I001', {})).resolves.toMatchObject({ allowed: false, limit: 3 });
    repo.setOverride('I001', 'SendDisc', null, 20);
    await expect(limiter.consume('SendDisc', 'I001', {})).resolves.toMatchObject({ allowed: true, limit: 20, remaining: 16 });
  });

  it('ignores a perKey override on an operation without a per-key limit', async () => {
    const { limiter, repo } = setup('Asia/Shanghai', memoryStorage());
    repo.setOverride('I001', 'SendDisc', 1, null);
    repo.setOverride('I001', 'PayQuery', 1, 2);
    const sendDisc = await consumeTimes(11, () => limiter.consume('SendDisc', 'I001', { BillKey: 'K1' }));
    expect(sendDisc.map((d) => d.allowed)).toEqual([...Array<boolean>(10).fill(true), false]);
    expect(sendDisc[10]).toMatchObject({ limit: 10 });

    const payQuery = await consumeTimes(3, () => limiter.consume('PayQuery', 'I001', { BillKey: 'K1' }));
    expect(payQuery.map((d) => [d.allowed, d.limit])).toEqual([
      [true, 2],
      [true, 2],
      [false, 2],
    ]);
  });

  it("applies only the institution's own override for that TranCode", async () => {
    const { limiter, repo } = setup('Asia/Shanghai', memoryStorage());
    repo.setOverride('I002', 'Pay', 1, 1);
    repo.setOverride('I001', 'Query', 1, 1);
    const decisions = await consumeTimes(6, () => limiter.consume('Pay', 'I001', { BillKey: 'K1' }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it('refuses everything at a limit of 0 and keeps the default for a value that is not a limit', async () => {
    const { limiter, repo } = setup('Asia/Shanghai', memoryStorage());
    repo.setOverride('I001', 'Pay', 0, null);
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: false, limit: 0, remaining: 0 });
    repo.setOverride('I001', 'Pay', -1, 2.5);
    await expect(limiter.consume('Pay', 'I001', { BillKey: 'K1' })).resolves.toMatchObject({ allowed: true, limit: 5, remaining: 4 });
  });
});

describe('rateLimitHeaders', () => {
  it('gives the limit, remaining and reset as strings on success', () => {
    expect(rateLimitHeaders({ allowed: true, limit: 10, remaining: 9, resetSeconds: 30 })).toEqual({
      'X-RateLimit-Limit': '10',
      'X-RateLimit-Remaining': '9',
      'X-RateLimit-Reset': '30',
    });
  });

  it('adds Retry-After on a refusal', () => {
    expect(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetSeconds: 7, retryAfterSeconds: 7 })).toEqual({
      'X-RateLimit-Limit': '5',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '7',
      'Retry-After': '7',
    });
  });
});

describe('ThrottlerStorageService semantics the limiter relies on', () => {
  it('with blockDuration 0 counts only admitted hits and compares with the limit given on each call', async () => {
    const storage = memoryStorage();
    jest.setSystemTime(Date.parse('2024-05-01T00:00:00Z'));
    const hits = await consumeTimes(4, () => storage.increment('k', 60_000, 2, 0, 'partner'));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [3, true],
    ]);
    await expect(storage.increment('k', 60_000, 3, 0, 'partner')).resolves.toMatchObject({ totalHits: 3, isBlocked: false });
    // ttl is in milliseconds; timeToExpire comes back in whole seconds.
    jest.setSystemTime(Date.parse('2024-05-01T00:00:59.999Z'));
    await expect(storage.increment('k', 60_000, 3, 0, 'partner')).resolves.toMatchObject({ totalHits: 4, timeToExpire: 1 });
    jest.setSystemTime(Date.parse('2024-05-01T00:01:00.000Z'));
    await expect(storage.increment('k', 60_000, 3, 0, 'partner')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('with a blockDuration freezes the count once blocked, so a raised limit would not apply (why the limiter passes 0 here)', async () => {
    const storage = memoryStorage();
    await consumeTimes(3, () => storage.increment('k', 60_000, 2, 60_000, 'partner'));
    await expect(storage.increment('k', 60_000, 10, 60_000, 'partner')).resolves.toMatchObject({ totalHits: 3, isBlocked: true });
  });
});
