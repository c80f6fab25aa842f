import { Fen } from './fen';

describe('Fen', () => {
  it.each([
    ['150', 15000n],
    ['150.5', 15050n],
    ['150.00', 15000n],
    ['0.01', 1n],
    ['9999999999999.99', 999999999999999n],
  ])('parses yuan %s as %s fen', (text, fen) => {
    expect(Fen.parseYuan(text)?.value).toBe(fen);
  });

  it.each(['', '-1.00', '1.234', '1e3', '1,00', ' 1.00', '１.00', '.50', '1.', '99999999999999', 'NaN'])('rejects %p', (text) => {
    expect(Fen.parseYuan(text)).toBeNull();
  });

  it('accepts negative yuan only when asked', () => {
    expect(Fen.parseYuan('-150.00', { allowNegative: true })?.value).toBe(-15000n);
  });

  it.each([
    [15000n, '150.00'],
    [-15000n, '-150.00'],
    [5n, '0.05'],
    [-5n, '-0.05'],
    [0n, '0.00'],
  ])('formats %s fen as %s', (fen, yuan) => {
    expect(Fen.of(fen).toYuan()).toBe(yuan);
  });

  it('adds without float error', () => {
    const total = Fen.sum(['0.10', '0.20', '0.70'].map((y) => Fen.parseYuan(y) as Fen));
    expect(total.toYuan()).toBe('1.00');
  });

  it('refuses non-integer fen', () => {
    expect(() => Fen.of(1.5)).toThrow(RangeError);
    expect(() => Fen.of('1.5')).toThrow(RangeError);
  });
});
