import { randomBytes } from 'node:crypto';
import {
  aesCbcSuite,
  aesGcmSuite,
  CipherIntegrityError,
  CipherSuite,
  decodeBody,
  encodeBody,
  resolveCipherSuite,
  sm4CbcSuite,
  tdesCbcSuite,
  UnsupportedCipherError,
} from './index';

describe('resolveCipherSuite', () => {
  it.each<[string, string | undefined, CipherSuite]>([
    ['SM4', undefined, sm4CbcSuite],
    ['AES', undefined, aesGcmSuite],
    ['3DES', undefined, tdesCbcSuite],
  ])('defaults %s to its contract mode', (type, mode, suite) => {
    expect(resolveCipherSuite(type, mode)).toBe(suite);
  });

  it.each<[string, string, CipherSuite]>([
    ['SM4', 'CBC', sm4CbcSuite],
    ['AES', 'GCM', aesGcmSuite],
    ['AES', 'CBC', aesCbcSuite],
    ['3DES', 'CBC', tdesCbcSuite],
    ['sm4', 'cbc', sm4CbcSuite],
    ['Aes', 'Gcm', aesGcmSuite],
    ['aes', 'cbc', aesCbcSuite],
    ['3des', 'CBC', tdesCbcSuite],
  ])('resolves %s/%s', (type, mode, suite) => {
    expect(resolveCipherSuite(type, mode)).toBe(suite);
  });

  it('reports the normalized type and mode on the suite', () => {
    const suite = resolveCipherSuite('aes', 'cbc');
    expect(suite).toMatchObject({ type: 'AES', mode: 'CBC' });
  });

  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    [undefined, 'CBC'],
    ['NONE', undefined],
    ['none', undefined],
    ['None', 'GCM'],
  ])('treats type %p (mode %p) as a plaintext body', (type, mode) => {
    expect(resolveCipherSuite(type, mode)).toBeNull();
  });

  it.each<[string, string | undefined]>([
    ['SM4', 'GCM'],
    ['3DES', 'GCM'],
    ['AES', 'ECB'],
    ['SM4', 'ECB'],
    ['AES', 'CTR'],
    ['AES', ''],
    ['AES', 'G CM'],
    ['DES', undefined],
    ['RSA', 'CBC'],
    ['AES256', 'GCM'],
    ['', undefined],
    [' AES', 'GCM'],
    ['AES ', 'GCM'],
    ['AES', 'GCM '],
    ['AEſ', 'GCM'], // 'ſ'.toUpperCase() === 'S': must not sneak through as AES
    ['ＡＥＳ', 'GCM'],
    ['NONE-ish', undefined],
  ])('rejects %p/%p as unsupported', (type, mode) => {
    expect(() => resolveCipherSuite(type, mode)).toThrow(UnsupportedCipherError);
  });

  it('keeps unsupported-cipher errors distinct from integrity errors', () => {
    let caught: unknown;
    try {
      resolveCipherSuite('SM4', 'GCM');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnsupportedCipherError);
    expect(caught).not.toBeInstanceOf(CipherIntegrityError);
    expect((caught as Error).message).toBe('unsupported cipher "SM4"/"GCM"');
  });

  it('quotes and caps partner header text in the message', () => {
    const hostile = `AES\r\nX-Injected: 1${'A'.repeat(500)}`;
    expect(() => resolveCipherSuite(hostile, undefined)).toThrow(/^unsupported cipher "AES\\r\\nX-Injected: 1A+"\/\(default\)$/);
    expect(() => resolveCipherSuite(hostile, undefined)).not.toThrow(/A{40}/);
  });

  it('marks only 3DES as legacy', () => {
    expect([sm4CbcSuite, aesGcmSuite, aesCbcSuite, tdesCbcSuite].map((suite) => [suite.type, suite.mode, suite.legacy])).toEqual([
      ['SM4', 'CBC', false],
      ['AES', 'GCM', false],
      ['AES', 'CBC', false],
      ['3DES', 'CBC', true],
    ]);
  });
});

describe('encodeBody / decodeBody', () => {
  const secret = randomBytes(32);

  it('encodes to strict standard base64 that decodes back', () => {
    const plaintext = Buffer.from('c4e3bac3', 'hex');
    const text = encodeBody(sm4CbcSuite, plaintext, secret);
    expect(text).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    expect(text.length % 4).toBe(0);
    expect(decodeBody(sm4CbcSuite, text, secret)).toEqual(plaintext);
  });

  it('does not open a body with a different suite than sealed it', () => {
    const text = encodeBody(aesCbcSuite, Buffer.from('hello'), secret);
    for (const other of [sm4CbcSuite, aesGcmSuite, tdesCbcSuite]) {
      expect(() => decodeBody(other, text, secret)).toThrow(new CipherIntegrityError());
    }
  });

  describe.each([0, 16, 24, 31, 33, 64])('with a %i-byte secret', (length) => {
    const badSecret = Buffer.alloc(length, 7);

    it.each([sm4CbcSuite, aesGcmSuite, aesCbcSuite, tdesCbcSuite])(
      'refuses to encode or decode with $type/$mode as a server fault',
      (suite) => {
        expect(() => encodeBody(suite, Buffer.from('x'), badSecret)).toThrow('cipher secret must be 32 bytes');
        expect(() => suite.encrypt(Buffer.from('x'), badSecret)).toThrow('cipher secret must be 32 bytes');
        // Even paired with garbage text, a bad secret must surface as our misconfiguration, not a partner integrity error.
        for (const text of ['', 'not base64!', encodeBody(suite, Buffer.from('x'), secret)]) {
          let caught: unknown;
          try {
            decodeBody(suite, text, badSecret);
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(Error);
          expect(caught).not.toBeInstanceOf(CipherIntegrityError);
          expect((caught as Error).message).toBe('cipher secret must be 32 bytes');
        }
      },
    );
  });
});
