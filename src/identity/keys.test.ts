import { describe, expect, it } from 'vitest';
import {
  base64urlDecode,
  base64urlEncode,
  generateKeyPair,
  idFromPublicKey,
  identityFromKeyPair,
  isNodeId,
  verifySignature,
} from './keys';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('base64url', () => {
  it('matches Node Buffer base64url for every length 0..40', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 37 + length * 11) & 0xff);
      const expected = Buffer.from(bytes).toString('base64url');
      expect(base64urlEncode(bytes)).toBe(expected);
      expect(Array.from(base64urlDecode(expected) ?? [])).toEqual(Array.from(bytes));
    }
  });

  it('rejects invalid text', () => {
    for (const bad of ['a', 'ab=', 'a+b/', 'ab cd', 'AB', 'AAB', '€€']) {
      expect(base64urlDecode(bad), bad).toBeNull();
    }
    expect(base64urlDecode(42 as unknown as string)).toBeNull();
    expect(base64urlDecode('')).toEqual(new Uint8Array(0));
  });
});

describe('identity', () => {
  it('derives a 22-char id from SHA-256 of the raw key', async () => {
    const identity = await identityFromKeyPair(await generateKeyPair());
    expect(identity.publicKey.byteLength).toBe(32);
    expect(isNodeId(identity.id)).toBe(true);
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(identity.publicKey).digest().subarray(0, 16);
    expect(identity.id).toBe(digest.toString('base64url'));
    expect(await idFromPublicKey(identity.publicKey)).toBe(identity.id);
  });

  it('signs and verifies; rejects tampering and malformed input without throwing', async () => {
    const identity = await identityFromKeyPair(await generateKeyPair());
    const other = await identityFromKeyPair(await generateKeyPair(true));
    const data = utf8('hello');
    const sig = await identity.sign(data);
    expect(sig.byteLength).toBe(64);
    expect(await verifySignature(identity.publicKey, sig, data)).toBe(true);
    expect(await verifySignature(other.publicKey, sig, data)).toBe(false);
    expect(await verifySignature(identity.publicKey, sig, utf8('hellO'))).toBe(false);
    const flipped = sig.slice();
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    expect(await verifySignature(identity.publicKey, flipped, data)).toBe(false);
    expect(await verifySignature(new Uint8Array(31), sig, data)).toBe(false);
    expect(await verifySignature(new Uint8Array(32).fill(0xff), sig, data)).toBe(false);
    expect(await verifySignature(identity.publicKey, sig.subarray(0, 63), data)).toBe(false);
    expect(await verifySignature('x' as unknown as Uint8Array, sig, data)).toBe(false);
  });

  it('validates node ids', () => {
    expect(isNodeId('A'.repeat(22))).toBe(true);
    expect(isNodeId('a-_b'.repeat(5) + 'zz')).toBe(true);
    for (const bad of ['A'.repeat(21), 'A'.repeat(23), 'A'.repeat(21) + '=', 'A'.repeat(21) + '+', 22, null, {}]) {
      expect(isNodeId(bad)).toBe(false);
    }
  });
});
