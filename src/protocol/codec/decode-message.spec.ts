import * as iconv from 'iconv-lite';
import { decodeMessage, JsonNumber, MessageFormatError } from './index';

const SEED_XML =
  '<?xml version="1.0" encoding="UTF-8"?><in><Version>1.0.1</Version><InstId>00001</InstId><TranCode>PayInvalid</TranCode>' +
  '<TranDate>20240101</TranDate><TranSeq>123456789013</TranSeq><OriginalTranSeq>TXN123456789012</OriginalTranSeq>' +
  '<BillKey>123456</BillKey><CompanyId>654321</CompanyId></in>';

const SEED_JSON =
  '{"Version":"1.0.1","InstId":"00001","TranCode":"PayInvalid","TranDate":"20240101","TranSeq":"123456789013",' +
  '"OriginalTranSeq":"TXN123456789012","BillKey":"123456","CompanyId":"654321"}';

const SEED_FIELDS = {
  Version: '1.0.1',
  InstId: '00001',
  TranCode: 'PayInvalid',
  TranDate: '20240101',
  TranSeq: '123456789013',
  OriginalTranSeq: 'TXN123456789012',
  BillKey: '123456',
  CompanyId: '654321',
};

const SIGNING_XML =
  '<in><Version>1.0.1</Version><InstId>00001</InstId><TranCode>Signing</TranCode><TranDate>20240101</TranDate>' +
  '<TranSeq>123456789014</TranSeq><BillKey>123456</BillKey><CompanyId>654321</CompanyId><AccountName>张三丰</AccountName>' +
  '<AccountNo>6222020200001234</AccountNo><BankName>红冲成功银行</BankName></in>';

function withDeclaration(encoding: string, xml: string): string {
  return `<?xml version="1.0" encoding="${encoding}"?>${xml}`;
}

function withholdingList(count: number): string {
  const item =
    '<Item><BillKey>123456</BillKey><CompanyId>654321</CompanyId><AgreementNo>AGR001</AgreementNo><PayAmount>150.00</PayAmount></Item>';
  return (
    '<in><Version>1.0.1</Version><TranCode>SendDisc</TranCode><BatchNo>B001</BatchNo>' +
    `<TotalCount>${count}</TotalCount><WithholdingList>${item.repeat(count)}</WithholdingList></in>`
  );
}

const WITHHOLDING_ITEM = { BillKey: '123456', CompanyId: '654321', AgreementNo: 'AGR001', PayAmount: '150.00' };

describe('decodeMessage — the customer seed requests', () => {
  it('decodes the XML seed (UTF-8) to its fields, in document order', () => {
    const decoded = decodeMessage('XML', Buffer.from(SEED_XML, 'utf8'));

    expect(decoded).toEqual({ fields: SEED_FIELDS, charset: 'UTF-8' });
    expect(Object.keys(decoded.fields)).toEqual(Object.keys(SEED_FIELDS));
    expect(Object.getPrototypeOf(decoded.fields)).toBe(Object.prototype);
  });

  it('decodes the XML seed encoded in GBK and answers in GBK', () => {
    const body = iconv.encode(SEED_XML.replace('encoding="UTF-8"', 'encoding="GBK"'), 'gbk');

    expect(decodeMessage('XML', body)).toEqual({ fields: SEED_FIELDS, charset: 'GBK' });
  });

  it('decodes the JSON seed to the same fields', () => {
    const decoded = decodeMessage('JSON', Buffer.from(SEED_JSON, 'utf8'));

    expect(decoded).toEqual({ fields: SEED_FIELDS, charset: 'UTF-8' });
    expect(Object.keys(decoded.fields)).toEqual(Object.keys(SEED_FIELDS));
  });

  it.each(['UTF-8', 'GBK'])('keeps Chinese text intact in %s', (encoding) => {
    const xml = withDeclaration(encoding, SIGNING_XML);
    const body = encoding === 'GBK' ? iconv.encode(xml, 'gbk') : Buffer.from(xml, 'utf8');

    const { fields } = decodeMessage('XML', body);

    expect(fields.AccountName).toBe('张三丰');
    expect(fields.BankName).toBe('红冲成功银行');
  });

  it('keeps Chinese text intact in JSON', () => {
    const { fields } = decodeMessage('JSON', Buffer.from('{"AccountName":"张三丰","RespMessage":"红冲成功"}', 'utf8'));

    expect(fields).toEqual({ AccountName: '张三丰', RespMessage: '红冲成功' });
  });
});

