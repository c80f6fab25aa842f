import * as iconv from 'iconv-lite';
import { Parser } from 'xml2js';
import { decodeMessage, MessageFormatError, type MessageFormat } from './index';

function rejectionOf(format: MessageFormat, body: Buffer | string, contentTypeCharset?: string): MessageFormatError {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let thrown: unknown;
  try {
    decodeMessage(format, bytes, contentTypeCharset);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MessageFormatError);
  return thrown as MessageFormatError;
}

/**
 * Refused by the linear pre-scan alone: the parser behind it (xml2js, JSON.parse) is never called.
 * How long a hostile body takes is measured by the benchmark, not here.
 */
function rejectionBeforeParser(format: MessageFormat, body: string): MessageFormatError {
  const xmlParse = jest.spyOn(Parser.prototype, 'parseString');
  const jsonParse = jest.spyOn(JSON, 'parse');
  try {
    const error = rejectionOf(format, body);
    expect(xmlParse).not.toHaveBeenCalled();
    expect(jsonParse).not.toHaveBeenCalled();
    return error;
  } finally {
    xmlParse.mockRestore();
    jsonParse.mockRestore();
  }
}

function expectPrototypeClean(): void {
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><in><Version>&lol9;</Version></in>';

describe('decodeMessage — hostile XML', () => {
  it.each([
    ['billion laughs', BILLION_LAUGHS, 'DOCTYPE is not allowed'],
    [
      'an external entity',
      '<!DOCTYPE in [<!ENTITY x SYSTEM "file:///etc/passwd">]><in><Version>&x;</Version></in>',
      'DOCTYPE is not allowed',
    ],
    ['a lower-case doctype', '<!doctype in><in/>', 'DOCTYPE is not allowed'],
    ['an entity declaration without DOCTYPE', '<in><!ENTITY x "y"><a>&x;</a></in>', 'ENTITY is not allowed'],
    ['an undefined entity', '<in><a>&x;</a></in>', 'undefined entity reference'],
    ['an HTML entity', '<in><a>&nbsp;</a></in>', 'undefined entity reference'],
    ['a processing instruction', '<?xml version="1.0"?><in><?php system("id"); ?></in>', 'processing instructions are not allowed'],
    ['a stylesheet instruction', '<?xml-stylesheet href="x.xsl"?><in/>', 'processing instructions are not allowed'],
    ['a declaration not at the start', ' <?xml version="1.0"?><in/>', 'processing instructions are not allowed'],
    ['a malformed declaration', '<?xml encoding="UTF-8"?><in/>', 'XML declaration is malformed'],
    ['a repeated scalar element', '<in><Amount>1.00</Amount><Amount>2.00</Amount></in>', 'element Amount repeats'],
    ['a repeated nested element', '<in><Data><A>1</A><B/><A>1</A></Data></in>', 'element A repeats'],
    ['mixed Item and other children', '<in><L><Item>1</Item><Item>2</Item><X/></L></in>', 'element Item repeats'],
    ['attributes', '<in><Version v="1">1.0.1</Version></in>', 'attributes are not allowed'],
    ['attributes on the root', '<in xmlns="urn:x"><Version>1.0.1</Version></in>', 'attributes are not allowed'],
    ['attributes on an empty element', '<in><Version v=">"/></in>', 'attributes are not allowed'],
    ['mixed content', '<in><Version>1.0.1<Extra>x</Extra></Version></in>', 'mixed content is not allowed'],
    ['mixed content in the root', '<in>text<Version>1.0.1</Version></in>', 'mixed content is not allowed'],
    ['mixed content in CDATA', '<in><A><![CDATA[x]]><B>1</B></A></in>', 'mixed content is not allowed'],
    ['text in the root', '<in>hello</in>', 'element in must hold elements, not text'],
    ['the wrong root', '<out><Version>1.0.1</Version></out>', 'root element must be in'],
    ['two roots', '<in><Version>1.0.1</Version></in><in><Version>1.0.1</Version></in>', 'more than one root element'],
    ['content after the root', '<in><Version>1.0.1</Version></in>trailing', 'content after the root element'],
    ['text before the root', 'hello<in/>', 'text before the root element'],
    ['an unclosed root', '<in><Version>1.0.1</Version>', 'XML is not well-formed'],
    ['an unclosed element', '<in><Version>1.0.1</in>', 'XML is not well-formed'],
    ['a mismatched close', '<in><A>1</B></in>', 'XML is not well-formed'],
    ['an unterminated tag', '<in><A', 'XML is not well-formed'],
    ['an unterminated comment', '<in><!-- x</in>', 'XML is not well-formed'],
    ['an unterminated CDATA', '<in><A><![CDATA[x</A></in>', 'XML is not well-formed'],
    ['a stray close', '</in>', 'XML is not well-formed'],
    ['a control character', '<in><A>\u0001</A></in>', 'message contains a forbidden control character'],
    ['a control character reference', '<in><A>&#1;</A></in>', 'XML is not well-formed'],
    ['a surrogate reference', '<in><A>&#xD800;</A></in>', 'XML is not well-formed'],
    ['non-XML text', 'hello world', 'text before the root element'],
    ['JSON sent as XML', '{"Version":"1.0.1"}', 'text before the root element'],
    ['an empty body', '', 'body is empty'],
    ['a blank body', ' \r\n\t', 'body is empty'],
  ])('refuses %s', (_case, xml, message) => {
    expect(rejectionOf('XML', xml).message).toBe(message);
  });

  it.each([
    ['__proto__', 1],
    ['__proto__', 3],
    ['constructor', 1],
    ['constructor', 3],
    ['prototype', 1],
    ['prototype', 3],
  ])('refuses an element named %s at depth %i', (name, depth) => {
    const open = Array.from({ length: depth - 1 }, (_, i) => `<L${i}>`).join('');
    const close = Array.from({ length: depth - 1 }, (_, i) => `</L${depth - 2 - i}>`).join('');
    const xml = `<in>${open}<${name}><polluted>yes</polluted></${name}>${close}</in>`;

    expect(rejectionOf('XML', xml).message).toBe(`element ${name} is not allowed`);
    expectPrototypeClean();
  });

  it.each(['<Items><__proto__>x</__proto__></Items>', '<Bills><constructor>x</constructor></Bills>', '<L><Item><prototype/></Item></L>'])(
    'refuses forbidden names inside lists: %s',
    (fields) => {
      expect(rejectionOf('XML', `<in>${fields}</in>`).message).toMatch(/is not allowed$/);
      expectPrototypeClean();
    },
  );

  it('refuses a forbidden root name', () => {
    expect(rejectionOf('XML', '<__proto__><polluted>yes</polluted></__proto__>').message).toBe('root element must be in');
    expectPrototypeClean();
  });

  it('accepts 16 levels and refuses 17, counting <in> as 1', () => {
    const nested = (levels: number): string => '<in>' + '<A>'.repeat(levels - 1) + 'x' + '</A>'.repeat(levels - 1) + '</in>';

    expect(() => decodeMessage('XML', Buffer.from(nested(16)))).not.toThrow();
    expect(rejectionOf('XML', nested(17)).message).toBe('nesting deeper than 16');
  });

  it.each([10_000, 21_000])('refuses %i nested elements before the parser sees them', (levels) => {
    const xml = '<in>' + '<A>'.repeat(levels) + '</A>'.repeat(levels) + '</in>';

    expect(rejectionBeforeParser('XML', xml).message).toBe('nesting deeper than 16');
  });

  it('refuses a 16 MiB tower of unclosed tags at the 17th level, before the parser sees it', () => {
    expect(rejectionBeforeParser('XML', '<in>' + '<A>'.repeat(5_500_000)).message).toBe('nesting deeper than 16');
  });

  const SIXTEEN_MIB = 16 * 1024 * 1024;
  const distinctElements = (bytes: number): string => {
    const parts = ['<in>'];
    let length = '<in></in>'.length;
    for (let i = 0; length < bytes; i++) {
      const element = `<A${i}/>`;
      parts.push(element);
      length += element.length;
    }
    return parts.join('') + '</in>';
  };

  it.each([
    ['one-character elements', () => `<in>${'<A/>'.repeat(SIXTEEN_MIB / 4 - 3)}</in>`],
    ['distinct elements', () => distinctElements(SIXTEEN_MIB - 16)],
    ['list items', () => `<in><L>${'<Item>1</Item>'.repeat(SIXTEEN_MIB / 14 - 2)}</L></in>`],
  ])('refuses 16 MiB of %s at element 20,001, before the parser sees them', (_case, xml) => {
    expect(rejectionBeforeParser('XML', xml()).message).toBe('more than 20000 elements');
  });

  it('stops reading at the 17th level: what follows is never looked at', () => {
    // Read on, the scan would refuse the attribute; read to the end, the unclosed tower.
    const xml = '<in>' + '<A>'.repeat(16) + '<B x="1">' + '<A>'.repeat(1000);

    expect(rejectionBeforeParser('XML', xml).message).toBe('nesting deeper than 16');
  });

  it.each([
    ['random binary', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00])],
    ['a lone continuation byte', Buffer.from([0x3c, 0x69, 0x6e, 0x3e, 0x80, 0x3c, 0x2f, 0x69, 0x6e, 0x3e])],
    ['an overlong encoding', Buffer.concat([Buffer.from('<in><A>'), Buffer.from([0xc0, 0xbc]), Buffer.from('</A></in>')])],
    ['a truncated sequence', Buffer.concat([Buffer.from('<in><A>'), Buffer.from([0xe5, 0xbc]), Buffer.from('</A></in>')])],
    ['an encoded surrogate', Buffer.concat([Buffer.from('<in><A>'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('</A></in>')])],
    ['UTF-16', Buffer.from('\ufeff<in/>', 'utf16le')],
  ])('refuses invalid UTF-8: %s', (_case, body) => {
    expect(rejectionOf('XML', body).message).toBe('invalid UTF-8');
  });

  it.each([
    ['an invalid trail byte', [0x81, 0x20]],
    ['a truncated character at the end', [0xd5]],
    ['an unassigned lead byte', [0xff, 0x41]],
  ])('refuses invalid GBK: %s', (_case, bytes) => {
    const body = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="GBK"?><in><A>'),
      Buffer.from(bytes),
      Buffer.from(bytes.length === 1 ? '' : '</A></in>'),
    ]);

    expect(rejectionOf('XML', body).message).toBe('invalid GBK');
  });

  it('refuses invalid GBK announced by the charset parameter', () => {
    expect(rejectionOf('XML', Buffer.from([0x3c, 0x69, 0x6e, 0x3e, 0x81, 0x20, 0x3c, 0x2f, 0x69, 0x6e, 0x3e]), 'GBK').message).toBe(
      'invalid GBK',
    );
  });

  it('refuses UTF-8 bytes declared as GBK when they are not valid GBK', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="GBK"?><in><A>张三丰</A></in>', 'utf8');

    expect(rejectionOf('XML', body).message).toBe('invalid GBK');
  });

  it('refuses the declared encoding ISO-8859-1', () => {
    expect(rejectionOf('XML', '<?xml version="1.0" encoding="ISO-8859-1"?><in/>').message).toBe('encoding ISO-8859-1 is not supported');
  });

  it('refuses a GBK declaration behind a UTF-8 byte order mark', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="GBK"?><in/>')]);

    expect(rejectionOf('XML', body).message).toBe('encoding contradicts the byte order mark');
  });

  it('does not quote an unreadable encoding name back', () => {
    expect(rejectionOf('XML', Buffer.from('<in/>'), 'x'.repeat(100)).message).toBe('encoding (unnamed) is not supported');
  });
});

