/**
 * A JSON number kept as its exact source token ("150.00", "1e2", "150.001"), because amounts are validated
 * against what the partner wrote, not against a float it happens to round to.
 */
export class JsonNumber {
  constructor(readonly raw: string) {}

  toString(): string {
    return this.raw;
  }
}