describe('decodeMessage — lists', () => {
  it.each([1, 3])('reads a WithholdingList of %i Item(s) as an array', (count) => {
    const { fields } = decodeMessage('XML', Buffer.from(withholdingList(count)));

    expect(fields.WithholdingList).toEqual(Array.from({ length: count }, () => WITHHOLDING_ITEM));
    expect(fields.TotalCount).toBe(String(count));
  });

  it.each([1, 3])('reads a JSON WithholdingList of %i item(s) as an array', (count) => {
    const list = Array.from({ length: count }, () => WITHHOLDING_ITEM);
    const { fields } = decodeMessage('JSON', Buffer.from(JSON.stringify({ TotalCount: count, WithholdingList: list })));

    expect(fields).toEqual({ TotalCount: new JsonNumber(String(count)), WithholdingList: list });
  });

  it('reads Bills holding Bill elements as an array', () => {
    const xml = '<in><Bills><Bill><BillNo>B1</BillNo></Bill><Bill><BillNo>B2</BillNo></Bill></Bills></in>';

    expect(decodeMessage('XML', Buffer.from(xml)).fields).toEqual({ Bills: [{ BillNo: 'B1' }, { BillNo: 'B2' }] });
  });

  it('reads a list of plain values', () => {
    const xml = '<in><BillNos><Item>B1</Item><Item>B2</Item></BillNos></in>';

    expect(decodeMessage('XML', Buffer.from(xml)).fields).toEqual({ BillNos: ['B1', 'B2'] });
  });

  it('reads Bill elements outside Bills as an ordinary field', () => {
    const xml = '<in><Data><Bill><BillNo>B1</BillNo></Bill></Data></in>';

    expect(decodeMessage('XML', Buffer.from(xml)).fields).toEqual({ Data: { Bill: { BillNo: 'B1' } } });
  });
});

describe('decodeMessage — XML values', () => {
  it('keeps text exactly: no trimming, entities and CDATA resolved, empty elements as empty strings', () => {
    const xml =
      '<in>\n  <Name>  张 三  </Name>\n  <Reason>a &amp; b &lt;c&gt; &#x4E09;&#19977;</Reason>\n' +
      '  <Raw><![CDATA[<x> & y]]></Raw>\n  <Empty></Empty>\n  <Short/>\n  <!-- comment -->\n</in>';

    expect(decodeMessage('XML', Buffer.from(xml)).fields).toEqual({
      Name: '  张 三  ',
      Reason: 'a & b <c> 三三',
      Raw: '<x> & y',
      Empty: '',
      Short: '',
    });
  });

  it('reads an empty root as no fields', () => {
    expect(decodeMessage('XML', Buffer.from('<in></in>')).fields).toEqual({});
    expect(decodeMessage('XML', Buffer.from('<in/>')).fields).toEqual({});
  });

  it('skips a UTF-8 byte order mark', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SEED_XML)]);

    expect(decodeMessage('XML', body).fields).toEqual(SEED_FIELDS);
  });
});

describe('decodeMessage — XML encodings', () => {
  const gbkBody = iconv.encode(SIGNING_XML, 'gbk');

  it('takes the charset parameter when there is no declaration', () => {
    expect(decodeMessage('XML', gbkBody, 'GBK')).toMatchObject({ fields: { AccountName: '张三丰' }, charset: 'GBK' });
    expect(decodeMessage('XML', gbkBody, '"gbk"').charset).toBe('GBK');
  });

  it('defaults to UTF-8 without declaration or charset parameter', () => {
    expect(decodeMessage('XML', Buffer.from(SIGNING_XML))).toMatchObject({ fields: { AccountName: '张三丰' }, charset: 'UTF-8' });
  });

  it('lets the declaration win over the charset parameter', () => {
    const body = Buffer.from(withDeclaration('UTF-8', SIGNING_XML), 'utf8');

    expect(decodeMessage('XML', body, 'GBK')).toMatchObject({ fields: { AccountName: '张三丰' }, charset: 'UTF-8' });
  });

  it.each([
    ['GB2312', 'gbk'],
    ['gb18030', 'gb18030'],
    ['gbk', 'gbk'],
  ])('reads %s as GBK and answers in GBK', (label, codec) => {
    const body = iconv.encode(withDeclaration(label, SIGNING_XML), codec);

    expect(decodeMessage('XML', body)).toMatchObject({ fields: { AccountName: '张三丰' }, charset: 'GBK' });
  });

  it('reads GB18030 four-byte characters', () => {
    const body = iconv.encode(withDeclaration('GB18030', '<in><Name>张😀</Name></in>'), 'gb18030');

    expect(decodeMessage('XML', body).fields).toEqual({ Name: '张😀' });
  });

  it.each([
    ['ISO-8859-1', 'encoding ISO-8859-1 is not supported'],
    ['UTF-16', 'encoding UTF-16 is not supported'],
    ['Big5', 'encoding Big5 is not supported'],
  ])('refuses the declared encoding %s', (label, message) => {
    expect(() => decodeMessage('XML', Buffer.from(withDeclaration(label, '<in/>')))).toThrow(new MessageFormatError(message));
  });

  it('refuses an unsupported charset parameter', () => {
    expect(() => decodeMessage('XML', Buffer.from('<in/>'), 'latin1')).toThrow(MessageFormatError);
  });
});

