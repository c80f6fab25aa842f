import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
// jest.spyOn needs the mutable CommonJS module object; `import * as` would give read-only getters.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import nodeCrypto = require('node:crypto');
import { aesCbcSuite } from './aes-cbc.suite';
import { aesGcmSuite } from './aes-gcm.suite';
import { decodeBody, encodeBody } from './cipher-registry';
import { CipherIntegrityError, CipherSuite } from './cipher-suite';
import { sm4CbcSuite } from './sm4-cbc.suite';
import { tdesCbcSuite } from './tdes-cbc.suite';

/**
 * The CBC rows of the wire contract written out again from a partner's point of view, independent of
 * EncryptThenMacCbcSuite, so a test that passes means the code agrees with the table rather than with itself.
 */
interface CbcContractRow {
  readonly name: string;
  readonly suite: CipherSuite;
  readonly cipherName: string;
  readonly ivLength: number;
  readonly encryptionKeyLength: number;
  readonly hash: 'sm3' | 'sha256';
}

const CBC_ROWS: readonly CbcContractRow[] = [
  { name: 'SM4/CBC', suite: sm4CbcSuite, cipherName: 'sm4-cbc', ivLength: 16, encryptionKeyLength: 16, hash: 'sm3' },
  {
    name: 'AES/CBC',
    suite: aesCbcSuite,
    cipherName: 'aes-256-cbc',
    ivLength: 16,
    encryptionKeyLength: 32,
    hash: 'sha256',
  },
  {
    name: '3DES/CBC',
    suite: tdesCbcSuite,
    cipherName: 'des-ede3-cbc',
    ivLength: 8,
    encryptionKeyLength: 24,
    hash: 'sha256',
  },
];

const MAC_LENGTH = 32;
const GCM_IV_LENGTH = 12;
const GCM_TAG_LENGTH = 16;

/** Every suite with where its tag/MAC sits, for the failure-mode table. */
const ALL_SUITES: ReadonlyArray<{ name: string; suite: CipherSuite; ivLength: number; tagLength: number }> = [
  { name: 'AES/GCM', suite: aesGcmSuite, ivLength: GCM_IV_LENGTH, tagLength: GCM_TAG_LENGTH },
  ...CBC_ROWS.map((row) => ({ name: row.name, suite: row.suite, ivLength: row.ivLength, tagLength: MAC_LENGTH })),
];

const GBK_NIHAO = Buffer.from('c4e3bac3', 'hex'); // "你好" in GBK: not valid UTF-8, so must pass through as raw bytes

function partnerKeys(row: CbcContractRow, secret: Buffer): { encryptionKey: Buffer; macKey: Buffer } {
  return {
    encryptionKey: createHmac(row.hash, secret).update('enc').digest().subarray(0, row.encryptionKeyLength),
    macKey: createHmac(row.hash, secret).update('mac').digest(),
  };
}

/** Seals a body by hand exactly as the table says; autoPadding=false lets a test seal deliberately bad padding. */
function partnerSealCbc(row: CbcContractRow, secret: Buffer, data: Buffer, autoPadding = true): Buffer {
  const { encryptionKey, macKey } = partnerKeys(row, secret);
  const iv = randomBytes(row.ivLength);
  const cipher = createCipheriv(row.cipherName, encryptionKey, iv).setAutoPadding(autoPadding);
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  const mac = createHmac(row.hash, macKey).update(iv).update(ciphertext).digest();
  return Buffer.concat([iv, ciphertext, mac]);
}

/** Asserts the one error shape a partner may ever see: right class, fixed message, no cause to leak the failing step. */
function expectIntegrityFailure(open: () => unknown): void {
  let caught: unknown;
  try {
    open();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CipherIntegrityError);
  expect(caught).toMatchObject({ name: 'CipherIntegrityError', message: 'payload decryption failed' });
  expect((caught as Error).cause).toBeUndefined();
}

