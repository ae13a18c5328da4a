/**
 * Ed25519 identity helpers on WebCrypto (`globalThis.crypto.subtle`), identical in browsers and Node 20.
 * A node's ID is derived from its public key, so anybody can check that a signed message comes from the ID it
 * claims. Nothing here keeps state; every function is safe to call with hostile input (verification never throws).
 */

import { base64urlEncode } from '../util/base64url';
import type { NodeId } from '../core/node-id';

export { base64urlDecode, base64urlEncode } from '../util/base64url';
export { isNodeId, NODE_ID_LENGTH, type NodeId } from '../core/node-id';
/** The same validator as `isNodeId` (kept for the signaling server's imports). */
export { isNodeId as isValidNodeId } from '../core/node-id';

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

/** Checks an Ed25519 signature over `data`. Never throws: malformed keys or signatures give `false`. */
export async function verifySignature(
  publicKey: Uint8Array,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array) || !(data instanceof Uint8Array)) {
    return false;
  }
  if (publicKey.byteLength !== PUBLIC_KEY_BYTES || signature.byteLength !== SIGNATURE_BYTES) return false;
  try {
    const key = await subtle().importKey('raw', toBuffer(publicKey), ED25519, false, ['verify']);
    return await subtle().verify(ED25519, key, toBuffer(signature), toBuffer(data));
  } catch {
    // Invalid points and the like are rejected by WebCrypto with an exception; for us that is just "not valid".
    return false;
  }
}

