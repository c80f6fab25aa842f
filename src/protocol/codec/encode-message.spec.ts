import * as iconv from 'iconv-lite';
import * as fc from 'fast-check';
import { Fen } from '../../common/fen';
import { contentTypeFor, decodeMessage, encodeMessage, encodeRequestMessage, type ResponseMessage } from './index';

const REVERSAL_RESPONSE: ResponseMessage = {
  Version: '1.0.1',
  RespMessage: '红冲成功',
  Data: { Transaction: { TranSeq: 'REV123456789013', PayAmount: Fen.of(-15000n), TranStatus: 1 } },
  Bills: [
    { BillNo: 'B202401', Amount: Fen.of(15000n), LateFee: Fen.ZERO, BillStatus: 0, OriginalTranSeq: undefined },
    { BillNo: 'B202402', Amount: Fen.of(5n), LateFee: Fen.of(100n), BillStatus: 2, DueDate: null },
  ],
};

const REVERSAL_JSON =
  '{"Version":"1.0.1","RespMessage":"红冲成功","Data":{"Transaction":{"TranSeq":"REV123456789013","PayAmount":-150.00,"TranStatus":1}},' +
  '"Bills":[{"BillNo":"B202401","Amount":150.00,"LateFee":0.00,"BillStatus":0},{"BillNo":"B202402","Amount":0.05,"LateFee":1.00,"BillStatus":2}]}';

const REVERSAL_XML_BODY =
  '<out><Version>1.0.1</Version><RespMessage>红冲成功</RespMessage><Data><Transaction><TranSeq>REV123456789013</TranSeq>' +
  '<PayAmount>-150.00</PayAmount><TranStatus>1</TranStatus></Transaction></Data><Bills><Bill><BillNo>B202401</BillNo>' +
  '<Amount>150.00</Amount><LateFee>0.00</LateFee><BillStatus>0</BillStatus></Bill><Bill><BillNo>B202402</BillNo>' +
  '<Amount>0.05</Amount><LateFee>1.00</LateFee><BillStatus>2</BillStatus></Bill></Bills></out>';

describe('encodeMessage — JSON', () => {
  it('writes the reversal response exactly: insertion order, amounts with two decimals, no whitespace, absent fields left out', () => {
    expect(encodeMessage('JSON', REVERSAL_RESPONSE).toString('utf8')).toBe(REVERSAL_JSON);
  });

  it('is UTF-8 even when GBK is asked for', () => {
    expect(encodeMessage('JSON', REVERSAL_RESPONSE, 'GBK').toString('utf8')).toBe(REVERSAL_JSON);
  });

  it('escapes strings exactly as JSON.stringify does', () => {
    const text = 'a"b\\c\n\t\u0001\u2028😀\ud800</script>';

    expect(encodeMessage('JSON', { [text]: text }).toString('utf8')).toBe(`{${JSON.stringify(text)}:${JSON.stringify(text)}}`);
  });

  it('writes booleans, integers, empty objects and arrays, and leaves null list entries out', () => {
    const message: ResponseMessage = { A: true, B: false, C: -42, D: {}, E: [], F: [null, 'x', undefined, 7] };

    expect(encodeMessage('JSON', message).toString()).toBe('{"A":true,"B":false,"C":-42,"D":{},"E":[],"F":["x",7]}');
  });

  it('is read back by JSON.parse', () => {
    expect(JSON.parse(encodeMessage('JSON', REVERSAL_RESPONSE).toString())).toMatchObject({ Data: { Transaction: { PayAmount: -150 } } });
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])('refuses the non-integer number %p (amounts are Fen)', (value) => {
    expect(() => encodeMessage('JSON', { PayAmount: value })).toThrow(/safe integers/);
  });
});

