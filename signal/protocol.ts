/**
 * The server's side of the signaling protocol: a decoder that treats every frame as hostile, and the encoder of
 * its answers. Decoding never throws; it returns either a typed message or an error code for the answer. The
 * protocol itself (types, codes, frame cap, signing input) is `src/signaling/protocol.ts`, shared with the client;
 * it is re-exported here for the server's files. See signal/README.md for the wire description.
 */
import { isNodeId, type NodeId } from '../src/identity/keys';
import {
  SIGNAL_MAX_FRAME_BYTES,
  SIGNAL_PROTOCOL_VERSION,
  isValidRoom,
  type ClientMessage,
  type ServerMessage,
  type SignalErrorCode,
} from '../src/signaling/protocol';
import { jsonDepthWithin } from './json-bounds';

export {
  CLOSE_CODES,
  LEASE_EXPIRED_REASON,
  SIGNAL_PROTOCOL_VERSION,
  helloSigningInput,
  isValidRoom,
  type ClientMessage,
  type ServerMessage,
  type SignalErrorCode,
} from '../src/signaling/protocol';

/** Largest accepted frame, in bytes (also the `ws` maxPayload): the protocol's cap. */
export const DEFAULT_MAX_FRAME_BYTES = SIGNAL_MAX_FRAME_BYTES;

/**
 * Deepest nesting of arrays and objects accepted in a frame (the frame itself is level 1). Real signals nest 4
 * levels (frame, data, `s`, candidate); the bound keeps every later recursion (the relay's re-encoding) shallow.
 */
export const DEFAULT_MAX_JSON_DEPTH = 16;

/** Result of decoding one frame. */
export type DecodeResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: 'bad-json' | 'bad-message'; message: string };

/** 32 bytes in base64url is 43 characters; a 64-byte signature is 86. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const SIG_PATTERN = /^[A-Za-z0-9_-]{86}$/;
const ALLOWED_KEYS: Record<ClientMessage['t'], readonly string[]> = {
  hello: ['v', 't', 'room', 'key', 'sig'],
  signal: ['v', 't', 'to', 'data'],
  peers: ['v', 't'],
};

/** Parses and validates one text frame. Never throws. Depth is checked on the text before it is parsed. */
export function decodeClientMessage(text: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): DecodeResult {
  if (!jsonDepthWithin(text, maxDepth)) return bad(`frame nests deeper than ${maxDepth} levels`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-json', message: 'frame is not valid JSON' };
  }
  return validateClientMessage(parsed);
}

function bad(message: string): DecodeResult {
  return { ok: false, code: 'bad-message', message };
}

/** Validates an already parsed value as a client message (shape, types, no unknown or inherited keys). */
export function validateClientMessage(value: unknown): DecodeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('message must be an object');
  const record = value as Record<string, unknown>;
  if (record['v'] !== SIGNAL_PROTOCOL_VERSION) return bad('unsupported or missing protocol version v');
  const type = record['t'];
  if (type !== 'hello' && type !== 'signal' && type !== 'peers') return bad('unknown message type t');
  // Own keys only: a `__proto__` or any extra key is refused rather than silently carried along.
  const allowed = ALLOWED_KEYS[type];
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) return bad(`unexpected field ${JSON.stringify(key.slice(0, 32))}`);
  }
  switch (type) {
    case 'hello': {
      const { room, key, sig } = record;
      if (!isValidRoom(room)) return bad('room must be 1..64 characters of [A-Za-z0-9_.-]');
      if (typeof key !== 'string' || !KEY_PATTERN.test(key)) return bad('key must be a base64url 32-byte key');
      if (typeof sig !== 'string' || !SIG_PATTERN.test(sig)) return bad('sig must be a base64url 64-byte signature');
      return { ok: true, message: { v: 1, t: 'hello', room, key, sig } };
    }
    case 'signal': {
      const { to } = record;
      if (!isNodeId(to)) return bad('to must be a node id');
      if (!Object.hasOwn(record, 'data')) return bad('data is required');
      return { ok: true, message: { v: 1, t: 'signal', to, data: record['data'] } };
    }
    case 'peers':
      return { ok: true, message: { v: 1, t: 'peers' } };
  }
}

/**
 * Serialises a server message. `data` came from `JSON.parse` of a frame whose depth was bounded by
 * `decodeClientMessage`, so it re-serialises; callers still treat a throw as a bug of this socket, never the process.
 */
export function encodeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}

/** Builds an error message with a human-readable explanation. */
export function errorMessage(code: SignalErrorCode, message: string, to?: NodeId): ServerMessage {
  return to === undefined ? { v: 1, t: 'error', code, message } : { v: 1, t: 'error', code, message, to };
}
