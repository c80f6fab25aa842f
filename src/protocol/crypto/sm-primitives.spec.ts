import { createCipheriv, createHash, createHmac } from 'node:crypto';

/** Pins the national-standard primitives the SM4 suite relies on, so a Node/OpenSSL change cannot drift silently. */
describe('SM primitives in Node crypto', () => {
  it('computes SM3("abc") as published in GB/T 32905', () => {
    expect(createHash('sm3').update('abc').digest('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('encrypts the single-block SM4 example from GB/T 32907', () => {
    const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const plaintext = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    expect(ciphertext.toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
  });

  describe('HMAC-SM3', () => {
    /** RFC 2104 built from the bare hash, independent of createHmac; SM3 has a 64-byte block. */
    function manualHmacSm3(key: Buffer, message: Buffer): Buffer {
      const blockLength = 64;
      const shortKey = key.length > blockLength ? createHash('sm3').update(key).digest() : key;
      const paddedKey = Buffer.concat([shortKey, Buffer.alloc(blockLength - shortKey.length)]);
      const innerKey = paddedKey.map((byte) => byte ^ 0x36);
      const outerKey = paddedKey.map((byte) => byte ^ 0x5c);
      const inner = createHash('sm3').update(innerKey).update(message).digest();
      return createHash('sm3').update(outerKey).update(inner).digest();
    }

    const secret = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

    it.each(['enc', 'mac'])('derives the "%s" key identically via createHmac and a manual ipad/opad build', (label) => {
      const viaNode = createHmac('sm3', secret).update(label).digest();
      expect(viaNode).toEqual(manualHmacSm3(secret, Buffer.from(label)));
      expect(viaNode).toHaveLength(32);
    });

    it('agrees for keys longer than the block, which HMAC hashes first', () => {
      const longKey = Buffer.alloc(100, 0xaa);
      const message = Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First');
      expect(createHmac('sm3', longKey).update(message).digest()).toEqual(manualHmacSm3(longKey, message));
    });

    it('pins HMAC-SM3(00..1f, "enc") so a change in derivation shows up as a diff, not a silent interop break', () => {
      const pinned = '44d2a53803daa3d9ce5c246f53175c2dd3a930e84e19b76c87d4dcc1f35665f1';
      expect(manualHmacSm3(secret, Buffer.from('enc')).toString('hex')).toBe(pinned);
      expect(createHmac('sm3', secret).update('enc').digest('hex')).toBe(pinned);
    });
  });
});
