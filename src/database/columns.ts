import { ColumnOptions, ValueTransformer } from 'typeorm';
import { Fen } from '../common/fen';

/** bigint fen columns come back as a string from pg and as a number from better-sqlite3. */
const fenTransformer: ValueTransformer = {
  to: (value: Fen | null | undefined) => (value == null ? value : value.toString()),
  from: (value: string | number | bigint | null) => (value == null ? null : Fen.of(typeof value === 'number' ? value : BigInt(value))),
};

export function fenColumn(options: ColumnOptions = {}): ColumnOptions {
  return { type: 'bigint', transformer: fenTransformer, ...options };
}

/** Timestamps are stored as UTC ISO-8601 text with milliseconds: identical on both engines and sortable. */
export const TIMESTAMP_LENGTH = 24;

export function nowIso(): string {
  return new Date().toISOString();
}
