import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AuditEntry } from '../../src/admin/entities/audit-entry.entity';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { DemoDataService } from '../../src/demo/demo-data.service';
import { ResponseMessage } from '../../src/protocol/codec';
import { GATEWAY_PATH } from '../../src/protocol/partner-operation';
import { adminApi, AdminApi } from '../factories/admin-api';
import { institutionBody } from '../factories/admin-requests';
import { EchoPartnerController, echoPath } from '../support/echo-partner.controller';
import {
  awaitFreshMinute,
  openResponse,
  PartnerCall,
  payInvalidMessage,
  payMessage,
  sendPartner,
  uniqueSeq,
} from '../support/partner-client';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Idempotency (CONTRACT §6) and rate limits (§9) over HTTP. Each Pay execution of the echo controller writes one
 * audit row inside the request's transaction, so "executed once" is counted in the database as well as in memory.
 */

const API_KEY = 'protocol-idem-api-key-000001';
const SECRET = randomBytes(32);
const HIGH = { perKey: 1_000_000, perInst: 1_000_000 };

describe('protocol: idempotency and rate limits', () => {
  let t: TestApp;
  let api: AdminApi;
  /** An institution of its own with the configured limits, so counts here are exact. */
  let limited: { instId: string; apiKey: string };

  beforeAll(async () => {
    t = await createTestApp({ DEMO_API_KEY: API_KEY, DEMO_ENC_KEY: SECRET.toString('base64') }, { controllers: [EchoPartnerController] });
    await t.app.get(DemoDataService).loadIfEmpty();
    // Concurrent supertest requests must share one listening server rather than each starting it.
    await t.app.listen(0, '127.0.0.1');
    api = adminApi(t);
    await api.put('/admin/v1/institutions/00001/limits').send({ Pay: HIGH, PayInvalid: HIGH }).expect(200);
    const created = await api.post('/admin/v1/institutions').send(institutionBody()).expect(201);
    limited = { instId: created.body.instId, apiKey: created.body.apiKey };
  });

  afterAll(() => t.close());

  afterEach(() => {
    EchoPartnerController.payFault = false;
  });

  const pay = (message: ResponseMessage, call: PartnerCall = {}) =>
    sendPartner(t.http, echoPath('Pay'), message, { apiKey: API_KEY, ...call });

  /** Audit rows the echo Pay wrote for this TranSeq, as committed. */
  const executionsOf = (tranSeq: unknown) =>
    t.app.get(UnitOfWork).read(() =>
      t.app
        .get(UnitOfWork)
        .repository(AuditEntry)
        .findBy({ action: 'echo.pay', target: String(tranSeq) }),
    );

  function answer(res: request.Response, call: PartnerCall = {}) {
    return openResponse(res, call).message;
  }

  describe('idempotency', () => {
    it('executes a repeated Pay once and replays its status and body with Idempotent-Replayed', async () => {
      const message = payMessage();
      const before = EchoPartnerController.executions;
      const first = await pay(message);
      const second = await pay(message);

      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect((second.body as Buffer).equals(first.body as Buffer)).toBe(true);
      expect(answer(second)).toMatchObject({
        RespCode: 'AAAAAAA',
        Data: { Transaction: { TranSeq: message.TranSeq, PayAmount: '150.00' } },
      });
      expect(EchoPartnerController.executions - before).toBe(1);
      expect(await executionsOf(message.TranSeq)).toHaveLength(1);
    });

    it('replays in another format, charset and cipher with identical business content', async () => {
      const message = payMessage({ PayAmount: '150' });
      const calls: PartnerCall[] = [
        { format: 'JSON' },
        { format: 'XML', charset: 'GBK' },
        { format: 'JSON', encrypt: { type: 'SM4', secret: SECRET } },
        { format: 'XML', charset: 'UTF-8', encrypt: { type: 'AES', secret: SECRET } },
      ];
      // The same canonical request whatever the amount's spelling: 150, 150.00, 150.0 are 15000 fen.
      const amounts = ['150', '150.00', '150.0', '150.00'];
      const before = EchoPartnerController.executions;
      const responses = [];
      for (const [i, call] of calls.entries()) responses.push(await pay({ ...message, PayAmount: amounts[i] }, call));

      expect(responses.map((res) => [res.status, res.headers['idempotent-replayed']])).toEqual([
        [200, undefined],
        [200, 'true'],
        [200, 'true'],
        [200, 'true'],
      ]);
      expect(responses.map((res) => res.headers['content-type'])).toEqual([
        'application/json; charset=utf-8',
        'application/xml; charset=GBK',
        expect.stringMatching(/^text\/plain\b/),
        expect.stringMatching(/^text\/plain\b/),
      ]);
      const opened = responses.map((res, i) => openResponse(res, calls[i]));
      expect(opened[1].declaredEncoding).toBe('GBK');
      expect(opened[3].declaredEncoding).toBe('UTF-8');
      expect(opened[2].text).toContain('"PayAmount":150.00,');
      for (const o of opened.slice(1)) expect(o.message).toEqual(opened[0].message);
      expect(opened[0].message).toMatchObject({ TranCode: 'PayRes', RespCode: 'AAAAAAA', Data: { Transaction: { PayAmount: '150.00' } } });
      expect(EchoPartnerController.executions - before).toBe(1);
      expect(await executionsOf(message.TranSeq)).toHaveLength(1);
    });

    it('replays the same request sent to the gateway', async () => {
      const message = payMessage();
      const first = await pay(message);
      const viaGateway = await sendPartner(t.http, GATEWAY_PATH, message, { apiKey: API_KEY });
      expect([first.status, viaGateway.status, viaGateway.headers['idempotent-replayed']]).toEqual([200, 200, 'true']);
      expect(answer(viaGateway)).toEqual(answer(first));
      expect(await executionsOf(message.TranSeq)).toHaveLength(1);
    });

    it('answers a different request under a used TranSeq with DEF0009 and changes nothing', async () => {
      const message = payMessage({ PayAmount: '1.00' });
      const before = EchoPartnerController.executions;
      expect((await pay(message)).status).toBe(200);

      const others: [string, ResponseMessage][] = [
        [echoPath('Pay'), { ...message, PayAmount: '1.01' }],
        [echoPath('Pay'), { ...message, BillKey: uniqueSeq('K') }],
        [echoPath('Pay'), { ...message, SubChannel: 3 }],
        [echoPath('PayInvalid'), payInvalidMessage({ TranSeq: message.TranSeq })],
      ];
      for (const [path, other] of others) {
        const res = await sendPartner(t.http, path, other, { apiKey: API_KEY, format: 'XML', charset: 'GBK' });
        expect(res.status).toBe(400);
        expect(res.headers['idempotent-replayed']).toBeUndefined();
        expect(answer(res)).toMatchObject({
          TranSeq: message.TranSeq,
          RespCode: 'DEF0009',
          RespMessage: '流水号或批次号重复',
          ErrorDetail: { ErrorCode: 'DEF0009', ErrorMsg: expect.stringContaining(message.TranSeq as string) },
        });
      }
      // The original is still what a repeat gets.
      const repeat = await pay(message);
      expect([repeat.status, repeat.headers['idempotent-replayed']]).toEqual([200, 'true']);
      expect(answer(repeat)).toMatchObject({ Data: { Transaction: { PayAmount: '1.00' } } });
      expect(EchoPartnerController.executions - before).toBe(1);
      expect(await executionsOf(message.TranSeq)).toHaveLength(1);
    });

    it('keys idempotency by (InstId, TranSeq): another institution may use the same TranSeq', async () => {
      const mine = payMessage({ PayAmount: '3.00' });
      const theirs = { ...payMessage({ PayAmount: '4.00' }), TranSeq: mine.TranSeq, InstId: limited.instId };
      const first = await pay(mine);
      const other = await pay(theirs, { apiKey: limited.apiKey });
      expect([first.status, other.status, other.headers['idempotent-replayed']]).toEqual([200, 200, undefined]);
      expect(answer(other)).toMatchObject({ InstId: limited.instId, Data: { Transaction: { PayAmount: '4.00' } } });
      expect(await executionsOf(mine.TranSeq)).toHaveLength(2);
      const replayMine = await pay(mine);
      const replayTheirs = await pay(theirs, { apiKey: limited.apiKey });
      expect([replayMine.headers['idempotent-replayed'], replayTheirs.headers['idempotent-replayed']]).toEqual(['true', 'true']);
      expect(answer(replayMine)).toMatchObject({ Data: { Transaction: { PayAmount: '3.00' } } });
      expect(answer(replayTheirs)).toMatchObject({ Data: { Transaction: { PayAmount: '4.00' } } });
    });

    it('stores a business rejection (DEF0003) and replays it', async () => {
      const message = payMessage({ BillKey: 'nothing-due' });
      const before = EchoPartnerController.executions;
      const first = await pay(message, { format: 'XML', charset: 'GBK' });
      const again = await pay(message, { format: 'XML', charset: 'GBK' });
      const asJson = await pay(message);

      expect([first.status, again.status, asJson.status]).toEqual([400, 400, 400]);
      expect([first.headers['idempotent-replayed'], again.headers['idempotent-replayed'], asJson.headers['idempotent-replayed']]).toEqual([
        undefined,
        'true',
        'true',
      ]);
      expect((again.body as Buffer).equals(first.body as Buffer)).toBe(true);
      expect(answer(asJson)).toEqual(answer(first));
      expect(answer(first)).toMatchObject({ RespCode: 'DEF0003', ErrorDetail: { ErrorCode: 'DEF0003' } });
      expect(EchoPartnerController.executions - before).toBe(1);
      // The rejection rolled its own writes back, and another request under its TranSeq is a duplicate.
      expect(await executionsOf(message.TranSeq)).toHaveLength(0);
      const other = await pay({ ...message, BillKey: uniqueSeq('K') });
      expect([other.status, answer(other).RespCode]).toEqual([400, 'DEF0009']);
    });

    it('does not store a SYS1001: the resend after the fix executes', async () => {
      const message = payMessage();
      EchoPartnerController.payFault = true;
      const failed = await pay(message);
      expect([failed.status, answer(failed).RespCode]).toEqual([500, 'SYS1001']);
      expect(await executionsOf(message.TranSeq)).toHaveLength(0);

      EchoPartnerController.payFault = false;
      const resent = await pay(message);
      expect([resent.status, resent.headers['idempotent-replayed'], answer(resent).RespCode]).toEqual([200, undefined, 'AAAAAAA']);
      expect(await executionsOf(message.TranSeq)).toHaveLength(1);
    });

    it('does not store a 429: the resend within a raised limit executes', async () => {
      await awaitFreshMinute();
      await api
        .put(`/admin/v1/institutions/${limited.instId}/limits`)
        .send({ Pay: { perKey: 1 } })
        .expect(200);
      const billKey = uniqueSeq('K');
      const first = payMessage({ InstId: limited.instId, BillKey: billKey });
      const second = payMessage({ InstId: limited.instId, BillKey: billKey });
      expect((await pay(first, { apiKey: limited.apiKey })).status).toBe(200);
      const refused = await pay(second, { apiKey: limited.apiKey });
      expect([refused.status, answer(refused).RespCode]).toEqual([429, 'LMT4001']);
      expect(await executionsOf(second.TranSeq)).toHaveLength(0);

      await api
        .put(`/admin/v1/institutions/${limited.instId}/limits`)
        .send({ Pay: { perKey: 100 } })
        .expect(200);
      const resent = await pay(second, { apiKey: limited.apiKey });
      expect([resent.status, resent.headers['idempotent-replayed']]).toEqual([200, undefined]);
      expect(await executionsOf(second.TranSeq)).toHaveLength(1);
      await api.put(`/admin/v1/institutions/${limited.instId}/limits`).send({ Pay: null }).expect(200);
    });

    it('executes 50 concurrent identical Pays exactly once and answers every one with the same Data', async () => {
      const message = payMessage();
      const before = EchoPartnerController.executions;
      const responses = await Promise.all(Array.from({ length: 50 }, () => pay(message)));

      expect(responses.map((res) => res.status)).toEqual(Array(50).fill(200));
      const executed = responses.filter((res) => res.headers['idempotent-replayed'] === undefined);
      expect(executed).toHaveLength(1);
      expect(responses.filter((res) => res.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
      const bodies = new Set(responses.map((res) => (res.body as Buffer).toString('utf8')));
      expect(bodies.size).toBe(1);
      expect(answer(executed[0])).toMatchObject({ RespCode: 'AAAAAAA', Data: { Transaction: { TranSeq: message.TranSeq } } });
      expect(EchoPartnerController.executions - before).toBe(1);
      expect(await executionsOf(message.TranSeq)).toHaveLength(1);
    });

    it('executes one of 50 concurrent Pays sharing a TranSeq with different amounts; the other 49 are DEF0009', async () => {
      const message = payMessage();
      const amounts = Array.from({ length: 50 }, (_, i) => `1.${String(i + 1).padStart(2, '0')}`);
      const before = EchoPartnerController.executions;
      const responses = await Promise.all(amounts.map((amount) => pay({ ...message, PayAmount: amount })));

      const winners = responses.flatMap((res, i) => (res.status === 200 ? [i] : []));
      expect(winners).toHaveLength(1);
      const [winner] = winners;
      expect(responses[winner].headers['idempotent-replayed']).toBeUndefined();
      expect(answer(responses[winner])).toMatchObject({ RespCode: 'AAAAAAA', Data: { Transaction: { PayAmount: amounts[winner] } } });
      const losers = responses.filter((_, i) => i !== winner);
      expect(losers.map((res) => [res.status, res.headers['idempotent-replayed'], answer(res).RespCode])).toEqual(
        Array(49).fill([400, undefined, 'DEF0009']),
      );
      expect(EchoPartnerController.executions - before).toBe(1);
      const rows = await executionsOf(message.TranSeq);
      expect(rows.map((row) => row.detail)).toEqual([String(Math.round(Number(amounts[winner]) * 100))]);

      // Afterwards the winner's request replays and every other one stays a duplicate.
      const replay = await pay({ ...message, PayAmount: amounts[winner] });
      expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([200, 'true']);
      const loser = await pay({ ...message, PayAmount: amounts[(winner + 1) % 50] });
      expect([loser.status, answer(loser).RespCode]).toEqual([400, 'DEF0009']);
    });
  });

  describe('rate limits', () => {
    const payLimited = (message: ResponseMessage) => pay({ ...message, InstId: limited.instId }, { apiKey: limited.apiKey });

    it('refuses the 6th Pay for one BillKey in a minute with 429 LMT4001, Retry-After and X-RateLimit-*; replays do not count', async () => {
      await awaitFreshMinute();
      const billKey = uniqueSeq('K');
      const payments = Array.from({ length: 6 }, () => payMessage({ BillKey: billKey }));

      const counted = [];
      for (const message of payments.slice(0, 4)) counted.push(await payLimited(message));
      expect(counted.map((res) => [res.status, res.headers['x-ratelimit-limit'], res.headers['x-ratelimit-remaining']])).toEqual([
        [200, '5', '4'],
        [200, '5', '3'],
        [200, '5', '2'],
        [200, '5', '1'],
      ]);
      for (const res of counted) expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
      // Replays are answered before the rate-limit step: neither counted nor refused.
      for (let i = 0; i < 3; i++) {
        const replay = await payLimited(payments[0]);
        expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([200, 'true']);
      }
      const fifth = await payLimited(payments[4]);
      expect([fifth.status, fifth.headers['x-ratelimit-remaining']]).toEqual([200, '0']);

      const sixth = await payLimited(payments[5]);
      expect(sixth.status).toBe(429);
      const retryAfter = Number(sixth.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(sixth.headers).toMatchObject({
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(retryAfter),
      });
      expect(answer(sixth)).toMatchObject({
        InstId: limited.instId,
        TranCode: 'PayRes',
        TranSeq: payments[5].TranSeq,
        RespCode: 'LMT4001',
        RespMessage: '请求过于频繁',
        ErrorDetail: { ErrorCode: 'LMT4001' },
      });
      expect(await executionsOf(payments[5].TranSeq)).toHaveLength(0);

      // Past the limit a replay is still answered, and another BillKey has a limit of its own.
      const replay = await payLimited(payments[1]);
      expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([200, 'true']);
      expect((await payLimited(payMessage())).status).toBe(200);
    });

    it('applies a PUT /limits override to the very next request', async () => {
      await awaitFreshMinute();
      const billKey = uniqueSeq('K');
      const payments = Array.from({ length: 3 }, () => payMessage({ BillKey: billKey }));
      try {
        expect((await payLimited(payments[0])).headers['x-ratelimit-limit']).toBe('5');

        await api
          .put(`/admin/v1/institutions/${limited.instId}/limits`)
          .send({ Pay: { perKey: 2 } })
          .expect(200);
        const second = await payLimited(payments[1]);
        expect([second.status, second.headers['x-ratelimit-limit'], second.headers['x-ratelimit-remaining']]).toEqual([200, '2', '0']);
        const third = await payLimited(payments[2]);
        expect([third.status, third.headers['x-ratelimit-limit'], answer(third).RespCode]).toEqual([429, '2', 'LMT4001']);

        await api
          .put(`/admin/v1/institutions/${limited.instId}/limits`)
          .send({ Pay: { perKey: 10 } })
          .expect(200);
        const resent = await payLimited(payments[2]);
        expect([resent.status, resent.headers['x-ratelimit-limit'], resent.headers['idempotent-replayed']]).toEqual([200, '10', undefined]);
      } finally {
        await api.put(`/admin/v1/institutions/${limited.instId}/limits`).send({ Pay: null }).expect(200);
      }
    });

    it('refuses past the per-institution limit whatever the BillKey', async () => {
      await awaitFreshMinute();
      try {
        await api
          .put(`/admin/v1/institutions/${limited.instId}/limits`)
          .send({ Pay: { perInst: 3 } })
          .expect(200);
        // Other tests of this institution may have counted in this minute already: send until refused.
        const answers = [];
        for (let i = 0; i < 4; i++) answers.push(await payLimited(payMessage()));
        const refused = answers.find((res) => res.status === 429);
        expect(refused).toBeDefined();
        expect(refused!.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0' });
        expect(answer(refused!).RespCode).toBe('LMT4001');
        const afterRefusal = answers.slice(answers.indexOf(refused!));
        expect(afterRefusal.map((res) => res.status)).toEqual(afterRefusal.map(() => 429));
      } finally {
        await api.put(`/admin/v1/institutions/${limited.instId}/limits`).send({ Pay: null }).expect(200);
      }
    });
  });
});
