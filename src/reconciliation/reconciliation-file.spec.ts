import { Fen } from '../common/fen';
import {
  detailLine,
  isoDateOf,
  parsePartnerFile,
  reconciliationFileName,
  ReconciliationFileError,
  summaryLine,
} from './reconciliation-file';

const yuan = (text: string) => Fen.parseYuan(text, { allowNegative: true }) as Fen;
const file = (text: string) => Buffer.from(text, 'utf8');

function failure(content: Buffer): ReconciliationFileError {
  try {
    parsePartnerFile(content);
  } catch (error) {
    if (error instanceof ReconciliationFileError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('reconciliation file', () => {
  it('names the file <CompanyId>_<YYYYMMDD>.txt', () => {
    expect(reconciliationFileName('654321', '2024-01-02')).toBe('654321_20240102.txt');
  });

  it('writes the summary and detail lines with two decimals, reversals negative', () => {
    expect(summaryLine(2, yuan('-0.5'))).toBe('2|-0.50\n');
    expect(
      detailLine({
        businessDate: '2024-01-02',
        tranSeq: 'REVT1',
        billKey: '123456',
        amount: yuan('-150'),
        subChannel: 7,
        tranCode: 'PayInvalid',
      }),
    ).toBe('20240102|REVT1|123456|-150.00|7|PayInvalid\n');
  });

  it('keeps a separator or a line break in a customer number from splitting the line', () => {
    expect(
      detailLine({ businessDate: '2024-01-02', tranSeq: 'T1', billKey: 'A|B\r\nC', amount: yuan('1'), subChannel: 0, tranCode: 'Pay' }),
    ).toBe('20240102|T1|A B  C|1.00|0|Pay\n');
  });

  it('reads real calendar dates only', () => {
    expect(isoDateOf('20240229')).toBe('2024-02-29');
    expect(isoDateOf('20230229')).toBeNull();
    expect(isoDateOf('2024-02-01')).toBeNull();
    expect(isoDateOf('00000101')).toBeNull();
  });

  it('reads a file with its summary, keeping the lines by TranSeq in file order', () => {
    const parsed = parsePartnerFile(file('2|-49.50\n20240102|B|k|100.50|0|Pay\n20240102|A|k|-150.00|3|PayInvalid\n'));
    expect(parsed.count).toBe(2);
    expect(parsed.total.toYuan()).toBe('-49.50');
    expect([...parsed.lines.entries()].map(([seq, line]) => [seq, line.lineNo, line.amount.toYuan()])).toEqual([
      ['B', 2, '100.50'],
      ['A', 3, '-150.00'],
    ]);
  });

  it('accepts a BOM, CRLF, no final line end, amounts of one or no decimals and trailing blank lines', () => {
    const parsed = parsePartnerFile(file('\uFEFF2|101.5\r\n20240102|A|k|100|0|Pay\r\n20240102|B|k|1.5|0|Withhold\r\n\r\n'));
    expect(parsed.total.toYuan()).toBe('101.50');
    expect(parsePartnerFile(file('1|1.00\n20240102|A|k|1.00|0|Pay')).count).toBe(1);
    expect(parsePartnerFile(file('0|0.00')).lines.size).toBe(0);
  });

  it('accepts a summary total beyond one amount’s 13 digits', () => {
    const big = '9999999999999.99';
    expect(parsePartnerFile(file(`2|19999999999999.98\n20240102|A|k|${big}|0|Pay\n20240102|B|k|${big}|0|Pay\n`)).total.toYuan()).toBe(
      '19999999999999.98',
    );
  });

  it.each([
    ['a BOM on a later line', 2, 'bad date', '1|1.00\n\uFEFF20240102|A|k|1.00|0|Pay\n'],
    ['a zero amount', 2, 'bad amount', '1|0.00\n20240102|A|k|0.00|0|Pay\n'],
    ['an exponent', 2, 'bad amount', '1|100.00\n20240102|A|k|1e2|0|Pay\n'],
    ['full-width digits', 2, 'bad amount', '1|1.00\n20240102|A|k|１.00|0|Pay\n'],
    ['a negative payment', 2, 'amount sign', '1|-1.00\n20240102|A|k|-1.00|0|Pay\n'],
    ['an unknown TranCode', 2, 'bad TranCode', '1|1.00\n20240102|A|k|1.00|0|Refund\n'],
    ['a bad SubChannel', 2, 'bad SubChannel', '1|1.00\n20240102|A|k|1.00|-1|Pay\n'],
    ['a long TranSeq', 2, 'bad TranSeq', `1|1.00\n20240102|${'A'.repeat(41)}|k|1.00|0|Pay\n`],
    ['an empty BillKey', 2, 'bad BillKey', '1|1.00\n20240102|A||1.00|0|Pay\n'],
    ['a date that does not exist', 2, 'bad date', '1|1.00\n20240230|A|k|1.00|0|Pay\n'],
    ['a negative count', 1, 'bad count', '-1|1.00\n'],
    ['a total with three decimals', 1, 'bad total', '0|0.000\n'],
  ])('refuses %s, naming line %i', (_what, lineNo, en, text) => {
    const error = failure(file(text));
    expect(error.lineNo).toBe(lineNo);
    expect(error.en).toContain(`line ${lineNo}: ${en}`);
    expect(error.zh).toContain(`对账文件第${lineNo}行`);
  });
});
