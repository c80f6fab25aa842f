import fc from 'fast-check';
import { scanJsonStructure } from './json-structure';
import { MAX_MESSAGE_NODES } from './message';
import { scanXmlStructure } from './xml-structure';

/** Every object, array, string, number and literal in a parsed JSON value. */
function countValues(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce((sum: number, item) => sum + countValues(item), 0);
  if (value !== null && typeof value === 'object')
    return 1 + Object.values(value).reduce((sum: number, item) => sum + countValues(item), 0);
  return 1;
}

/** Objects and arrays nested at most `depth` levels deep, the top object included; keys the scan would allow. */
const jsonObject = (depth: number): fc.Arbitrary<Record<string, unknown>> => {
  const { value } = fc.letrec<{ value: unknown; object: Record<string, unknown>; array: unknown[] }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
      tie('object'),
      tie('array'),
    ),
    object: fc.dictionary(
      fc.string({ minLength: 1 }).filter((key) => !['__proto__', 'constructor', 'prototype'].includes(key)),
      tie('value'),
      { maxKeys: 5 },
    ),
    array: fc.array(tie('value'), { maxLength: 5 }),
  }));
  return fc.dictionary(fc.stringMatching(/^[A-Za-z]{1,8}$/), value, { maxKeys: 5 }).filter((object) => nesting(object) <= depth);
};

function nesting(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(nesting));
}

describe('scanJsonStructure counts values', () => {
  it('as many as the parsed document holds, however it is spaced', () => {
    fc.assert(
      fc.property(jsonObject(16), fc.constantFrom(undefined, 0, 1, '\t', ' \r\n '), (object, space) => {
        const text = JSON.stringify(object, null, space);
        expect(scanJsonStructure(text).values).toBe(countValues(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['a flat object', '{"A":"1","B":2,"C":true}', 4],
    ['negative and exponent numbers', '{"A":[-1,2.5e-3,0]}', 5],
    ['literals', '{"A":[true,false,null]}', 5],
    ['empty containers', '{"A":{},"B":[],"C":[{}]}', 5],
    ['strings with escapes and commas', '{"A":"x,\\"y\\":[1,2]","B":"\\\\"}', 3],
  ])('%s', (_case, json, count) => {
    expect(scanJsonStructure(json).values).toBe(count);
  });

  it(`accepts ${MAX_MESSAGE_NODES} values of every kind and refuses one more`, () => {
    const kinds = ['{}', '[]', '"x"', 'true', 'null', '-1.5e3'];
    // The top object and the list are two values.
    const items = (n: number) => Array.from({ length: n }, (_, i) => kinds[i % kinds.length]).join(',');

    expect(scanJsonStructure(`{"L":[${items(MAX_MESSAGE_NODES - 2)}]}`).values).toBe(MAX_MESSAGE_NODES);
    expect(() => scanJsonStructure(`{"L":[${items(MAX_MESSAGE_NODES - 1)}]}`)).toThrow(`more than ${MAX_MESSAGE_NODES} values`);
  });
});

describe('scanXmlStructure counts elements', () => {
  it.each([
    ['a flat message', '<in><A>1</A><B/><C></C></in>', 4],
    ['comments and CDATA', '<in><!-- <X> --><A><![CDATA[<Y/>]]></A></in>', 2],
    ['a declaration', '<?xml version="1.0"?><in><A>1</A></in>', 2],
  ])('%s', (_case, xml, count) => {
    const start = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0;
    expect(scanXmlStructure(xml, start)).toBe(count);
  });

  it(`accepts ${MAX_MESSAGE_NODES} elements and refuses one more`, () => {
    // <in> and the list are two elements.
    const list = (n: number) => `<in><L>${Array.from({ length: n }, (_, i) => (i % 2 ? '<Item/>' : '<Item>1</Item>')).join('')}</L></in>`;

    expect(scanXmlStructure(list(MAX_MESSAGE_NODES - 2), 0)).toBe(MAX_MESSAGE_NODES);
    expect(() => scanXmlStructure(list(MAX_MESSAGE_NODES - 1), 0)).toThrow(`more than ${MAX_MESSAGE_NODES} elements`);
  });
});
