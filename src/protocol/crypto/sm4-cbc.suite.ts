import { CipherSuite, EncryptThenMacCbcSuite } from './cipher-suite';

/** SM4-CBC with HMAC-SM3, the national-standard row; SM4 keys are 128-bit, so Ke is HMAC-SM3(K, "enc") cut to 16. */
export const sm4CbcSuite: CipherSuite = new EncryptThenMacCbcSuite({
  type: 'SM4',
  legacy: false,
  cipherName: 'sm4-cbc',
  ivLength: 16,
  encryptionKeyLength: 16,
  macHash: 'sm3',
});
