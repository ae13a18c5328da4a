import { describe, expect, it } from 'vitest';
import {
  base64urlDecode,
  base64urlEncode,
  generateKeyPair,
  idFromPublicKey,
  identityFromKeyPair,
  isNodeId,
  isStrictPublicKey,
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

// ---- Strict Ed25519 (small-order and non-canonical keys, S >= L) ----

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/** Slow reference arithmetic on edwards25519, only to derive the small-order points independently of keys.ts. */
const ref = (() => {
  const mod = (a: bigint): bigint => ((a % P) + P) % P;
  const pow = (b: bigint, e: bigint): bigint => {
    let r = 1n;
    for (let x = mod(b), k = e; k > 0n; k >>= 1n, x = (x * x) % P) if (k & 1n) r = (r * x) % P;
    return r;
  };
  const inv = (a: bigint): bigint => pow(a, P - 2n);
  const d = mod(-121665n * inv(121666n));
  type Point = { x: bigint; y: bigint };
  // Affine twisted Edwards addition with a = -1 (complete on this curve).
  const add = (p: Point, q: Point): Point => {
    const t = mod(d * p.x * q.x * p.y * q.y);
    return { x: mod((p.x * q.y + p.y * q.x) * inv(1n + t)), y: mod((p.y * q.y + p.x * q.x) * inv(1n - t)) };
  };
  const times = (n: bigint, p: Point): Point => {
    let r: Point = { x: 0n, y: 1n };
    for (let k = n, q = p; k > 0n; k >>= 1n, q = add(q, q)) if (k & 1n) r = add(r, q);
    return r;
  };
  /** RFC 8032 §5.1.3 decoding; null when y has no x. */
  const fromY = (y: bigint, sign: bigint): Point | null => {
    const u = mod(y * y - 1n);
    const v = mod(d * y * y + 1n);
    let x = pow(mod(u * inv(v)), (P + 3n) / 8n);
    if (mod(v * x * x) === mod(-u)) x = mod(x * pow(2n, (P - 1n) / 4n));
    if (mod(v * x * x) !== u) return null;
    return { x: (x & 1n) === sign ? x : mod(-x), y };
  };
  const encode = (p: Point): Uint8Array => {
    const n = p.y | ((p.x & 1n) << 255n);
    return new Uint8Array(32).map((_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  };
  return { add, times, fromY, encode, d, mod };
})();

/** The speccheck vectors of "Taming the many EdDSAs" (novifinancial/ed25519-speccheck cases.json). */
const TAMING_VECTORS: Array<{ msg: string; key: string; sig: string; strict: boolean; why: string }> = [
  { msg: '8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6', key: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', sig: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000', strict: false, why: 'S = 0, A and R small' },
  { msg: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', key: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', sig: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04', strict: false, why: 'A small, R mixed' },
  { msg: 'aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab', key: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', sig: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e', strict: false, why: 'A mixed, R small' },
  { msg: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', key: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', sig: '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009', strict: true, why: 'A and R mixed, cofactorless equation holds' },
  { msg: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', key: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', sig: '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09', strict: false, why: 'only the cofactored equation holds' },
  { msg: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', key: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', sig: '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405', strict: false, why: 'only the cofactored equation holds (R of order L)' },
  { msg: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', key: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', sig: 'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514', strict: false, why: 'S > L' },
  { msg: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', key: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', sig: '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22', strict: false, why: 'S >> L' },
  { msg: 'fdaebc429f4a735932a160da1301080c13280eea8bc280d1b392c6b9e6ba3a5a', key: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', sig: 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f454d370c8d9fc323a41450f8d513eafeb5b0697390c1e505a0d4ddc71f566607', strict: false, why: 'R non-canonical (y = p)' },
  { msg: '84b698d39be126ff55fe45079e6c8bf64a0d7db6994560b4e96b7021eb39c1a1', key: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', sig: 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f084d5b99c2a9463d9c8bd5026916996984eeec87ddf1d3be329006ace1b37b09', strict: false, why: 'R non-canonical (y = p)' },
];

describe('strict Ed25519', () => {
  it('follows the strict rules on the "Taming the many EdDSAs" vectors (WebCrypto alone accepts the first three)', async () => {
    for (const v of TAMING_VECTORS) {
      expect(await verifySignature(hex(v.key), hex(v.sig), hex(v.msg)), v.why).toBe(v.strict);
    }
  });

  it('refuses all eight small-order points, derived here from the curve, under every encoding', () => {
    // A point of order 8: [L]Q of a point Q with a torsion component has order dividing 8.
    let t8 = null;
    for (let y = 2n; t8 === null; y++) {
      const q = ref.fromY(y, 0n);
      const t = q && ref.times(L, q);
      if (t && ref.times(4n, t).y !== 1n) t8 = t;
    }
    const ys = new Set<bigint>();
    for (let k = 0n; k < 8n; k++) {
      const point = ref.times(k, t8);
      expect(ref.times(8n, point)).toEqual({ x: 0n, y: 1n });
      ys.add(point.y);
      const encoding = ref.encode(point);
      expect(isStrictPublicKey(encoding), `[${k}]T8`).toBe(false);
      // The same point with the other sign bit (for x = 0 a "negative zero"), and y + p where it fits in 255 bits.
      expect(isStrictPublicKey(encoding.map((b, i) => (i === 31 ? b ^ 0x80 : b)))).toBe(false);
      if (point.y < 19n) expect(isStrictPublicKey(ref.encode({ x: point.x, y: point.y + P }))).toBe(false);
    }
    expect(ys.size).toBe(5);
    // The identity key with R = identity and S = 0 "verifies" everything under WebCrypto alone.
    expect(isStrictPublicKey(hex('01' + '00'.repeat(31)))).toBe(false);
  });

  it('refuses non-canonical encodings (y >= p) and the identity-key proof replay', async () => {
    for (let delta = 0n; delta < 19n; delta++) {
      const n = P + delta;
      expect(isStrictPublicKey(new Uint8Array(32).map((_, i) => Number((n >> BigInt(8 * i)) & 0xffn)))).toBe(false);
    }
    const identityKey = hex('01' + '00'.repeat(31));
    const fixed = hex('01' + '00'.repeat(63));
    expect(await verifySignature(identityKey, fixed, utf8('starmesh-signal/1|r|any-nonce'))).toBe(false);
  });

  it('refuses S >= L (a malleated copy of a valid signature) and accepts honest keys and signatures', async () => {
    for (let i = 0; i < 8; i++) {
      const identity = await identityFromKeyPair(await generateKeyPair());
      expect(isStrictPublicKey(identity.publicKey)).toBe(true);
      const data = utf8(`message ${i}`);
      const sig = await identity.sign(data);
      expect(await verifySignature(identity.publicKey, sig, data)).toBe(true);
      let s = 0n;
      for (let j = 63; j >= 32; j--) s = (s << 8n) | BigInt(sig[j] ?? 0);
      const malleated = sig.slice();
      const sPlusL = s + L;
      for (let j = 0; j < 32; j++) malleated[32 + j] = Number((sPlusL >> BigInt(8 * j)) & 0xffn);
      if (sPlusL < 1n << 256n) expect(await verifySignature(identity.publicKey, malleated, data)).toBe(false);
    }
  });
});
