import { parse } from 'lossless-json';
import { JsonNumber } from './json-number';
import type { DecodedMessage, MessageObject, MessageValue } from './message';
import { decodeUtf8, resolveCharset } from './message-charset';
import { assertAllowedText } from './message-characters';
import { MessageFormatError } from './message-format.error';
import { assertAllowedName } from './message-names';
import { scanJsonStructure } from './json-structure';

/** Decodes a JSON request body (one UTF-8 object) into its field tree; numbers keep their source text. */
export function decodeJsonMessage(body: Buffer, contentTypeCharset?: string): DecodedMessage {
  if (contentTypeCharset !== undefined && resolveCharset(contentTypeCharset).decoder !== 'utf-8') {
    throw new MessageFormatError('JSON must be UTF-8');
  }
  if (body.length === 0) throw new MessageFormatError('body is empty');
  const json = decodeUtf8(body);
  if (/^[ \t\r\n]*$/.test(json)) throw new MessageFormatError('body is empty');
  scanJsonStructure(json);

  let parsed: unknown;
  try {
    parsed = parse(json, undefined, (raw) => new JsonNumber(raw));
  } catch {
    throw new MessageFormatError('JSON is not well-formed');
  }
  if (!isPlainObject(parsed)) throw new MessageFormatError('JSON top level must be an object');
  return { fields: toMessageObject(parsed), charset: 'UTF-8' };
}

/**
 * Checks the tree lossless-json built and returns it as the field tree, in place: copying objects with very many
 * keys costs more than parsing them. The structure scan has already refused forbidden and repeated keys.
 */
function toMessageObject(source: Record<string, unknown>): MessageObject {
  for (const key of Object.keys(source)) {
    assertAllowedName(key, 'key');
    assertAllowedText(key);
    source[key] = toMessageValue(source[key]);
  }
  return source as MessageObject;
}

function toMessageValue(value: unknown): MessageValue {
  if (typeof value === 'string') {
    assertAllowedText(value);
    return value;
  }
  if (typeof value === 'boolean' || value === null || value instanceof JsonNumber) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => toMessageValue(item));
  if (isPlainObject(value)) return toMessageObject(value);
  throw new MessageFormatError('JSON is not well-formed');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
