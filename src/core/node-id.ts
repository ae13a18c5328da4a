/**
 * The one node-ID type and its one validator. A node's ID is base64url (no padding) of the first 16 bytes of
 * SHA-256 of its Ed25519 public key: 22 characters (`identity/keys.ts` derives it). Everything that reads an ID from
 * outside — the wire, stored tables, the signaling server, a link's key proof — checks it with `isNodeId`, so an
 * ID that is no key hash (say `__proto__`) is refused at the door everywhere alike.
 */

/** A node's identifier: 22 base64url characters (128 bits of its public key's hash). */
export type NodeId = string;

/** Length of a NodeId in characters (16 bytes in base64url without padding). */
export const NODE_ID_LENGTH = 22;

const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** True when `x` is a well-formed NodeId: exactly 22 characters of the base64url alphabet. */
export function isNodeId(x: unknown): x is NodeId {
  return typeof x === 'string' && NODE_ID_PATTERN.test(x);
}
