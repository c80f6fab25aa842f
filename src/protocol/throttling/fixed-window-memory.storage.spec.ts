import { FixedWindowMemoryStorage } from './fixed-window-memory.storage';

describe('FixedWindowMemoryStorage', () => {
  let storage: FixedWindowMemoryStorage;
  let now: number;

  beforeEach(() => {
    storage = new FixedWindowMemoryStorage();
    now = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => {
    storage.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('counts admitted hits and refuses past the limit without counting the refusals', async () => {
    for (let i = 1; i <= 3; i++)
      expect(await storage.increment('k', 60_000, 3, 0, 'default')).toMatchObject({ totalHits: i, isBlocked: false });
    expect(await storage.increment('k', 60_000, 3, 0, 'default')).toMatchObject({ totalHits: 4, isBlocked: true, timeToExpire: 60 });
    expect(await storage.increment('k', 60_000, 3, 0, 'default')).toMatchObject({ totalHits: 4, isBlocked: true });
    // A raised limit applies at once: the refusals did not use it up.
    expect(await storage.increment('k', 60_000, 5, 0, 'default')).toMatchObject({ totalHits: 4, isBlocked: false });
  });

  it('keeps the window it started with and starts afresh once it ended', async () => {
    await storage.increment('k', 10_000, 1, 0, 'default');
    now += 9_000;
    expect(await storage.increment('k', 10_000, 1, 0, 'default')).toMatchObject({ isBlocked: true, timeToExpire: 1 });
    now += 1_000;
    expect(await storage.increment('k', 10_000, 1, 0, 'default')).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 10 });
  });

  it('keeps keys apart and sweeps ended windows', async () => {
    await storage.increment('a', 1_000, 10, 0, 'default');
    await storage.increment('b', 5_000, 10, 0, 'default');
    expect(storage.size).toBe(2);
    storage.sweep(now + 1_000);
    expect(storage.size).toBe(1);
    expect(await storage.increment('b', 5_000, 10, 0, 'default')).toMatchObject({ totalHits: 2 });
  });

  it('handles a limit far above any realistic load without keeping per-hit state', async () => {
    for (let i = 0; i < 100_000; i++) await storage.increment('busy', 60_000, 1_000_000, 0, 'default');
    expect(await storage.increment('busy', 60_000, 1_000_000, 0, 'default')).toMatchObject({ totalHits: 100_001, isBlocked: false });
    expect(storage.size).toBe(1);
  });
});
