import { Parser, type ParserOptions } from 'xml2js';
import type { DecodedMessage, MessageObject, MessageValue } from './message';
import { decodeText, resolveCharset, startsWithUtf8Bom } from './message-charset';
import { assertAllowedText } from './message-characters';
import { MessageFormatError } from './message-format.error';
import { assertAllowedName, DEFAULT_LIST_ITEM_NAME, LIST_ITEM_NAMES, quotableName } from './message-names';
import { readXmlDeclaration } from './xml-declaration';
import { scanXmlStructure } from './xml-structure';

export const REQUEST_ROOT = 'in';

const ATTRIBUTES_KEY = '$';
const TEXT_KEY = '_';
/**
 * xml2js keys children by element name next to its own keys (`$`, `_`, `cdata`, `#name`). Prefixing every
 * element name with a character no XML name can contain keeps a partner's `<_>`, `<cdata>` or `<__proto__>`
 * from ever colliding with them.
 */
const ELEMENT_PREFIX = '>';

const PARSER_OPTIONS: ParserOptions = {
  strict: true,
  async: false,
  explicitArray: true,
  explicitRoot: true,
  explicitCharkey: false,
  trim: false,
  normalize: false,
  normalizeTags: false,
  attrkey: ATTRIBUTES_KEY,
  charkey: TEXT_KEY,
  tagNameProcessors: [(name: string) => ELEMENT_PREFIX + name],
};

const XML_WHITESPACE_ONLY = /^[ \t\r\n]*$/;

/** Decodes an XML request body (`<in>…</in>`, GBK or UTF-8) into its field tree. */
export function decodeXmlMessage(body: Buffer, contentTypeCharset?: string): DecodedMessage {
  if (body.length === 0) throw new MessageFormatError('body is empty');
  const hasBom = startsWithUtf8Bom(body);
  const head = body.subarray(hasBom ? 3 : 0, 1024).toString('latin1');
  const declared = readXmlDeclaration(head)?.encoding;
  let label = declared ?? contentTypeCharset ?? 'UTF-8';
  if (hasBom) {
    if (declared !== undefined && resolveCharset(declared).decoder !== 'utf-8') {
      throw new MessageFormatError('encoding contradicts the byte order mark');
    }
    label = 'UTF-8';
  }
  const { decoder, charset } = resolveCharset(label);
  const xml = stripBom(decodeText(body, decoder));
  return { fields: parseRequestXml(xml), charset };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseRequestXml(xml: string): MessageObject {
  if (XML_WHITESPACE_ONLY.test(xml)) throw new MessageFormatError('body is empty');
  if (/<!DOCTYPE/i.test(xml)) throw new MessageFormatError('DOCTYPE is not allowed');
  if (/<!ENTITY/i.test(xml)) throw new MessageFormatError('ENTITY is not allowed');
  const declarationLength = readXmlDeclaration(xml)?.length ?? 0;
  if (xml.includes('<?', declarationLength)) throw new MessageFormatError('processing instructions are not allowed');
  scanXmlStructure(xml, declarationLength);

  const document = parseWithXml2js(xml);
  const rootKey = Object.keys(document)[0];
  if (rootKey !== ELEMENT_PREFIX + REQUEST_ROOT) throw new MessageFormatError(`root element must be ${REQUEST_ROOT}`);
  const root = readElement(REQUEST_ROOT, document[rootKey]);
  if (typeof root === 'string') {
    if (!XML_WHITESPACE_ONLY.test(root)) throw new MessageFormatError(`element ${REQUEST_ROOT} must hold elements, not text`);
    return {};
  }
  return toFields(root);
}

/** A parser that finished a document cleanly; xml2js resets itself at the end of each (`async: false` is synchronous). */
let idleParser: Parser | null = null;

/** xml2js with `async: false` reports synchronously; anything else (an exception, no or two callbacks) is malformed input. */
function parseWithXml2js(xml: string): Record<string, unknown> {
  const parser = idleParser ?? new Parser(PARSER_OPTIONS);
  idleParser = null;
  const outcomes: { error: Error | null; result: unknown }[] = [];
  try {
    parser.parseString(xml, (error: Error | null, result: unknown) => {
      outcomes.push({ error, result });
    });
  } catch {
    throw new MessageFormatError('XML is not well-formed');
  }
  const [outcome] = outcomes;
  if (outcomes.length !== 1 || outcome.error !== null || !isRecord(outcome.result)) {
    throw new MessageFormatError('XML is not well-formed');
  }
  // Only a parser that reached the end of a well-formed document is used again.
  idleParser = parser;
  return outcome.result;
}

function convertElement(name: string, node: unknown): MessageValue {
  const content = readElement(name, node);
  if (typeof content === 'string') return content;
  if (content.size === 1) {
    const [[childName, items]] = content;
    if (childName === DEFAULT_LIST_ITEM_NAME || (Object.hasOwn(LIST_ITEM_NAMES, name) && LIST_ITEM_NAMES[name] === childName)) {
      return items.map((item) => convertElement(childName, item));
    }
  }
  return toFields(content);
}

function toFields(children: Map<string, unknown[]>): MessageObject {
  const fields: MessageObject = {};
  for (const [childName, occurrences] of children) {
    if (occurrences.length !== 1) throw new MessageFormatError(`element ${quotableName(childName)} repeats`);
    fields[childName] = convertElement(childName, occurrences[0]);
  }
  return fields;
}

/**
 * xml2js gives, per element: a string (text only, '' when empty), or an object holding `$` (attributes),
 * `_` (non-whitespace text) and one array per distinct child name. Returns the text, or the children by name.
 */
function readElement(name: string, node: unknown): string | Map<string, unknown[]> {
  assertAllowedName(name, 'element');
  if (typeof node === 'string') {
    assertAllowedText(node);
    return node;
  }
  if (!isRecord(node)) throw new MessageFormatError('XML is not well-formed');

  const children = new Map<string, unknown[]>();
  let text = '';
  for (const [key, value] of Object.entries(node)) {
    if (key === ATTRIBUTES_KEY) throw new MessageFormatError('attributes are not allowed');
    if (key === TEXT_KEY && typeof value === 'string') {
      text = value;
    } else if (key.startsWith(ELEMENT_PREFIX) && Array.isArray(value)) {
      const childName = key.slice(ELEMENT_PREFIX.length);
      assertAllowedName(childName, 'element');
      children.set(childName, value);
    } else {
      throw new MessageFormatError('XML is not well-formed');
    }
  }
  if (children.size === 0) {
    assertAllowedText(text);
    return text;
  }
  // CDATA keeps whitespace-only text beside children; that is layout, not content.
  if (!XML_WHITESPACE_ONLY.test(text)) throw new MessageFormatError('mixed content is not allowed');
  return children;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
