import * as iconv from 'iconv-lite';
import { Fen } from '../../common/fen';
import type { MessageCharset, ResponseMessage, ResponseValue } from './message';
import { listItemNameFor } from './message-names';
import { assertPlainResponseObject, assertWholeNumber } from './response-values';

export const RESPONSE_ROOT = 'out';

/** Our own field names only; anything else is a bug, not something to escape. */
const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

/** Markup characters, CR (kept as a reference so parsers do not fold it into LF), and characters XML 1.0 cannot carry. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const TEXT_TO_ESCAPE = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Surrogate}/gu;

/**
 * Writes `<?xml …?><root>…</root>`: one element per field in insertion order, nested objects nest, a list holds
 * one `Item` (or its named item, `Bill` in `Bills`) per entry, a Fen is `-150.00`, null/undefined are left out.
 */
export function encodeXmlMessage(message: ResponseMessage, charset: MessageCharset, root: string = RESPONSE_ROOT): Buffer {
  const out: string[] = [`<?xml version="1.0" encoding="${charset}"?>`];
  writeElement(root, message, out);
  const xml = out.join('');
  return charset === 'GBK' ? encodeGbk(xml) : Buffer.from(xml, 'utf8');
}

function writeElement(name: string, value: ResponseValue, out: string[]): void {
  if (value === null || value === undefined) return;
  if (!XML_NAME.test(name)) throw new Error(`not an XML element name: ${JSON.stringify(name)}`);
  out.push('<', name, '>');
  if (typeof value === 'string') {
    out.push(escapeText(value));
  } else if (typeof value === 'number') {
    assertWholeNumber(value);
    out.push(String(value));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (value instanceof Fen) {
    out.push(value.toYuan());
  } else if (Array.isArray(value)) {
    const itemName = listItemNameFor(name);
    for (const item of value) writeElement(itemName, item, out);
  } else {
    assertPlainResponseObject(value);
    for (const [field, fieldValue] of Object.entries(value)) writeElement(field, fieldValue, out);
  }
  out.push('</', name, '>');
}

/** Characters XML 1.0 cannot carry at all (not even as references) become U+FFFD. */
function escapeText(text: string): string {
  return text.replace(TEXT_TO_ESCAPE, (char) => TEXT_ESCAPES[char] ?? '\uFFFD');
}

/**
 * GBK answers carry characters outside GBK (emoji, rare CJK, `•`) as numeric character references: the bytes stay
 * plain GBK that every bank decoder reads, while the XML parser still restores the exact character. (Encoding them
 * as GB18030 four-byte sequences would break GBK-only decoders; iconv-lite alone would turn them into `?`.)
 * All markup is ASCII, so every non-ASCII character here is text content, where references are allowed.
 */
function encodeGbk(xml: string): Buffer {
  // GBK is ASCII below 0x80 and has no shift states: only the non-ASCII runs need its tables.
  const parts: Buffer[] = [];
  let copied = 0;
  for (const run of xml.matchAll(NON_ASCII_RUNS)) {
    if (run.index > copied) parts.push(Buffer.from(xml.slice(copied, run.index), 'latin1'));
    parts.push(gbkRun(run[0]));
    copied = run.index + run[0].length;
  }
  if (copied === 0) return Buffer.from(xml, 'latin1');
  if (copied < xml.length) parts.push(Buffer.from(xml.slice(copied), 'latin1'));
  return Buffer.concat(parts);
}

const NON_ASCII_RUNS = /[\u0080-\u{10FFFF}]+/gu;
const NON_ASCII = /[\u0080-\u{10FFFF}]/gu;

/**
 * Answers repeat the same few texts and characters (messages, masked names): short runs' bytes and each character's
 * GBK membership are remembered, both bounded. Longer runs (free text) are encoded every time.
 */
const GBK_RUNS = new Map<string, Buffer>();
const GBK_RUN_REMEMBERED_LENGTH = 16;
const GBK_REPRESENTABLE = new Map<string, boolean>();
const REMEMBERED_MAX = 20_000;

function gbkRun(text: string): Buffer {
  const remembered = GBK_RUNS.get(text);
  if (remembered) return remembered;
  const referenced = text.replace(NON_ASCII, (char) =>
    representableInGbk(char) ? char : `&#x${(char.codePointAt(0) ?? 0xfffd).toString(16).toUpperCase()};`,
  );
  const bytes = iconv.encode(referenced, 'gbk');
  if (text.length <= GBK_RUN_REMEMBERED_LENGTH) {
    if (GBK_RUNS.size >= REMEMBERED_MAX) GBK_RUNS.clear();
    GBK_RUNS.set(text, bytes);
  }
  return bytes;
}

function representableInGbk(char: string): boolean {
  let known = GBK_REPRESENTABLE.get(char);
  if (known === undefined) {
    known = iconv.decode(iconv.encode(char, 'gbk'), 'gbk') === char;
    if (GBK_REPRESENTABLE.size >= REMEMBERED_MAX) GBK_REPRESENTABLE.clear();
    GBK_REPRESENTABLE.set(char, known);
  }
  return known;
}