function flipBit(body: Buffer, index: number): Buffer {
  const copy = Buffer.from(body);
  copy[index] ^= 0x01;
  return copy;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe.each(ALL_SUITES)('$name suite', ({ suite, ivLength, tagLength }) => {
  const secret = randomBytes(32);

  describe('round trip', () => {
    it.each([
      ['empty', Buffer.alloc(0)],
      ['GBK bytes', GBK_NIHAO],
      ['one byte', randomBytes(1)],
      ['one byte short of a block', randomBytes(ivLength - 1)],
      ['one SM4/AES block (two 3DES blocks)', randomBytes(16)],
      ['one 3DES block', randomBytes(8)],
      ['GBK inside JSON', Buffer.concat([Buffer.from('{"name":"'), GBK_NIHAO, Buffer.from('"}')])],
      ['a large body', randomBytes(64 * 1024 + 3)],
    ])('restores %s', (_label, plaintext) => {
      expect(suite.decrypt(suite.encrypt(plaintext, secret), secret)).toEqual(plaintext);
      expect(decodeBody(suite, encodeBody(suite, plaintext, secret), secret)).toEqual(plaintext);
    });

    it.each(Array.from({ length: 20 }, (_, i) => i))('restores random plaintext #%i', () => {
      const plaintext = randomBytes(Math.floor(Math.random() * 300));
      expect(decodeBody(suite, encodeBody(suite, plaintext, secret), secret)).toEqual(plaintext);
    });

    it('uses a fresh IV, so the same plaintext never encrypts the same way twice', () => {
      const plaintext = Buffer.from('same payload');
      const first = suite.encrypt(plaintext, secret);
      const second = suite.encrypt(plaintext, secret);
      expect(first.subarray(0, ivLength)).not.toEqual(second.subarray(0, ivLength));
      expect(first).not.toEqual(second);
    });
  });

  describe('every tampering or malformed body is the same CipherIntegrityError', () => {
    const plaintext = Buffer.from('{"amount":"150.00"}');
    let body: Buffer;

    beforeEach(() => {
      body = suite.encrypt(plaintext, secret);
    });

    it('flipped bit in the IV', () => {
      expectIntegrityFailure(() => decodeBody(suite, flipBit(body, 0).toString('base64'), secret));
      expectIntegrityFailure(() => decodeBody(suite, flipBit(body, ivLength - 1).toString('base64'), secret));
    });

    it('flipped bit in the ciphertext', () => {
      expectIntegrityFailure(() => decodeBody(suite, flipBit(body, ivLength).toString('base64'), secret));
      const lastCiphertextByte = body.length - tagLength - 1;
      expectIntegrityFailure(() => decodeBody(suite, flipBit(body, lastCiphertextByte).toString('base64'), secret));
    });

    it('flipped bit in the tag/MAC', () => {
      expectIntegrityFailure(() => decodeBody(suite, flipBit(body, body.length - tagLength).toString('base64'), secret));
      expectIntegrityFailure(() => decodeBody(suite, flipBit(body, body.length - 1).toString('base64'), secret));
    });

    it('truncated body', () => {
      expectIntegrityFailure(() => decodeBody(suite, body.subarray(0, body.length - 1).toString('base64'), secret));
      expectIntegrityFailure(() => decodeBody(suite, body.subarray(0, body.length - 4).toString('base64'), secret));
    });

    it('trailing byte appended', () => {
      expectIntegrityFailure(() => decodeBody(suite, Buffer.concat([body, Buffer.of(0)]).toString('base64'), secret));
    });

    it('body shorter than iv + tag, and empty', () => {
      expectIntegrityFailure(() => decodeBody(suite, body.subarray(0, ivLength + tagLength - 1).toString('base64'), secret));
      expectIntegrityFailure(() => decodeBody(suite, body.subarray(0, ivLength).toString('base64'), secret));
      expectIntegrityFailure(() => decodeBody(suite, '', secret));
      expectIntegrityFailure(() => suite.decrypt(Buffer.alloc(0), secret));
    });

    it('body of exactly iv + tag (no ciphertext at all)', () => {
      const ivAndTag = Buffer.concat([body.subarray(0, ivLength), body.subarray(body.length - tagLength)]);
      expectIntegrityFailure(() => decodeBody(suite, ivAndTag.toString('base64'), secret));
    });

    it('wrong secret', () => {
      expectIntegrityFailure(() => decodeBody(suite, body.toString('base64'), randomBytes(32)));
    });

    it('keys derived for one secret never serve another, however often each is used', () => {
      const other = randomBytes(32);
      const otherBody = suite.encrypt(Buffer.from('other'), other);
      for (let round = 0; round < 3; round++) {
        expect(suite.decrypt(body, secret).length).toBeGreaterThan(0);
        expect(suite.decrypt(otherBody, other).toString()).toBe('other');
        expectIntegrityFailure(() => suite.decrypt(otherBody, secret));
        expectIntegrityFailure(() => suite.decrypt(body, other));
      }
    });

    it.each([
      ['plain text', 'not base64 at all!'],
      ['JSON', '{"amount":"150.00"}'],
      ['a single character', 'Q'],
      ['padding in the middle', 'QQ==QQ=='],
      ['three padding characters', 'Q==='],
      ['non-ASCII', 'ＱＱ=='],
    ])('non-base64 text: %s', (_label, text) => {
      expectIntegrityFailure(() => decodeBody(suite, text, secret));
    });

    it('base64 with whitespace that lenient decoders would skip', () => {
      const text = body.toString('base64');
      expect(Buffer.from(`${text.slice(0, 8)}\n${text.slice(8)}`, 'base64')).toEqual(body); // Node alone would accept it
      expectIntegrityFailure(() => decodeBody(suite, `${text.slice(0, 8)}\n${text.slice(8)}`, secret));
      expectIntegrityFailure(() => decodeBody(suite, `${text.slice(0, 8)}\r\n${text.slice(8)}`, secret));
      expectIntegrityFailure(() => decodeBody(suite, ` ${text}`, secret));
      expectIntegrityFailure(() => decodeBody(suite, `${text}    `, secret));
      expectIntegrityFailure(() => decodeBody(suite, `${text}\n`, secret));
    });

    it('base64url alphabet instead of standard', () => {
      // A large random body is all but certain to contain '+' or '/'; retry the few times it does not.
      let text = '';
      while (!/[+/]/.test(text)) text = suite.encrypt(randomBytes(200), secret).toString('base64');
      const urlSafe = text.replace(/\+/g, '-').replace(/\//g, '_');
      expect(Buffer.from(urlSafe, 'base64')).toEqual(Buffer.from(text, 'base64')); // Node alone would accept it
      expectIntegrityFailure(() => decodeBody(suite, urlSafe, secret));
      expectIntegrityFailure(() => decodeBody(suite, urlSafe.replace(/=+$/, ''), secret));
    });

    it('unpadded base64', () => {
      let text = '';
      while (!text.endsWith('=')) text = suite.encrypt(randomBytes(Math.floor(Math.random() * 40)), secret).toString('base64');
      expectIntegrityFailure(() => decodeBody(suite, text.replace(/=+$/, ''), secret));
    });

    it('non-canonical base64 (stray bits in the last character) that would otherwise decrypt', () => {
      // Pick a plaintext length whose body is not a multiple of 3 bytes, so the text ends in padding with spare bits.
      let sealed: Buffer = Buffer.alloc(0);
      for (let length = 0; sealed.length % 3 === 0; length += 1) sealed = suite.encrypt(randomBytes(length), secret);
      const text = sealed.toString('base64');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const lastDataIndex = text.replace(/=+$/, '').length - 1;
      const strayBits = alphabet[alphabet.indexOf(text[lastDataIndex]) + 1];
      const nonCanonical = text.slice(0, lastDataIndex) + strayBits + text.slice(lastDataIndex + 1);
      expect(Buffer.from(nonCanonical, 'base64')).toEqual(sealed); // Node ignores the spare bits
      expectIntegrityFailure(() => decodeBody(suite, nonCanonical, secret));
    });
  });
});

describe.each(CBC_ROWS)('$name against the written contract', (row) => {
  const secret = randomBytes(32);

  it('produces iv ‖ PKCS#7 ciphertext ‖ 32-byte MAC that a partner can verify and open by hand', () => {
    const plaintext = Buffer.concat([GBK_NIHAO, randomBytes(37)]);
    const body = row.suite.encrypt(plaintext, secret);
    const paddedLength = (Math.floor(plaintext.length / row.ivLength) + 1) * row.ivLength;
    expect(body).toHaveLength(row.ivLength + paddedLength + MAC_LENGTH);

    const { encryptionKey, macKey } = partnerKeys(row, secret);
    const iv = body.subarray(0, row.ivLength);
    const ciphertext = body.subarray(row.ivLength, body.length - MAC_LENGTH);
    const mac = body.subarray(body.length - MAC_LENGTH);
    expect(
      createHmac(row.hash, macKey)
        .update(Buffer.concat([iv, ciphertext]))
        .digest(),
    ).toEqual(mac);

    const decipher = createDecipheriv(row.cipherName, encryptionKey, iv);
    expect(Buffer.concat([decipher.update(ciphertext), decipher.final()])).toEqual(plaintext);
  });

  it('opens a body a partner sealed by hand', () => {
    const plaintext = Buffer.concat([Buffer.from('{"memo":"'), GBK_NIHAO, Buffer.from('"}')]);
    const body = partnerSealCbc(row, secret, plaintext);
    expect(decodeBody(row.suite, body.toString('base64'), secret)).toEqual(plaintext);
  });

  it('hides a padding error behind the same message even when the MAC is valid', () => {
    // One block whose last byte (0x00) is never valid PKCS#7, correctly MACed with Km: only the decipher can object.
    const badlyPadded = partnerSealCbc(row, secret, Buffer.alloc(row.ivLength, 0), false);
    const decipherSpy = jest.spyOn(nodeCrypto, 'createDecipheriv');
    expectIntegrityFailure(() => decodeBody(row.suite, badlyPadded.toString('base64'), secret));
    expect(decipherSpy).toHaveBeenCalledTimes(1); // the MAC passed, so the failure really came from the padding
  });

  it('rejects a valid-MAC body whose ciphertext is not a whole number of blocks', () => {
    const { macKey } = partnerKeys(row, secret);
    const iv = randomBytes(row.ivLength);
    const ragged = randomBytes(row.ivLength + 3);
    const mac = createHmac(row.hash, macKey).update(iv).update(ragged).digest();
    expectIntegrityFailure(() => decodeBody(row.suite, Buffer.concat([iv, ragged, mac]).toString('base64'), secret));
  });

  it('checks the MAC before the decipher ever runs', () => {
    const body = row.suite.encrypt(Buffer.from('payload'), secret);
    const decipherSpy = jest.spyOn(nodeCrypto, 'createDecipheriv');
    expectIntegrityFailure(() => row.suite.decrypt(flipBit(body, body.length - 1), secret));
    expectIntegrityFailure(() => row.suite.decrypt(flipBit(body, row.ivLength), secret));
    expectIntegrityFailure(() => row.suite.decrypt(body, randomBytes(32)));
    expect(decipherSpy).not.toHaveBeenCalled();
  });

  it('compares MACs with timingSafeEqual', () => {
    const body = row.suite.encrypt(Buffer.from('payload'), secret);
    const compareSpy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
    expectIntegrityFailure(() => row.suite.decrypt(flipBit(body, body.length - 1), secret));
    expect(compareSpy).toHaveBeenCalledTimes(1);
  });
});

describe('SM4/CBC key derivation', () => {
  it('uses Ke = first 16 bytes of HMAC-SM3(K, "enc") and Km = HMAC-SM3(K, "mac"), not K itself', () => {
    const secret = randomBytes(32);
    const plaintext = Buffer.concat([GBK_NIHAO, Buffer.from(' 转账 ')]);
    const body = sm4CbcSuite.encrypt(plaintext, secret);

    const encryptionKey = createHmac('sm3', secret).update('enc').digest().subarray(0, 16);
    const macKey = createHmac('sm3', secret).update('mac').digest();
    const iv = body.subarray(0, 16);
    const ciphertext = body.subarray(16, body.length - 32);
    expect(body.subarray(body.length - 32)).toEqual(
      createHmac('sm3', macKey)
        .update(body.subarray(0, body.length - 32))
        .digest(),
    );

    const decipher = createDecipheriv('sm4-cbc', encryptionKey, iv);
    expect(Buffer.concat([decipher.update(ciphertext), decipher.final()])).toEqual(plaintext);

    // The other half of the HMAC output or the raw secret must not open it.
    for (const wrongKey of [createHmac('sm3', secret).update('enc').digest().subarray(16), secret.subarray(0, 16)]) {
      const wrong = createDecipheriv('sm4-cbc', wrongKey, iv).setAutoPadding(false);
      const garbage = Buffer.concat([wrong.update(ciphertext), wrong.final()]);
      expect(garbage.subarray(0, plaintext.length)).not.toEqual(plaintext);
    }
  });
});

describe('AES/GCM against the written contract', () => {
  const secret = randomBytes(32);

  it('produces iv(12) ‖ ciphertext ‖ tag(16) under K directly', () => {
    const plaintext = Buffer.concat([GBK_NIHAO, randomBytes(29)]);
    const body = aesGcmSuite.encrypt(plaintext, secret);
    expect(body).toHaveLength(GCM_IV_LENGTH + plaintext.length + GCM_TAG_LENGTH);

    const decipher = createDecipheriv('aes-256-gcm', secret, body.subarray(0, GCM_IV_LENGTH), { authTagLength: 16 });
    decipher.setAuthTag(body.subarray(body.length - GCM_TAG_LENGTH));
    const opened = Buffer.concat([decipher.update(body.subarray(GCM_IV_LENGTH, body.length - GCM_TAG_LENGTH)), decipher.final()]);
    expect(opened).toEqual(plaintext);
  });

  it('opens a body a partner sealed by hand', () => {
    const plaintext = Buffer.from('{"amount":"150.00"}');
    const iv = randomBytes(GCM_IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', secret, iv, { authTagLength: 16 });
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const body = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
    expect(decodeBody(aesGcmSuite, body.toString('base64'), secret)).toEqual(plaintext);
  });

  it('refuses a body whose tag a partner truncated to 12 bytes', () => {
    const body = aesGcmSuite.encrypt(Buffer.from('{"amount":"150.00"}'), secret);
    expectIntegrityFailure(() => decodeBody(aesGcmSuite, body.subarray(0, body.length - 4).toString('base64'), secret));
  });
});

describe('3DES/CBC and AES/CBC share Km (CONTRACT §5)', () => {
  it('so a body of one may pass the other’s MAC, but never opens to its message under the other cipher', () => {
    const tdes = tdesCbcSuite;
    const aes = aesCbcSuite;
    const secret = randomBytes(32);
    for (let i = 0; i < 2000; i++) {
      const message = Buffer.from(`<in><TranSeq>${i}</TranSeq></in>`);
      for (const [seal, open] of [
        [tdes, aes],
        [aes, tdes],
      ]) {
        let opened: Buffer | null = null;
        try {
          opened = open.decrypt(seal.encrypt(message, secret), secret);
        } catch (error) {
          expect(error).toBeInstanceOf(CipherIntegrityError);
        }
        if (opened) expect(opened.equals(message)).toBe(false);
      }
    }
  });
});
