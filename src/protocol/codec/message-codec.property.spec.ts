import fc from 'fast-check';
import { Fen } from '../../common/fen';
import { NON_XML_CHARACTER } from './message-characters';
import {
  decodeMessage,
  encodeRequestMessage,
  JsonNumber,
  MessageFormatError,
  type MessageCharset,
  type MessageFormat,
  type MessageObject,
  type MessageValue,
  type ResponseMessage,
  type ResponseValue,
} from './index';

const RUNS = { numRuns: 500 };
const FORMATS: MessageFormat[] = ['XML', 'JSON'];

/** Decodes and reports whether it succeeded; any error other than MessageFormatError fails the property. */
function decodesOrRefuses(format: MessageFormat, body: Buffer, charset?: string): boolean {
  try {
    const { fields } = decodeMessage(format, body, charset);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    return true;
  } catch (error) {
    if (!(error instanceof MessageFormatError)) throw error;
    return false;
  } finally {
    expect(Object.prototype).not.toHaveProperty('polluted');
  }
}

describe('decodeMessage never fails with anything but MessageFormatError', () => {
  it.each(FORMATS)('on random bytes as %s', (format) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.option(fc.constantFrom('GBK', 'UTF-8', 'gb18030', 'latin1')), (bytes, charset) => {
        decodesOrRefuses(format, Buffer.from(bytes), charset ?? undefined);
      }),
      RUNS,
    );
  });

  const xmlToken = fc.constantFrom(
    '<in>',
    '</in>',
    '<A>',
    '</A>',
    '<Item>',
    '</Item>',
    '<Bills>',
    '<Bill>',
    '</Bill>',
    '<B/>',
    '<A x="1">',
    '<__proto__>',
    '</__proto__>',
    '<constructor>',
    '<_>',
    '<cdata>',
    '<$>',
    '<!-- c -->',
    '<!--',
    '-->',
    '<![CDATA[',
    ']]>',
    '&amp;',
    '&#x41;',
    '&#0;',
    '&',
    '<?xml version="1.0" encoding="GBK"?>',
    '<?pi?>',
    '<!DOCTYPE in>',
    '<',
    '>',
    '/',
    '"',
    '=',
    ' ',
    '\n',
    'x',
    '张',
    '\u0001',
  );

  it('on XML token soup', () => {
    fc.assert(
      fc.property(fc.array(xmlToken, { maxLength: 40 }), fc.boolean(), (tokens, wrapped) => {
        const xml = wrapped ? `<in>${tokens.join('')}</in>` : tokens.join('');
        decodesOrRefuses('XML', Buffer.from(xml, 'utf8'));
      }),
      RUNS,
    );
  });

  const jsonToken = fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    ':',
    ',',
    '"A"',
    '"A":',
    '"__proto__":',
    '"constructor"',
    '"\\u0041":',
    '"\\u0000"',
    '"\\ud800"',
    '"\\',
    '"',
    '1',
    '150.00',
    '-1e2',
    'true',
    'null',
    ' ',
    '张',
    'x',
  );

  it('on JSON token soup', () => {
    fc.assert(
      fc.property(fc.array(jsonToken, { maxLength: 40 }), fc.boolean(), (tokens, wrapped) => {
        const json = wrapped ? `{${tokens.join('')}}` : tokens.join('');
        decodesOrRefuses('JSON', Buffer.from(json, 'utf8'));
      }),
      RUNS,
    );
  });

  it.each(FORMATS)('on valid %s messages with random bytes changed', (format) => {
    fc.assert(
      fc.property(
        responseMessage(safeText),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (message, edits) => {
          const body = Buffer.from(encodeRequestMessage(format, message));
          for (const [at, byte] of edits) body[at % body.length] = byte;
          decodesOrRefuses(format, body);
        },
      ),
      RUNS,
    );
  });
});

describe('decodeMessage reads back what the encoder writes', () => {
  it.each([
    ['XML', 'UTF-8'],
    ['XML', 'GBK'],
    ['JSON', 'UTF-8'],
  ] as const)('%s in %s, exactly, for text without control characters', (format, charset) => {
    fc.assert(
      fc.property(responseMessage(safeText), (message) => {
        expect(decodeMessage(format, encodeRequestMessage(format, message, charset))).toEqual({
          fields: expectedFields(format, message),
          charset: format === 'JSON' ? 'UTF-8' : charset,
        });
      }),
      RUNS,
    );
  });

  it.each([
    ['XML', 'UTF-8'],
    ['XML', 'GBK'],
    ['JSON', 'UTF-8'],
  ] as const)('%s in %s, or refuses it, for any text', (format, charset: MessageCharset) => {
    fc.assert(
      fc.property(responseMessage(fc.string({ unit: 'binary', maxLength: 12 })), (message) => {
        let decoded: MessageObject;
        try {
          decoded = decodeMessage(format, encodeRequestMessage(format, message, charset)).fields;
        } catch (error) {
          expect(error).toBeInstanceOf(MessageFormatError);
          return;
        }
        expect(decoded).toEqual(expectedFields(format, message));
      }),
      RUNS,
    );
  });
});

/** Names as our own messages use them; `Item`/`Bill` are left out because they mark list items in XML. */
const fieldName = fc.oneof(
  fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,7}$/).filter((name) => name !== 'Item' && name !== 'Bill'),
  fc.constant('Bills'),
);

