import { randomBytes } from 'node:crypto';
import { JsonNumber } from './json-number';
import type { DecodedMessage, MessageObject, MessageValue } from './message';
import { decodeUtf8, resolveCharset } from './message-charset';
import { assertAllowedText } from './message-characters';
import { MessageFormatError } from './message-format.error';
import { assertAllowedName } from './message-names';
import { scanJsonStructure } from './json-structure';

/**
 * Numbers reach JSON.parse as strings carrying this mark, so that they come out as their exact source text. It
 * begins with U+0000, which a partner's string may not hold (refused as a control character), and goes on with
 * a random nonce, so no partner text can pass for a number.
 */
const NUMBER_MARK_NONCE = randomBytes(12).toString('hex');
const NUMBER_MARK = `\u0000${NUMBER_MARK_NONCE}:`;
const NUMBER_MARK_IN_JSON = `\\u0000${NUMBER_MARK_NONCE}:`;

/** Decodes a JSON request body (one UTF-8 object) into its field tree; numbers keep their source text. */
export function decodeJsonMessage(body: Buffer, contentTypeCharset?: string): DecodedMessage {
  if (contentTypeCharset !== undefined && resolveCharset(contentTypeCharset).decoder !== 'utf-8') {
    throw new MessageFormatError('JSON must be UTF-8');
  }
  if (body.length === 0) throw new MessageFormatError('body is empty');
  const json = decodeUtf8(body);
  if (/^[ \t\r\n]*$/.test(json)) throw new MessageFormatError('body is empty');
  const { numbers } = scanJsonStructure(json);

  let parsed: unknown;
  try {
    parsed = JSON.parse(markNumbers(json, numbers));
  } catch {
    throw new MessageFormatError('JSON is not well-formed');
  }
  if (!isPlainObject(parsed)) throw new MessageFormatError('JSON top level must be an object');
  return { fields: toMessageObject(parsed), charset: 'UTF-8' };
}

/** The text with every number token turned into a marked string. */
function markNumbers(json: string, numbers: number[]): string {
  if (numbers.length === 0) return json;
  const parts: string[] = [];
  let from = 0;
  for (let k = 0; k < numbers.length; k += 2) {
    parts.push(json.slice(from, numbers[k]), '"', NUMBER_MARK_IN_JSON, json.slice(numbers[k], numbers[k + 1]), '"');
    from = numbers[k + 1];
  }
  parts.push(json.slice(from));
  return parts.join('');
}

/**
 * Checks the tree JSON.parse built and returns it as the field tree, in place: copying objects with very many
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
    if (value.startsWith(NUMBER_MARK)) return new JsonNumber(value.slice(NUMBER_MARK.length));
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
