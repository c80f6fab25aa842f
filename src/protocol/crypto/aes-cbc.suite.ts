import { CipherSuite, EncryptThenMacCbcSuite } from './cipher-suite';

/** AES-256-CBC with HMAC-SHA256, for partners whose stacks lack GCM; Ke is the full 32-byte HMAC-SHA256(K, "enc"). */
export const aesCbcSuite: CipherSuite = new EncryptThenMacCbcSuite({
  type: 'AES',
  legacy: false,
  cipherName: 'aes-256-cbc',
  ivLength: 16,
  encryptionKeyLength: 32,
  macHash: 'sha256',
});