const safeText = fc.string({
  maxLength: 12,
  unit: fc.constantFrom(
    'a',
    'Z',
    '0',
    ' ',
    '\t',
    '\n',
    '\r',
    '张',
    '三',
    '丰',
    '红',
    '冲',
    '&',
    '<',
    '>',
    '"',
    "'",
    '€',
    '😀',
    '•',
    ']',
    '𠀀',
  ),
});

function responseMessage(text: fc.Arbitrary<string>): fc.Arbitrary<ResponseMessage> {
  const { message } = fc.letrec<{ value: ResponseValue; message: ResponseMessage }>((tie) => ({
    value: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'message' },
      text,
      fc.integer(),
      fc.boolean(),
      fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).map((fen) => Fen.of(fen)),
      fc.constantFrom(null, undefined),
      tie('message'),
      fc.array(tie('value'), { maxLength: 3, depthIdentifier: 'message' }),
    ),
    message: fc.dictionary(fieldName, tie('value'), { maxKeys: 5, noNullPrototype: true, depthIdentifier: 'message' }),
  }));
  return message;
}

/** What decoding an encoded message must give: XML turns every scalar into text and cannot tell an empty list from ''. */
function expectedFields(format: MessageFormat, message: ResponseMessage): MessageObject {
  const fields: MessageObject = {};
  for (const [name, value] of Object.entries(message)) {
    const expected = expectedValue(format, value);
    if (expected !== undefined) fields[name] = expected;
  }
  return fields;
}

function expectedValue(format: MessageFormat, value: ResponseValue): MessageValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return format === 'XML' ? value.replace(new RegExp(NON_XML_CHARACTER, 'gu'), '\uFFFD') : value;
  if (typeof value === 'boolean') return format === 'XML' ? String(value) : value;
  if (typeof value === 'number') return format === 'XML' ? String(value) : new JsonNumber(String(value));
  if (value instanceof Fen) return format === 'XML' ? value.toYuan() : new JsonNumber(value.toYuan());
  if (Array.isArray(value)) {
    const items = value.map((item) => expectedValue(format, item)).filter((item) => item !== undefined);
    return format === 'XML' && items.length === 0 ? '' : items;
  }
  const fields = expectedFields(format, value);
  return format === 'XML' && Object.keys(fields).length === 0 ? '' : fields;
}

describe('decodeMessage reads JSON as JSON.parse does', () => {
  /** JSON.parse's value for a decoded tree: numbers as the engine reads their source text. */
  const asParsed = (value: MessageValue): unknown => {
    if (value instanceof JsonNumber) return Number(value.raw);
    if (Array.isArray(value)) return value.map(asParsed);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asParsed(v)]));
    return value;
  };
  const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
  const numbersOf = (value: MessageValue): JsonNumber[] => {
    if (value instanceof JsonNumber) return [value];
    if (Array.isArray(value)) return value.flatMap(numbersOf);
    if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbersOf);
    return [];
  };
  /** Refusals for a document JSON.parse reads: the rules of §3 and §10, never "not well-formed". */
  const RULE =
    /^(duplicate key .+|nesting deeper than 16|more than \d+ values|JSON top level must be an object|message contains a forbidden control character|key .+ is not allowed)$/;

  const token = fc.constantFrom(
    ...['{', '}', '[', ']', ':', ',', ' ', '\n', '"A"', '"B"', '"A":', '"B":', '"1":', '"x"', '"\\u0000"', '"\\"1\\""', '"1,2"'],
    ...['0', '1', '-0', '150.00', '1e2', '1E+2', '-1.5e-3', '12345678901234567890', '01', '+1', '.5', '1.', '1e', '-', '0x10'],
    ...['NaN', 'Infinity', 'true', 'false', 'null', 'tru', 'truex', 'nul', '1true', 'true1'],
  );
  const soup = fc.array(token, { maxLength: 30 }).map((tokens) => `{${tokens.join('')}}`);
  const edited = fc
    .tuple(
      fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify({ V: value })),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ',', ':', '"', '1', '.', 'e', '-', ' ', '}', ']', '{', '[')), { maxLength: 3 }),
    )
    .map(([json, edits]) =>
      edits.reduce((text, [at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1)), json),
    );

  it.each([
    ['token soup', soup],
    ['edited documents', edited],
  ])('on %s: accepts only what JSON.parse reads, with the same values and every number as written', (_case, documents) => {
    fc.assert(
      fc.property(documents, (json) => {
        let reference: { value: unknown } | undefined;
        try {
          reference = { value: JSON.parse(json) };
        } catch {
          reference = undefined;
        }
        let decoded: MessageObject;
        try {
          decoded = decodeMessage('JSON', Buffer.from(json, 'utf8')).fields;
        } catch (error) {
          expect(error).toBeInstanceOf(MessageFormatError);
          if (reference) expect((error as MessageFormatError).message).toMatch(RULE);
          return;
        }
        expect(reference).toBeDefined();
        expect(asParsed(decoded)).toEqual(reference!.value);
        for (const number of numbersOf(decoded)) {
          expect(number.raw).toMatch(NUMBER);
          expect(json).toContain(number.raw);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
