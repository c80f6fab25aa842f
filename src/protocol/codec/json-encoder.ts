import { Fen } from '../../common/fen';
import type { ResponseMessage, ResponseValue } from './message';
import { assertPlainResponseObject, assertWholeNumber } from './response-values';

/**
 * Writes a message as compact UTF-8 JSON, keys in insertion order, null/undefined fields left out. A Fen is a
 * number token with exactly two decimals (`-150.00`), which JSON.stringify cannot produce.
 */
export function encodeJsonMessage(message: ResponseMessage): Buffer {
  const out: string[] = [];
  writeObject(message, out);
  return Buffer.from(out.join(''), 'utf8');
}

function writeValue(value: ResponseValue, out: string[]): void {
  if (value === null || value === undefined) throw new Error('unreachable: absent values are skipped by the caller');
  if (typeof value === 'string') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    assertWholeNumber(value);
    out.push(String(value));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (value instanceof Fen) {
    out.push(value.toYuan());
  } else if (Array.isArray(value)) {
    out.push('[');
    let first = true;
    for (const item of value) {
      if (item === null || item === undefined) continue;
      if (!first) out.push(',');
      first = false;
      writeValue(item, out);
    }
    out.push(']');
  } else {
    writeObject(value, out);
  }
}

function writeObject(message: ResponseMessage, out: string[]): void {
  assertPlainResponseObject(message);
  out.push('{');
  let first = true;
  for (const [name, value] of Object.entries(message)) {
    if (value === null || value === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(name), ':');
    writeValue(value, out);
  }
  out.push('}');
}
