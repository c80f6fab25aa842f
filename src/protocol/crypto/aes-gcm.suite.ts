import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { assertSecret, CipherIntegrityError, CipherSuite } from './cipher-suite';

/** 96-bit IV is GCM's native nonce size (no GHASH-derived counter). */
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/** AES-256-GCM keyed directly with K; body is iv(12) ‖ ciphertext ‖ tag(16). */
export class AesGcmSuite implements CipherSuite {
  readonly type = 'AES';
  readonly mode = 'GCM';
  readonly legacy = false;

  encrypt(plaintext: Buffer, secret: Buffer): Buffer {
    assertSecret(secret);
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_LENGTH });
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
  }

  decrypt(body: Buffer, secret: Buffer): Buffer {
    assertSecret(secret);
    if (body.length < IV_LENGTH + TAG_LENGTH) throw new CipherIntegrityError();
    const iv = body.subarray(0, IV_LENGTH);
    const ciphertext = body.subarray(IV_LENGTH, body.length - TAG_LENGTH);
    const tag = body.subarray(body.length - TAG_LENGTH);

    try {
      // authTagLength pins the tag at 16 bytes so a truncated tag cannot be accepted.
      const decipher = createDecipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_LENGTH });
      decipher.setAuthTag(tag);
      const unverified = decipher.update(ciphertext);
      // final() checks the tag in constant time inside OpenSSL; nothing leaves this method unless it passes.
      const trailing = decipher.final();
      return Buffer.concat([unverified, trailing]);
    } catch {
      throw new CipherIntegrityError();
    }
  }
}

export const aesGcmSuite: CipherSuite = new AesGcmSuite();
