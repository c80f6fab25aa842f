export {
  CipherIntegrityError,
  SECRET_LENGTH,
  UnsupportedCipherError,
  type CipherMode,
  type CipherSuite,
  type CipherType,
} from './cipher-suite';
export { decodeBody, encodeBody, resolveCipherSuite } from './cipher-registry';
export { aesGcmSuite } from './aes-gcm.suite';
export { sm4CbcSuite } from './sm4-cbc.suite';
export { aesCbcSuite } from './aes-cbc.suite';
export { tdesCbcSuite } from './tdes-cbc.suite';
