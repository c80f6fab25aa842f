/**
 * Money as integer fen (1 yuan = 100 fen). Wraps a bigint so no arithmetic on yuan floats can creep in;
 * partner amounts are at most 13 integer digits, far inside Number.MAX_SAFE_INTEGER fen, but sums need not be.
 */
export class Fen {
  static readonly ZERO = new Fen(0n);
  private static readonly YUAN_PATTERN = /^(-)?(\d{1,13})(?:\.(\d{1,2}))?$/;

  private constructor(readonly value: bigint) {}

  static of(value: bigint | number | string): Fen {
    if (typeof value === 'bigint') return new Fen(value);
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`fen must be an integer, got ${value}`);
      return new Fen(BigInt(value));
    }
    if (!/^-?\d+$/.test(value)) throw new RangeError(`fen must be an integer, got "${value}"`);
    return new Fen(BigInt(value));
  }

  /** Parses a yuan string such as "150", "150.5" or "150.00"; returns null when it is not one. */
  static parseYuan(text: string, options: { allowNegative?: boolean } = {}): Fen | null {
    const match = Fen.YUAN_PATTERN.exec(text);
    if (!match) return null;
    const [, sign, whole, fraction = ''] = match;
    if (sign && !options.allowNegative) return null;
    const fen = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
    return new Fen(sign ? -fen : fen);
  }

  static sum(values: Iterable<Fen>): Fen {
    let total = 0n;
    for (const v of values) total += v.value;
    return new Fen(total);
  }

  plus(other: Fen): Fen {
    return new Fen(this.value + other.value);
  }

  minus(other: Fen): Fen {
    return new Fen(this.value - other.value);
  }

  negate(): Fen {
    return new Fen(-this.value);
  }

  equals(other: Fen): boolean {
    return this.value === other.value;
  }

  compare(other: Fen): -1 | 0 | 1 {
    return this.value < other.value ? -1 : this.value > other.value ? 1 : 0;
  }

  isPositive(): boolean {
    return this.value > 0n;
  }

  isZero(): boolean {
    return this.value === 0n;
  }

  /** Yuan with exactly two decimals: "150.00", "-0.05". */
  toYuan(): string {
    const negative = this.value < 0n;
    const abs = negative ? -this.value : this.value;
    const whole = abs / 100n;
    const cents = (abs % 100n).toString().padStart(2, '0');
    return `${negative ? '-' : ''}${whole}.${cents}`;
  }

  /** The integer fen as a decimal string, the form stored in bigint columns. */
  toString(): string {
    return this.value.toString();
  }

  toJSON(): string {
    return this.toYuan();
  }
}
