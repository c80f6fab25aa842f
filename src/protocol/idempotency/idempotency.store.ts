import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { LessThan } from 'typeorm';
import { Fen } from '../../common/fen';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { UnitOfWork } from '../../database/unit-of-work';
import type { ResponseMessage, ResponseValue } from '../codec';
import { IdempotencyRecord } from './idempotency-record.entity';

/** Records are kept at least this long (CONTRACT §6). */
export const RETENTION_DAYS = 7;

export interface StoredOutcome {
  httpStatus: number;
  message: ResponseMessage;
}

export type Claim = { kind: 'claimed' } | { kind: 'replay'; outcome: StoredOutcome } | { kind: 'conflict' };

function canonical(value: unknown): unknown {
  if (value instanceof Fen) return `fen:${value.toString()}`;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * HMAC-SHA256 of the decoded request — names and values, amounts in fen — whatever format, charset or cipher
 * carried it. Keyed, because a request may hold an account number, which a plain hash would let anyone with
 * the table guess back.
 */
export function canonicalRequestHash(request: object, key: Buffer): string {
  return createHmac('sha256', key)
    .update(JSON.stringify(canonical(request)))
    .digest('hex');
}

/**
 * Fen is written as `{ $fen }`. Its own toJSON turns it into a yuan string before a replacer sees the value, so the
 * replacer looks at the holder's property instead.
 */
export function serialize(message: ResponseMessage): string {
  return JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Fen ? { $fen: raw.toString() } : value;
  });
}

export function deserialize(text: string): ResponseMessage {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && '$fen' in value) return Fen.of(BigInt((value as { $fen: string }).$fen));
    return value as ResponseValue;
  }) as ResponseMessage;
}

/**
 * The (InstId, TranSeq) store. Claim and completion run inside the request's own transaction, so a record
 * exists exactly when the work it answers for committed; a concurrent duplicate blocks on the primary key
 * until the first commits (PostgreSQL) or waits for the SQLite lock, then replays it.
 */
@Injectable()
export class IdempotencyStore {
  private readonly hashKey: Buffer;

  constructor(
    private readonly uow: UnitOfWork,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'secretKey'>,
  ) {
    this.hashKey = createHmac('sha256', config.secretKey).update('idempotency-request-hash').digest();
  }

  requestHash(request: object): string {
    return canonicalRequestHash(request, this.hashKey);
  }

  async claim(instId: string, tranSeq: string, tranCode: string, requestHash: string, now: Date): Promise<Claim> {
    const [existing] = await this.uow.rows<Pick<IdempotencyRecord, 'requestHash' | 'state' | 'httpStatus' | 'responseBody'>>(
      `SELECT request_hash AS "requestHash", state, http_status AS "httpStatus", response_body AS "responseBody"
       FROM idempotency_record WHERE inst_id = ? AND tran_seq = ?`,
      [instId, tranSeq],
    );
    if (existing) {
      if (existing.requestHash !== requestHash || existing.state !== 'done' || existing.responseBody === null) return { kind: 'conflict' };
      return { kind: 'replay', outcome: { httpStatus: existing.httpStatus ?? 200, message: deserialize(existing.responseBody) } };
    }
    const expires = new Date(now.getTime() + RETENTION_DAYS * 86_400_000);
    await this.uow.run(
      `INSERT INTO idempotency_record (inst_id, tran_seq, tran_code, request_hash, state, http_status, response_body, created_at, expires_at)
       VALUES (?, ?, ?, ?, 'pending', NULL, NULL, ?, ?)`,
      [instId, tranSeq, tranCode, requestHash, now.toISOString(), expires.toISOString()],
    );
    return { kind: 'claimed' };
  }

  async complete(instId: string, tranSeq: string, outcome: StoredOutcome): Promise<void> {
    await this.uow.run(
      "UPDATE idempotency_record SET state = 'done', http_status = ?, response_body = ? WHERE inst_id = ? AND tran_seq = ?",
      [outcome.httpStatus, serialize(outcome.message), instId, tranSeq],
    );
  }

  /** Deletes records past their retention; returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    return this.uow.transaction(async () => {
      const result = await this.uow.repository(IdempotencyRecord).delete({ expiresAt: LessThan(now.toISOString()) });
      return result.affected ?? 0;
    });
  }
}
