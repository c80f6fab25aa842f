import { MAX_MESSAGE_DEPTH, MAX_MESSAGE_NODES } from './message';
import { MessageFormatError } from './message-format.error';
import { assertAllowedName, quotableName } from './message-names';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

const isWhitespace = (code: number): boolean => code === SPACE || code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN;
/** Characters that end a number or literal token, besides whitespace and the end of the text. */
const ENDS_SCALAR = new Set([COMMA, COLON, QUOTE, OPEN_BRACE, OPEN_BRACKET, CLOSE_BRACE, CLOSE_BRACKET]);

const notWellFormed = (): MessageFormatError => new MessageFormatError('JSON is not well-formed');

/** A whole number token as JSON writes it (`01`, `+1`, `.5`, `1.` are not). */
const NUMBER_TOKEN = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export interface JsonStructure {
  /** Values in the document, the top object included. */
  values: number;
  /** Where each number token starts and ends, in document order: start, end, start, end, … */
  numbers: number[];
}

/**
 * One linear pass over the text before it is parsed: nesting and the number of values are capped (a deep tower
 * or millions of tiny values cost a parser dearly), every object key is checked for repeats (JSON.parse keeps the
 * last silently) and forbidden names, and every number token is located, so that the decoder can keep the
 * partner's exact text of it. A number or literal where a key belongs is refused here; well-formedness in
 * every other respect is left to the parser.
 */
export function scanJsonStructure(json: string): JsonStructure {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const containers: (Set<string> | null)[] = [];
  const first = json.search(/[^ \t\r\n]/);
  if (first === -1 || json.charCodeAt(first) !== OPEN_BRACE) throw new MessageFormatError('JSON top level must be an object');

  const numbers: number[] = [];
  let values = 0;
  const countValue = (): void => {
    values += 1;
    if (values > MAX_MESSAGE_NODES) throw new MessageFormatError(`more than ${MAX_MESSAGE_NODES} values`);
  };
  // The last significant character: a number or literal may follow `:`, or `[` and `,` in a list.
  let previous = -1;
  for (let i = first; i < json.length; i += 1) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) {
      const end = closingQuote(json, i + 1);
      if (nextSignificant(json, end + 1) === COLON) {
        const keys = containers[containers.length - 1];
        if (keys) recordKey(keys, decodeKey(json.slice(i, end + 1)));
      } else {
        countValue();
      }
      i = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      containers.push(code === OPEN_BRACE ? new Set() : null);
      if (containers.length > MAX_MESSAGE_DEPTH) throw new MessageFormatError(`nesting deeper than ${MAX_MESSAGE_DEPTH}`);
      countValue();
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      containers.pop();
    } else if (isWhitespace(code)) {
      continue;
    } else if (code !== COLON && code !== COMMA) {
      const inList = containers.length > 0 && containers[containers.length - 1] === null;
      if (previous !== COLON && !(inList && (previous === OPEN_BRACKET || previous === COMMA))) throw notWellFormed();
      countValue();
      const end = scalarEnd(json, i);
      NUMBER_TOKEN.lastIndex = i;
      // Anything else is a literal, or malformed and refused by the parser.
      if (NUMBER_TOKEN.test(json) && NUMBER_TOKEN.lastIndex === end) numbers.push(i, end);
      i = end - 1;
    }
    previous = code;
  }
  return { values, numbers };
}

/** Where a number or literal token ends: at whitespace, punctuation or the end of the text. */
function scalarEnd(json: string, from: number): number {
  let i = from;
  while (i < json.length && !isWhitespace(json.charCodeAt(i)) && !ENDS_SCALAR.has(json.charCodeAt(i))) i += 1;
  return i;
}

function recordKey(keys: Set<string>, key: string): void {
  assertAllowedName(key, 'key');
  if (keys.has(key)) throw new MessageFormatError(`duplicate key ${quotableName(key)}`);
  keys.add(key);
}

function closingQuote(json: string, from: number): number {
  for (let i = from; i < json.length; i += 1) {
    const code = json.charCodeAt(i);
    if (code === QUOTE) return i;
    if (code === BACKSLASH) i += 1;
  }
  throw notWellFormed();
}

function nextSignificant(json: string, from: number): number {
  let i = from;
  while (i < json.length && isWhitespace(json.charCodeAt(i))) i += 1;
  return json.charCodeAt(i);
}

/** Escapes make `"a"` and `"\u0061"` the same key, so keys are compared decoded. */
function decodeKey(token: string): string {
  if (!token.includes('\\')) return token.slice(1, -1);
  try {
    const key: unknown = JSON.parse(token);
    if (typeof key === 'string') return key;
  } catch {
    // falls through: a malformed string literal
  }
  throw notWellFormed();
}