describe('encodeMessage — XML', () => {
  it('writes the reversal response exactly in UTF-8', () => {
    const expected = `<?xml version="1.0" encoding="UTF-8"?>${REVERSAL_XML_BODY}`;

    expect(encodeMessage('XML', REVERSAL_RESPONSE).toString('utf8')).toBe(expected);
    expect(encodeMessage('XML', REVERSAL_RESPONSE, 'UTF-8').toString('utf8')).toBe(expected);
  });

  it('writes the reversal response exactly in GBK, readable by iconv-lite', () => {
    const bytes = encodeMessage('XML', REVERSAL_RESPONSE, 'GBK');

    expect(iconv.decode(bytes, 'gbk')).toBe(`<?xml version="1.0" encoding="GBK"?>${REVERSAL_XML_BODY}`);
    expect(bytes.includes(iconv.encode('红冲成功', 'gbk'))).toBe(true);
    expect(bytes.includes(Buffer.from('红冲成功', 'utf8'))).toBe(false);
  });

  it('escapes markup characters and keeps CR as a reference', () => {
    const xml = encodeMessage('XML', { Msg: `a&b<c>d"e'f\r\ng` }).toString();

    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><out><Msg>a&amp;b&lt;c&gt;d&quot;e&apos;f&#13;\ng</Msg></out>');
  });

  it('replaces characters XML 1.0 cannot carry with U+FFFD', () => {
    const xml = encodeMessage('XML', { Msg: 'a\u0000b\u001fc\ud800d\uffff' }).toString();

    expect(xml).toContain('<Msg>a\uFFFDb\uFFFDc\uFFFDd\uFFFD</Msg>');
  });

  it('writes characters outside GBK as numeric character references, never as "?"', () => {
    const bytes = encodeMessage('XML', { Msg: '张三丰 😀 • \uFEFF€ 𠀀' }, 'GBK');
    const text = iconv.decode(bytes, 'gbk');

    expect(text).toContain('<Msg>张三丰 &#x1F600; &#x2022; &#xFEFF;€ &#x20000;</Msg>');
    expect(text).not.toContain('?<');
    expect(
      decodeMessage('XML', Buffer.from(text.replace('<out>', '<in>').replace('</out>', '</in>').replace('GBK', 'UTF-8'))).fields,
    ).toEqual({
      Msg: '张三丰 😀 • \uFEFF€ 𠀀',
    });
  });

  it('writes lists with Item by default and Bill in Bills, nested lists, empty values and booleans', () => {
    const message: ResponseMessage = {
      BillNos: ['B1', 'B2'],
      Matrix: [['x'], []],
      Bills: [{ BillNo: 'B1' }],
      Empty: '',
      Nothing: {},
      Flag: false,
      Skipped: null,
    };

    expect(encodeMessage('XML', message).toString()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><out><BillNos><Item>B1</Item><Item>B2</Item></BillNos>' +
        '<Matrix><Item><Item>x</Item></Item><Item></Item></Matrix><Bills><Bill><BillNo>B1</BillNo></Bill></Bills>' +
        '<Empty></Empty><Nothing></Nothing><Flag>false</Flag></out>',
    );
  });

  it('refuses names that are not XML names (a bug on our side)', () => {
    expect(() => encodeMessage('XML', { 'Bad Name': 'x' })).toThrow(/not an XML element name/);
    expect(() => encodeMessage('XML', { '1st': 'x' })).toThrow(/not an XML element name/);
  });

  it('writes requests with the <in> root, which decode back to the same fields', () => {
    const message: ResponseMessage = {
      TranCode: 'SendDisc',
      TotalAmount: Fen.of(30000n),
      WithholdingList: [{ PayAmount: Fen.of(15000n) }],
    };
    const body = encodeRequestMessage('XML', message, 'GBK');

    expect(iconv.decode(body, 'gbk')).toMatch(/^<\?xml version="1.0" encoding="GBK"\?><in><TranCode>SendDisc<\/TranCode>/);
    expect(decodeMessage('XML', body)).toEqual({
      fields: { TranCode: 'SendDisc', TotalAmount: '300.00', WithholdingList: [{ PayAmount: '150.00' }] },
      charset: 'GBK',
    });
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['XML', 'GBK', 'application/xml; charset=GBK'],
    ['XML', 'UTF-8', 'application/xml; charset=UTF-8'],
    ['JSON', 'UTF-8', 'application/json; charset=utf-8'],
    ['JSON', 'GBK', 'application/json; charset=utf-8'],
  ] as const)('%s in %s is %s', (format, charset, contentType) => {
    expect(contentTypeFor(format, charset)).toBe(contentType);
  });

  it('defaults to UTF-8', () => {
    expect(contentTypeFor('XML')).toBe('application/xml; charset=UTF-8');
  });
});

describe('encodeMessage — GBK bytes', () => {
  /** The whole answer through iconv-lite, characters outside GBK as references: what GBK answers must equal. */
  const wholeStringGbk = (message: ResponseMessage): Buffer => {
    const xml = encodeMessage('XML', message, 'UTF-8').toString('utf8').replace('encoding="UTF-8"', 'encoding="GBK"');
    const referenced = xml.replace(/[\u0080-\u{10FFFF}]/gu, (char) =>
      iconv.decode(iconv.encode(char, 'gbk'), 'gbk') === char ? char : `&#x${char.codePointAt(0)!.toString(16).toUpperCase()};`,
    );
    return iconv.encode(referenced, 'gbk');
  };

  it('are those of encoding the whole answer at once, for any mix of ASCII, Chinese and characters outside GBK', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', '<', '&', '1', ' ', '红', '冲', '成', '功', '€', '•', '😀', '𠮷', 'é', '·'),
      maxLength: 30,
    });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const message = { RespCode: 'AAAAAAA', RespMessage: a, Data: { Name: b, Items: [{ Note: `${a}${b}` }] } };
        expect(encodeMessage('XML', message, 'GBK').equals(wholeStringGbk(message))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