describe('decodeMessage — hostile JSON', () => {
  it.each([
    ['an array at the top level', '[{"Version":"1.0.1"}]', 'JSON top level must be an object'],
    ['a string at the top level', '"Version"', 'JSON top level must be an object'],
    ['a number at the top level', '150.00', 'JSON top level must be an object'],
    ['a duplicate key', '{"Version":"1.0.1","TranSeq":"1","Version":"1.0.2"}', 'duplicate key Version'],
    ['an identical duplicate key', '{"Version":"1.0.1","Version":"1.0.1"}', 'duplicate key Version'],
    ['a duplicate key spelled with an escape', '{"Version":"1.0.1","\\u0056ersion":"1.0.1"}', 'duplicate key Version'],
    ['a nested duplicate key', '{"Data":{"A":{},"A":{}}}', 'duplicate key A'],
    ['trailing garbage', '{"Version":"1.0.1"}garbage', 'JSON is not well-formed'],
    ['a second object', '{"Version":"1.0.1"}{"Version":"1.0.1"}', 'JSON is not well-formed'],
    ['a trailing comma', '{"Version":"1.0.1",}', 'JSON is not well-formed'],
    ['a number where a key belongs', '{1:"1.0.1"}', 'JSON is not well-formed'],
    ['a literal where a later key belongs', '{"Version":"1.0.1",true:1}', 'JSON is not well-formed'],
    ['two values in a row', '{"PayAmount":150.00 1}', 'JSON is not well-formed'],
    ['a number in a list after a value without a comma', '{"L":[1 2]}', 'JSON is not well-formed'],
    ['an unterminated object', '{"Version":"1.0.1"', 'JSON is not well-formed'],
    ['an unterminated string', '{"Version":"1.0.1', 'JSON is not well-formed'],
    ['a single-quoted string', "{'Version':'1.0.1'}", 'JSON is not well-formed'],
    ['a comment', '{"Version":"1.0.1"/* x */}', 'JSON is not well-formed'],
    ['NaN', '{"PayAmount":NaN}', 'JSON is not well-formed'],
    ['a leading-dot number', '{"PayAmount":.5}', 'JSON is not well-formed'],
    ['a raw control character', '{"Version":"1.0\u0001"}', 'JSON is not well-formed'],
    ['an escaped NUL', '{"BillKey":"123\\u0000"}', 'message contains a forbidden control character'],
    ['a lone surrogate', '{"BillKey":"\\ud800"}', 'message contains a forbidden control character'],
    ['a control character in a key', '{"Bill\\u0001Key":"1"}', 'message contains a forbidden control character'],
    ['XML sent as JSON', '<in><Version>1.0.1</Version></in>', 'JSON top level must be an object'],
    ['an empty body', '', 'body is empty'],
    ['a blank body', ' \n', 'body is empty'],
  ])('refuses %s', (_case, json, message) => {
    expect(rejectionOf('JSON', json).message).toBe(message);
  });

  it.each([
    ['__proto__', 1],
    ['__proto__', 3],
    ['constructor', 1],
    ['constructor', 3],
    ['prototype', 1],
    ['prototype', 3],
  ])('refuses the key %s at depth %i', (name, depth) => {
    const json = '{"L":'.repeat(depth - 1) + `{"${name}":{"polluted":"yes"}}` + '}'.repeat(depth - 1);

    expect(rejectionOf('JSON', json).message).toBe(`key ${name} is not allowed`);
    expectPrototypeClean();
  });

  it('refuses a forbidden key spelled with escapes and inside arrays', () => {
    expect(rejectionOf('JSON', '{"\\u005f_proto__":{"polluted":"yes"}}').message).toBe('key __proto__ is not allowed');
    expect(rejectionOf('JSON', '{"L":[{"constructor":{"prototype":{"polluted":"yes"}}}]}').message).toBe('key constructor is not allowed');
    expectPrototypeClean();
  });

  it('accepts 16 levels and refuses 17, counting the top object as 1', () => {
    const nested = (levels: number): string => '{"A":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);

    expect(() => decodeMessage('JSON', Buffer.from(nested(16)))).not.toThrow();
    expect(rejectionOf('JSON', nested(17)).message).toBe('nesting deeper than 16');
    expect(rejectionOf('JSON', '{"A":' + '['.repeat(16) + ']'.repeat(16) + '}').message).toBe('nesting deeper than 16');
  });

  it('refuses 16 MiB of open brackets at the 17th level, before the parser sees them', () => {
    expect(rejectionBeforeParser('JSON', '{"A":' + '['.repeat(16 * 1024 * 1024)).message).toBe('nesting deeper than 16');
  });

  it.each([
    ['numbers in a list', () => `{"L":[${'1,'.repeat(8 * 1024 * 1024 - 8)}1]}`],
    ['empty objects in a list', () => `{"L":[${'{},'.repeat(5 * 1024 * 1024)}{}]}`],
    [
      'distinct keys',
      () => {
        const parts = ['{'];
        for (let i = 0; i < 1_500_000; i++) parts.push(`"A${i}":1,`);
        return parts.join('') + '"Z":1}';
      },
    ],
  ])('refuses some 16 MiB of %s at value 20,001, before the parser sees them', (_case, json) => {
    expect(rejectionBeforeParser('JSON', json()).message).toBe('more than 20000 values');
  });

  it('stops reading at the 17th level: what follows is never looked at', () => {
    // Read on, the scan would refuse the repeated key.
    const json = '{"A":' + '['.repeat(15) + '{"K":1,"K":2}' + ']'.repeat(15) + '}';

    expect(rejectionBeforeParser('JSON', json).message).toBe('nesting deeper than 16');
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x7b, 0x22, 0x41, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d])],
    ['GBK bytes', Buffer.concat([Buffer.from('{"A":"'), iconv.encode('张三丰', 'gbk'), Buffer.from('"}')])],
    ['random binary', Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
  ])('refuses invalid UTF-8: %s', (_case, body) => {
    expect(rejectionOf('JSON', body).message).toBe('invalid UTF-8');
  });
});
