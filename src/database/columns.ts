import { ColumnOptions, ValueTransformer } from 'typeorm';
import { Fen } from '../common/fen';

/** A bigint fen column as read: a string from pg, a number from better-sqlite3. */
export function fenFromColumn(value: string | number | bigint): Fen {
  return Fen.of(typeof value === 'number' ? value : BigInt(value));
}

const fenTransformer: ValueTransformer = {
  to: (value: Fen | null | undefined) => (value == null ? value : value.toString()),
  from: (value: string | number | bigint | null) => (value == null ? null : fenFromColumn(value)),
};

export function fenColumn(options: ColumnOptions = {}): ColumnOptions {
  return { type: 'bigint', transformer: fenTransformer, ...options };
}

/** Timestamps are stored as UTC ISO-8601 text with milliseconds: identical on both engines and sortable. */
export const TIMESTAMP_LENGTH = 24;

export function nowIso(): string {
  return new Date().toISOString();
}
