import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { IdempotencyRecord } from '../../src/protocol/idempotency/idempotency-record.entity';
import { IdempotencyPurger } from '../../src/protocol/idempotency/idempotency.purger';
import { canonicalRequestHash, IdempotencyStore, RETENTION_DAYS } from '../../src/protocol/idempotency/idempotency.store';
import { Fen } from '../../src/common/fen';
import { createTestApp, TestApp } from '../support/test-app';

const DAY = 86_400_000;

describe(`idempotency records (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  let t: TestApp;
  let store: IdempotencyStore;
  let uow: UnitOfWork;

  beforeAll(async () => {
    t = await createTestApp();
    store = t.app.get(IdempotencyStore);
    uow = t.app.get(UnitOfWork);
  });

  afterAll(() => t.close());

  const claimAndComplete = (tranSeq: string, at: Date) =>
    uow.transaction(async () => {
      const claim = await store.claim('00001', tranSeq, 'Pay', 'h'.repeat(64), at);
      expect(claim.kind).toBe('claimed');
      await store.complete('00001', tranSeq, { httpStatus: 200, message: { RespCode: 'AAAAAAA', Data: { PayAmount: Fen.of(-15000) } } });
    });

  it('keeps a record for the retention period, then purges it', async () => {
    const now = new Date();
    await claimAndComplete('OLD', new Date(now.getTime() - (RETENTION_DAYS + 1) * DAY));
    await claimAndComplete('RECENT', new Date(now.getTime() - (RETENTION_DAYS - 1) * DAY));

    expect(await t.app.get(IdempotencyPurger).purge(now)).toBe(1);
    const left = await t.app.get(DataSource).getRepository(IdempotencyRecord).find();
    expect(left.map((r) => r.tranSeq)).toEqual(['RECENT']);
  });

  it('replays the stored answer with amounts intact, and refuses another request under the same TranSeq', async () => {
    await claimAndComplete('REPLAY', new Date());
    const replay = await uow.transaction(() => store.claim('00001', 'REPLAY', 'Pay', 'h'.repeat(64), new Date()));
    expect(replay.kind).toBe('replay');
    if (replay.kind !== 'replay') throw new Error('expected a replay');
    const data = replay.outcome.message.Data as { PayAmount: Fen };
    expect(data.PayAmount).toBeInstanceOf(Fen);
    expect(data.PayAmount.toYuan()).toBe('-150.00');
    const other = await uow.transaction(() => store.claim('00001', 'REPLAY', 'Pay', 'x'.repeat(64), new Date()));
    expect(other.kind).toBe('conflict');
  });

  it('hashes the decoded request, not its encoding', () => {
    const a = { TranSeq: '1', PayAmount: Fen.parseYuan('150')!, BillKey: 'K' };
    const b = { BillKey: 'K', PayAmount: Fen.parseYuan('150.00')!, TranSeq: '1' };
    expect(store.requestHash(a)).toBe(store.requestHash(b));
    expect(store.requestHash({ ...a, PayAmount: Fen.parseYuan('150.01')! })).not.toBe(store.requestHash(a));
    // Keyed: the stored hash of a request with an account number cannot be recomputed without SECRET_KEY.
    expect(store.requestHash(a)).not.toBe(canonicalRequestHash(a, Buffer.alloc(32)));
    expect(store.requestHash(a)).not.toBe(createHash('sha256').update(JSON.stringify(a)).digest('hex'));
  });
});
