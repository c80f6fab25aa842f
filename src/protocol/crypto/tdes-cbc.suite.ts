import { CipherSuite, EncryptThenMacCbcSuite } from './cipher-suite';

/** Three-key 3DES-CBC with HMAC-SHA256; legacy because of its 64-bit block, kept only for partners not yet migrated. */
export const tdesCbcSuite: CipherSuite = new EncryptThenMacCbcSuite({
  type: '3DES',
  legacy: true,
  cipherName: 'des-ede3-cbc',
  ivLength: 8,
  encryptionKeyLength: 24,
  macHash: 'sha256',
});