describe('decodeMessage — JSON values', () => {
  it('keeps every number as its source token', () => {
    const { fields } = decodeMessage('JSON', Buffer.from('{"A":150.00,"B":1e2,"C":150.001,"D":-0,"E":12345678901234567890}'));

    expect(fields).toEqual({
      A: new JsonNumber('150.00'),
      B: new JsonNumber('1e2'),
      C: new JsonNumber('150.001'),
      D: new JsonNumber('-0'),
      E: new JsonNumber('12345678901234567890'),
    });
    expect((fields.A as JsonNumber).raw).toBe('150.00');
  });

  it('keeps booleans, null, nested objects and arrays', () => {
    const { fields } = decodeMessage('JSON', Buffer.from(' {"A":true,"B":null,"C":{"D":[1,"x",{"E":false}]}} \n'));

    expect(fields).toEqual({ A: true, B: null, C: { D: [new JsonNumber('1'), 'x', { E: false }] } });
  });

  it('skips a UTF-8 byte order mark and accepts a UTF-8 charset parameter', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SEED_JSON)]);

    expect(decodeMessage('JSON', body, 'utf-8').fields).toEqual(SEED_FIELDS);
  });

  it('refuses a non-UTF-8 charset parameter', () => {
    expect(() => decodeMessage('JSON', Buffer.from(SEED_JSON), 'GBK')).toThrow(new MessageFormatError('JSON must be UTF-8'));
  });

  it('accepts nesting of exactly 16 levels', () => {
    const json = '{"a":'.repeat(15) + '{}' + '}'.repeat(15);

    expect(() => decodeMessage('JSON', Buffer.from(json))).not.toThrow();
  });
});

describe('decodeMessage — one request after another', () => {
  const good = (n: number) => Buffer.from(`<in><TranSeq>S${n}</TranSeq><Name>张三</Name></in>`, 'utf8');

  it('reads every document on its own, whatever the one before was', () => {
    const broken = ['<in><TranSeq>1</in>', '<in><a></b></in>', '<in>', '<in><TranSeq>1</TranSeq></in><in/>'];
    for (const [i, body] of broken.entries()) {
      expect(() => decodeMessage('XML', Buffer.from(body))).toThrow(MessageFormatError);
      expect(decodeMessage('XML', good(i)).fields).toEqual({ TranSeq: `S${i}`, Name: '张三' });
      expect(decodeMessage('XML', good(i + 100)).fields).toEqual({ TranSeq: `S${i + 100}`, Name: '张三' });
    }
  });

  it('reads plain-ASCII GBK bodies and GBK bodies with Chinese alike', () => {
    expect(decodeMessage('XML', iconv.encode('<?xml version="1.0" encoding="GBK"?><in><A>1</A></in>', 'gbk')).fields).toEqual({ A: '1' });
    expect(decodeMessage('XML', iconv.encode('<?xml version="1.0" encoding="GBK"?><in><A>红冲</A></in>', 'gbk')).fields).toEqual({
      A: '红冲',
    });
    expect(() => decodeMessage('XML', Buffer.from('<?xml version="1.0" encoding="GBK"?><in><A>\x81</A></in>', 'latin1'))).toThrow(
      MessageFormatError,
    );
  });
});
