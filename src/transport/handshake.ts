/**
 * Mutual key-proof handshake run over a fresh data channel before a link opens.
 *
 * Protocol (`starmesh-link/1`), each frame a small JSON text:
 *   1. both sides send `{"t":"hello","v":1,"nonce":N}` (32 random bytes, base64url);
 *   2. on the other side's hello, each sends `{"t":"proof","key":K,"sig":S}` where S signs
 *      `starmesh-link/1|<other side's nonce>|<own nonce>` and K is the raw public key;
 *   3. after verifying the other's proof (and that its ID is the expected one), each sends `{"t":"ok"}`.
 * A side is authenticated once it verified the remote proof and received the remote `ok`, which
 * guarantees the remote has verified us too: no application frame can arrive before that point.
 */
import { base64urlDecode, base64urlEncode, idFromPublicKey, verifySignature } from '../identity/keys';
import type { KeyIdentity, NodeId } from '../identity/keys';

/** Protocol label, also the prefix of the signed payload. */
export const HANDSHAKE_PROTOCOL = 'starmesh-link/1';
/** Largest handshake frame accepted, in UTF-16 units. */
export const MAX_HANDSHAKE_FRAME_CHARS = 1024;
const NONCE_BYTES = 32;
const MAX_KEY_BYTES = 256;
const MAX_SIGNATURE_BYTES = 256;

/** Why a handshake failed: `auth-failed` for anything the remote did, `error` for local failures. */
export type HandshakeFailureCode = 'auth-failed' | 'error';

/** Options for `createLinkHandshake`. */
export interface LinkHandshakeOptions {
  identity: KeyIdentity;
  /** When set, the remote key must hash to this ID. */
  expectedRemoteId?: NodeId;
  /** Sends one handshake frame to the remote side. */
  send(text: string): void;
  onAuthenticated(remoteId: NodeId, remotePublicKey: Uint8Array): void;
  onFailed(code: HandshakeFailureCode, detail: string): void;
  /** Random source (injected for tests); defaults to WebCrypto. */
  randomBytes?: (length: number) => Uint8Array;
}

/** A running handshake; feed it every inbound frame until it reports success or failure. */
export interface LinkHandshake {
  /** Call once the channel is writable: sends our hello (and proof, if the remote hello came first). */
  start(): void;
  /** Handles one inbound text frame received before the link opened. */
  receive(text: string): void;
}

type Frame =
  | { t: 'hello'; nonce: string }
  | { t: 'proof'; key: Uint8Array; sig: Uint8Array }
  | { t: 'ok' };

function defaultRandomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** Parses one untrusted handshake frame; null when malformed. */
export function parseHandshakeFrame(text: string): Frame | null {
  if (text.length > MAX_HANDSHAKE_FRAME_CHARS) return null;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const t = record['t'];
  if (t === 'ok') return { t };
  if (t === 'hello') {
    const nonce = record['nonce'];
    if (record['v'] !== 1 || typeof nonce !== 'string') return null;
    const bytes = base64urlDecode(nonce);
    return bytes !== null && bytes.length === NONCE_BYTES ? { t, nonce } : null;
  }
  if (t === 'proof') {
    const key = typeof record['key'] === 'string' ? base64urlDecode(record['key']) : null;
    const sig = typeof record['sig'] === 'string' ? base64urlDecode(record['sig']) : null;
    if (key === null || sig === null || key.length === 0 || key.length > MAX_KEY_BYTES) return null;
    if (sig.length === 0 || sig.length > MAX_SIGNATURE_BYTES) return null;
    return { t, key, sig };
  }
  return null;
}

/** The exact bytes a side signs: protocol, the nonce it received, the nonce it sent. */
export function handshakePayload(receivedNonce: string, ownNonce: string): Uint8Array {
  return new TextEncoder().encode(`${HANDSHAKE_PROTOCOL}|${receivedNonce}|${ownNonce}`);
}

/** Creates the handshake state machine for one link. */
export function createLinkHandshake(options: LinkHandshakeOptions): LinkHandshake {
  const { identity, expectedRemoteId } = options;
  const ownNonce = base64urlEncode((options.randomBytes ?? defaultRandomBytes)(NONCE_BYTES));
  let started = false;
  let finished = false;
  let remoteNonce: string | null = null;
  let proofSent = false;
  let proofReceived = false;
  let verified: { id: NodeId; key: Uint8Array } | null = null;
  let remoteOk = false;

  const fail = (code: HandshakeFailureCode, detail: string): void => {
    if (finished) return;
    finished = true;
    options.onFailed(code, detail);
  };
  const maybeDone = (): void => {
    if (finished || verified === null || !remoteOk) return;
    finished = true;
    options.onAuthenticated(verified.id, verified.key);
  };
  const sendProof = async (nonce: string): Promise<void> => {
    proofSent = true;
    let sig: Uint8Array;
    try {
      sig = await identity.sign(handshakePayload(nonce, ownNonce));
    } catch (error) {
      fail('error', `sign failed: ${String(error)}`);
      return;
    }
    if (finished) return;
    const frame = { t: 'proof', key: base64urlEncode(identity.publicKey), sig: base64urlEncode(sig) };
    options.send(JSON.stringify(frame));
  };
  const maybeSendProof = (): void => {
    if (!started || remoteNonce === null || proofSent) return;
    sendProof(remoteNonce).catch((error: unknown) => fail('error', `proof failed: ${String(error)}`));
  };
  const checkProof = async (key: Uint8Array, sig: Uint8Array): Promise<void> => {
    if (remoteNonce === null) return;
    // From the remote's point of view, "received" is our nonce and "own" is theirs.
    const valid = await verifySignature(key, sig, handshakePayload(ownNonce, remoteNonce));
    if (!valid) return fail('auth-failed', 'bad signature');
    let id: NodeId;
    try {
      id = await idFromPublicKey(key);
    } catch (error) {
      return fail('error', `hash failed: ${String(error)}`);
    }
    if (id === identity.id) return fail('auth-failed', 'remote presented our own key');
    if (expectedRemoteId !== undefined && id !== expectedRemoteId) {
      return fail('auth-failed', `remote id mismatch: expected ${expectedRemoteId}, got ${id}`);
    }
    if (finished) return;
    verified = { id, key };
    options.send(JSON.stringify({ t: 'ok' }));
    maybeDone();
  };

  return {
    start() {
      if (started || finished) return;
      started = true;
      options.send(JSON.stringify({ t: 'hello', v: 1, nonce: ownNonce }));
      maybeSendProof();
    },
    receive(text) {
      if (finished) return;
      const frame = parseHandshakeFrame(text);
      if (frame === null) return fail('auth-failed', 'malformed handshake frame');
      if (frame.t === 'hello') {
        if (remoteNonce !== null) return fail('auth-failed', 'duplicate hello');
        if (frame.nonce === ownNonce) return fail('auth-failed', 'reflected nonce');
        remoteNonce = frame.nonce;
        maybeSendProof();
      } else if (frame.t === 'proof') {
        if (remoteNonce === null || proofReceived) return fail('auth-failed', 'unexpected proof');
        proofReceived = true;
        checkProof(frame.key, frame.sig).catch((error: unknown) => fail('error', `verify failed: ${String(error)}`));
      } else {
        if (!proofReceived || remoteOk) return fail('auth-failed', 'unexpected ok');
        remoteOk = true;
        maybeDone();
      }
    },
  };
}
