import { aesCbcSuite } from './aes-cbc.suite';
import { aesGcmSuite } from './aes-gcm.suite';
import { assertSecret, CipherIntegrityError, CipherMode, CipherSuite, CipherType, UnsupportedCipherError } from './cipher-suite';
import { sm4CbcSuite } from './sm4-cbc.suite';
import { tdesCbcSuite } from './tdes-cbc.suite';

/** Every type/mode pair in the wire contract; anything absent here is unsupported. */
const SUITES: ReadonlyMap<string, CipherSuite> = new Map(
  [aesGcmSuite, sm4CbcSuite, aesCbcSuite, tdesCbcSuite].map((suite) => [suiteKey(suite.type, suite.mode), suite]),
);

/** Mode a partner gets when it names only the type. */
const DEFAULT_MODES: Readonly<Record<CipherType, CipherMode>> = { SM4: 'CBC', AES: 'GCM', '3DES': 'CBC' };

/** ASCII-only before upper-casing: String#toUpperCase maps e.g. 'ſ' to 'S', which would let odd spellings through. */
const HEADER_TOKEN = /^[A-Za-z0-9]+$/;

/** Strict standard base64: no whitespace, no URL-safe alphabet, padding only at the end. */
const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function suiteKey(type: string, mode: string): string {
  return `${type}/${mode}`;
}

function normalizeToken(value: string): string | null {
  return HEADER_TOKEN.test(value) ? value.toUpperCase() : null;
}

function isCipherType(value: string): value is CipherType {
  return Object.prototype.hasOwnProperty.call(DEFAULT_MODES, value);
}

/**
 * Maps the partner's cipher headers to a suite. Returns null when the body is plaintext (type absent or NONE);
 * throws UnsupportedCipherError for any pair outside the contract, including an empty type header.
 */
export function resolveCipherSuite(type: string | undefined, mode: string | undefined): CipherSuite | null {
  if (type === undefined) return null;
  const normalizedType = normalizeToken(type);
  if (normalizedType === 'NONE') return null;
  if (normalizedType === null || !isCipherType(normalizedType)) throw new UnsupportedCipherError(type, mode);

  const normalizedMode = mode === undefined ? DEFAULT_MODES[normalizedType] : normalizeToken(mode);
  const suite = normalizedMode === null ? undefined : SUITES.get(suiteKey(normalizedType, normalizedMode));
  if (suite === undefined) throw new UnsupportedCipherError(type, mode);
  return suite;
}

/** Seals a plaintext for the wire: the suite's body bytes as standard base64. */
export function encodeBody(suite: CipherSuite, plaintext: Buffer, secret: Buffer): string {
  assertSecret(secret);
  return suite.encrypt(plaintext, secret).toString('base64');
}

/** Opens a wire body; any partner-side fault, from bad base64 to a bad MAC, is the same CipherIntegrityError. */
export function decodeBody(suite: CipherSuite, base64Text: string, secret: Buffer): Buffer {
  // Checked first so a misconfigured secret surfaces as our error, never disguised as a partner's.
  assertSecret(secret);
  return suite.decrypt(parseStrictBase64(base64Text), secret);
}

/** Buffer.from(…, 'base64') silently skips junk, so we insist the text is exactly what re-encoding would give. */
function parseStrictBase64(text: string): Buffer {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !STANDARD_BASE64.test(text)) {
    throw new CipherIntegrityError();
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new CipherIntegrityError();
  return bytes;
}
