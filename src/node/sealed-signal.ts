/**
 * Signaling that crosses the mesh is sealed by its origin: the body carries the origin's public key, a nonce, the
 * payload and an Ed25519 signature over all of it plus both IDs. A relay can read it but can neither forge it
 * (the key must hash to the claimed origin) nor alter it (e.g. swap the DTLS fingerprint in an offer and sit in
 * the middle), nor redirect it to another target. Replays are refused by the receiver's nonce memory.
 */
import { base64urlDecode, base64urlEncode, idFromPublicKey, verifySignature, type KeyIdentity, type NodeId } from '../identity/keys';

/** Domain separation: these signatures can never be mistaken for handshake or server-hello signatures. */
const SEAL_CONTEXT = 'starmesh-mesh-signal/1';
/** Nonces are 16 random bytes. */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** Longest sealed payload accepted (an SDP is a few KB; the routed frame caps the body anyway). */
const MAX_PAYLOAD_CHARS = 12_000;

function signingInput(from: NodeId, to: NodeId, nonce: string, payload: string): Uint8Array {
  return new TextEncoder().encode(`${SEAL_CONTEXT}|${from}|${to}|${nonce}|${payload}`);
}

/** Seals `payload` (any JSON value) from `identity` to `to`. */
export async function sealSignal(identity: KeyIdentity, to: NodeId, payload: unknown): Promise<string> {
  const nonce = base64urlEncode(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const text = JSON.stringify(payload);
  const signature = await identity.sign(signingInput(identity.id, to, nonce, text));
  return JSON.stringify({ k: base64urlEncode(identity.publicKey), n: nonce, p: text, s: base64urlEncode(signature) });
}

/** Result of opening a sealed signal. */
export type OpenedSignal = { ok: true; payload: unknown; nonce: string } | { ok: false; reason: 'bad-seal' | 'wrong-key' | 'bad-signature' };

/** Checks a sealed body that claims to come from `from` and to be meant for `self`. Never throws. */
export async function openSignal(body: string, from: NodeId, self: NodeId): Promise<OpenedSignal> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'bad-seal' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'bad-seal' };
  const { k, n, p, s } = parsed as Record<string, unknown>;
  if (typeof k !== 'string' || typeof n !== 'string' || !NONCE_PATTERN.test(n) || typeof s !== 'string') return { ok: false, reason: 'bad-seal' };
  if (typeof p !== 'string' || p.length > MAX_PAYLOAD_CHARS) return { ok: false, reason: 'bad-seal' };
  const key = base64urlDecode(k);
  const signature = base64urlDecode(s);
  if (key === null || signature === null) return { ok: false, reason: 'bad-seal' };
  if ((await idFromPublicKey(key)) !== from) return { ok: false, reason: 'wrong-key' };
  if (!(await verifySignature(key, signature, signingInput(from, self, n, p)))) return { ok: false, reason: 'bad-signature' };
  try {
    return { ok: true, payload: JSON.parse(p) as unknown, nonce: n };
  } catch {
    return { ok: false, reason: 'bad-seal' };
  }
}
