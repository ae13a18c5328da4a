/**
 * Ed25519 identity helpers on WebCrypto (`globalThis.crypto.subtle`), identical in browsers and Node 20.
 * A node's ID is derived from its public key, so anybody can check that a signed message comes from the ID it
 * claims. Nothing here keeps state; every function is safe to call with hostile input (verification never throws).
 */

import { base64urlEncode } from '../util/base64url';
import type { NodeId } from '../core/node-id';

export { base64urlDecode, base64urlEncode } from '../util/base64url';
export { isNodeId, NODE_ID_LENGTH, type NodeId } from '../core/node-id';

/** What the rest of the library needs from an identity: the ID, the raw public key, and a signer. */
export interface KeyIdentity {
  id: NodeId;
  /** The raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  /** Signs `data` with the private key; the result is a 64-byte Ed25519 signature. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Length of a raw Ed25519 public key in bytes. */
export const PUBLIC_KEY_BYTES = 32;
/** Length of an Ed25519 signature in bytes. */
export const SIGNATURE_BYTES = 64;
/** Number of hash bytes a NodeId keeps (128 bits). */
const NODE_ID_HASH_BYTES = 16;

const ED25519 = { name: 'Ed25519' } as const;

function subtle(): SubtleCrypto {
  return globalThis.crypto.subtle;
}

/** Copies into a fresh ArrayBuffer-backed array, which is what WebCrypto's `BufferSource` type wants. */
function toBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** Generates an Ed25519 key pair. Keep `extractable` false unless the private key must leave WebCrypto. */
export async function generateKeyPair(extractable = false): Promise<CryptoKeyPair> {
  const pair = await subtle().generateKey(ED25519, extractable, ['sign', 'verify']);
  return pair as CryptoKeyPair;
}

/** Derives the NodeId of a raw public key: base64url of the first 16 bytes of its SHA-256, 22 characters. */
export async function idFromPublicKey(raw: Uint8Array): Promise<NodeId> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', toBuffer(raw)));
  return base64urlEncode(digest.subarray(0, NODE_ID_HASH_BYTES));
}

/** Wraps a key pair as a `KeyIdentity`. The public key is always exportable in WebCrypto, even when the pair is not. */
export async function identityFromKeyPair(pair: CryptoKeyPair): Promise<KeyIdentity> {
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  const id = await idFromPublicKey(publicKey);
  const privateKey = pair.privateKey;
  return {
    id,
    publicKey,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await subtle().sign(ED25519, privateKey, toBuffer(data)));
    },
  };
}

/**
 * Checks an Ed25519 signature over `data` under the strict rules (as libsodium): the public key and R must be
 * canonical encodings of points that are not of small order, and S must be below the group order L; then the
 * cofactorless equation is checked by WebCrypto. Never throws: malformed keys or signatures give `false`.
 */
export async function verifySignature(
  publicKey: Uint8Array,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array) || !(data instanceof Uint8Array)) {
    return false;
  }
  if (publicKey.byteLength !== PUBLIC_KEY_BYTES || signature.byteLength !== SIGNATURE_BYTES) return false;
  // WebCrypto (OpenSSL, BoringSSL) accepts small-order keys: the identity point with R = identity and S = 0
  // verifies for every message, so such an ID would belong to whoever shows it first. Check the strict rules first.
  if (!isStrictPublicKey(publicKey) || !isStrictSignatureShape(signature)) return false;
  try {
    const key = await subtle().importKey('raw', toBuffer(publicKey), ED25519, false, ['verify']);
    return await subtle().verify(ED25519, key, toBuffer(signature), toBuffer(data));
  } catch {
    // Invalid points and the like are rejected by WebCrypto with an exception; for us that is just "not valid".
    return false;
  }
}

// ---- Strict Ed25519 checks (libsodium's rules; "Taming the many EdDSAs", Chalkias et al. 2020) ----
// A curve point's y coordinate says whether it has small order: the eight points of order 1, 2, 4 and 8 have
// y = 1, p - 1, 0 and ±Y8. So the checks need no point arithmetic: y < p (canonical) and y outside these five
// values. That x exists at all (the encoding is on the curve) is left to WebCrypto, which cannot verify otherwise.

/** The field prime 2^255 - 19. */
const P = (1n << 255n) - 19n;
/** The prime order of the base point: 2^252 + 27742317777372353535851937790883648493. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
/** y of the four points of order 8 (and p - Y8); keys.test.ts derives it from the curve equation. */
const Y8 = 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n;
const SMALL_ORDER_Y: readonly bigint[] = [0n, 1n, P - 1n, Y8, P - Y8];

/** Little-endian bytes as an integer. */
function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

/** True for a canonical point encoding (y < p; bit 255 is x's sign) whose point cannot be of small order. */
function isStrictPointEncoding(encoding: Uint8Array): boolean {
  const y = littleEndian(encoding) & ((1n << 255n) - 1n);
  // y = 1 or p - 1 is also where a "negative zero" x (x = 0 with the sign bit set) would be: refused with them.
  return y < P && !SMALL_ORDER_Y.includes(y);
}

/**
 * True when `encoding` may prove an ID: 32 bytes, canonical, and not one of the small-order points (which have no
 * secret behind them: with the identity key, R = identity and S = 0 "verify" every message).
 */
export function isStrictPublicKey(encoding: Uint8Array): boolean {
  return encoding instanceof Uint8Array && encoding.byteLength === PUBLIC_KEY_BYTES && isStrictPointEncoding(encoding);
}

/** True when a 64-byte signature has a canonical, not small-order R and a reduced scalar S < L. */
export function isStrictSignatureShape(signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.byteLength !== SIGNATURE_BYTES) return false;
  return littleEndian(signature.subarray(32, 64)) < L && isStrictPointEncoding(signature.subarray(0, 32));
}

