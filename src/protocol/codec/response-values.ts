/**
 * Guards for what our own code hands the encoders. A violation is a server bug (plain Error → SYS1001),
 * never a partner's fault, and must not reach the wire as a float amount or `[object Object]`.
 */
export function assertWholeNumber(value: number): void {
  if (!Number.isSafeInteger(value)) throw new Error(`response numbers must be safe integers (amounts are Fen), got ${value}`);
}

export function assertPlainResponseObject(value: object): void {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new Error(`response values must be plain objects, got ${value.constructor?.name ?? 'an object'}`);
  }
}
