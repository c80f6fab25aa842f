import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Each institution's secret K is exactly this many bytes; anything else is our misconfiguration, not the partner's. */
export const SECRET_LENGTH = 32;

export type CipherType = 'SM4' | 'AES' | '3DES';
export type CipherMode = 'CBC' | 'GCM';

/** One row of the partner wire contract: how a body is sealed and opened with an institution's secret. */
export interface CipherSuite {
  readonly type: CipherType;
  readonly mode: CipherMode;
  /** True for suites kept only for partners that cannot upgrade yet. */
  readonly legacy: boolean;
  /** Returns the raw body bytes (before base64) with a fresh random IV. */
  encrypt(plaintext: Buffer, secret: Buffer): Buffer;
  /** Verifies the tag or MAC before producing plaintext; every failure is a CipherIntegrityError. */
  decrypt(body: Buffer, secret: Buffer): Buffer;
}

/**
 * The only error a partner can provoke while we open a body. It carries one fixed message and no cause,
 * so callers cannot tell a bad MAC from bad padding or bad base64 (no padding/format oracle).
 */
export class CipherIntegrityError extends Error {
  static readonly MESSAGE = 'payload decryption failed';

  constructor() {
    super(CipherIntegrityError.MESSAGE);
    this.name = 'CipherIntegrityError';
  }
}

/** The partner asked for a type/mode pair outside the contract; safe to report, it reveals nothing about keys. */
export class UnsupportedCipherError extends Error {
  constructor(
    readonly requestedType: string,
    readonly requestedMode: string | undefined,
  ) {
    super(`unsupported cipher ${describeHeader(requestedType)}/${describeHeader(requestedMode)}`);
    this.name = 'UnsupportedCipherError';
  }
}

/** Header values are partner-controlled: quote and cap them so they cannot flood or forge log lines. */
function describeHeader(value: string | undefined): string {
  return value === undefined ? '(default)' : JSON.stringify(value.slice(0, 32));
}

/** Throws a plain Error (a server-side fault) unless the secret has the contract length. */
export function assertSecret(secret: Buffer): void {
  if (!Buffer.isBuffer(secret) || secret.length !== SECRET_LENGTH) {
    throw new Error(`cipher secret must be ${SECRET_LENGTH} bytes`);
  }
}

/** Compares a received tag with the expected one: length first, since timingSafeEqual throws on a mismatch. */
export function tagsMatch(received: Buffer, expected: Buffer): boolean {
  return received.length === expected.length && timingSafeEqual(received, expected);
}

export interface EncryptThenMacCbcOptions {
  readonly type: CipherType;
  readonly legacy: boolean;
  /** Node cipher name of a CBC cipher that pads with PKCS#7 by default. */
  readonly cipherName: 'sm4-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';
  /** A CBC IV is one cipher block, so this is also the block length. */
  readonly ivLength: number;
  /** Ke is the first this-many bytes of HMAC-macHash(K, "enc"). */
  readonly encryptionKeyLength: number;
  /** Hash for both key derivation and the MAC: Km = HMAC-macHash(K, "mac"). */
  readonly macHash: 'sm3' | 'sha256';
}

interface DerivedKeys {
  readonly encryptionKey: Buffer;
  readonly macKey: Buffer;
}

/**
 * The shared shape of the CBC rows: iv ‖ ciphertext(PKCS#7) ‖ HMAC(Km, iv ‖ ciphertext).
 * Encrypt-then-MAC lets us reject a forged body before the decipher ever sees it.
 */
export class EncryptThenMacCbcSuite implements CipherSuite {
  readonly mode = 'CBC';
  readonly type: CipherType;
  readonly legacy: boolean;
  private readonly macLength: number;
  private readonly derived = new WeakMap<Buffer, DerivedKeys>();

  constructor(private readonly options: EncryptThenMacCbcOptions) {
    this.type = options.type;
    this.legacy = options.legacy;
    this.macLength = createHmac(options.macHash, Buffer.alloc(0)).digest().length;
  }

  encrypt(plaintext: Buffer, secret: Buffer): Buffer {
    assertSecret(secret);
    const { encryptionKey, macKey } = this.deriveKeys(secret);
    const iv = randomBytes(this.options.ivLength);
    const cipher = createCipheriv(this.options.cipherName, encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, ciphertext, this.mac(macKey, iv, ciphertext)]);
  }

  decrypt(body: Buffer, secret: Buffer): Buffer {
    assertSecret(secret);
    const { ivLength } = this.options;
    const ciphertextLength = body.length - ivLength - this.macLength;
    // PKCS#7 always yields at least one whole block, so no other length can be a body we produced.
    if (ciphertextLength < ivLength || ciphertextLength % ivLength !== 0) throw new CipherIntegrityError();

    const iv = body.subarray(0, ivLength);
    const ciphertext = body.subarray(ivLength, ivLength + ciphertextLength);
    const receivedMac = body.subarray(ivLength + ciphertextLength);
    const { encryptionKey, macKey } = this.deriveKeys(secret);
    if (!tagsMatch(receivedMac, this.mac(macKey, iv, ciphertext))) throw new CipherIntegrityError();

    try {
      const decipher = createDecipheriv(this.options.cipherName, encryptionKey, iv);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      // Only reachable with a valid MAC (i.e. our own key sealed bad padding), but still must not be distinguishable.
      throw new CipherIntegrityError();
    }
  }

  /**
   * Ke and Km depend on K alone: kept as long as that very secret buffer lives (the credential cache hands the same
   * one to every request of its key), so a request and its answer do not derive them twice each.
   */
  private deriveKeys(secret: Buffer): DerivedKeys {
    let keys = this.derived.get(secret);
    if (!keys) {
      const { macHash, encryptionKeyLength } = this.options;
      keys = {
        encryptionKey: createHmac(macHash, secret).update('enc').digest().subarray(0, encryptionKeyLength),
        macKey: createHmac(macHash, secret).update('mac').digest(),
      };
      this.derived.set(secret, keys);
    }
    return keys;
  }

  private mac(macKey: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
    return createHmac(this.options.macHash, macKey).update(iv).update(ciphertext).digest();
  }
}
