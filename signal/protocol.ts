/**
 * The signaling protocol: message types, stable error codes, close codes, and a decoder that treats every frame
 * as hostile. Decoding never throws; it returns either a typed message or an error code for the answer.
 * See signal/README.md for the wire description and the close-code table.
 */
import { isNodeId, type NodeId } from '../src/identity/keys';
import { jsonDepthWithin } from './json-bounds';

/** Version stamped on every message (`v`). */
export const SIGNAL_PROTOCOL_VERSION = 1;

/** Largest accepted frame, in bytes (also the `ws` maxPayload). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

/**
 * Deepest nesting of arrays and objects accepted in a frame (the frame itself is level 1). Real signals nest 4
 * levels (frame, data, `s`, candidate); the bound keeps every later recursion (the relay's re-encoding) shallow.
 */
export const DEFAULT_MAX_JSON_DEPTH = 16;

/** Stable error codes sent in `{ t: 'error', code }`. */
export type SignalErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'too-large'
  | 'not-joined'
  | 'already-joined'
  | 'bad-signature'
  | 'id-in-use'
  | 'room-full'
  | 'server-full'
  | 'rate-limited'
  | 'unknown-peer'
  | 'origin-forbidden'
  | 'address-limit';

/** WebSocket close codes used by the server (4000 range is application-defined). */
export const CLOSE_CODES = {
  /** Server shutting down. */
  goingAway: 1001,
  /** Frame above maxPayload; sent by the `ws` layer before any answer is possible. */
  tooLarge: 1009,
  helloTimeout: 4001,
  badSignature: 4002,
  idInUse: 4003,
  roomFull: 4004,
  serverFull: 4005,
  rateLimited: 4006,
  /** A guest's lease ran out: not a failure; the client is expected to signal through the mesh from now on. */
  leaseExpired: 4007,
  /** This client's address holds as many sockets, or is in as many rooms, as one address may. */
  addressLimit: 4008,
  /** The client did not read its socket: the server's send buffer for it passed its limit. */
  slowReader: 4009,
  /** A message was begun (a frame or the first fragments) and not finished in time. */
  messageTimeout: 4010,
  /** Too many fragments in one message, or too many tiny TCP chunks; sent by the `ws` layer. */
  policyViolation: 1008,
  /** The server failed while handling this socket (a bug); only this socket is closed. */
  internalError: 1011,
} as const;

/** Close reason sent with `CLOSE_CODES.leaseExpired` (code name first, like every other close reason). */
export const LEASE_EXPIRED_REASON = 'lease-expired: guest lease over; the mesh carries your signaling now';

/** Messages a client may send. */
export type ClientMessage =
  | { v: 1; t: 'hello'; room: string; key: string; sig: string }
  | { v: 1; t: 'signal'; to: NodeId; data: unknown }
  | { v: 1; t: 'peers' };

/** Messages the server sends. */
export type ServerMessage =
  | { v: 1; t: 'challenge'; nonce: string }
  /** `introducer`: the server keeps this socket as one of the room's introducers (false: a guest with a lease). */
  | { v: 1; t: 'welcome'; id: NodeId; peers: NodeId[]; introducer: boolean }
  /**
   * The room changed this member's role: `true`, a guest took an introducer slot (its lease is cancelled);
   * `false`, an introducer handed its slot on (term over, or its address was above its share) and is now a guest
   * with a fresh lease.
   */
  | { v: 1; t: 'role'; introducer: boolean }
  | { v: 1; t: 'signal'; from: NodeId; data: unknown }
  | { v: 1; t: 'peers'; peers: NodeId[] }
  | { v: 1; t: 'error'; code: SignalErrorCode; message: string; to?: NodeId };

/** Result of decoding one frame. */
export type DecodeResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: 'bad-json' | 'bad-message'; message: string };

const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** 32 bytes in base64url is 43 characters; a 64-byte signature is 86. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const SIG_PATTERN = /^[A-Za-z0-9_-]{86}$/;
const ALLOWED_KEYS: Record<ClientMessage['t'], readonly string[]> = {
  hello: ['v', 't', 'room', 'key', 'sig'],
  signal: ['v', 't', 'to', 'data'],
  peers: ['v', 't'],
};

/** True for a valid room name: 1..64 characters of [A-Za-z0-9_.-]. */
export function isValidRoom(x: unknown): x is string {
  return typeof x === 'string' && ROOM_PATTERN.test(x);
}

/** The exact bytes a client signs in `hello`: UTF-8 of `starmesh-signal/1|${room}|${nonce}`. */
export function helloSigningInput(room: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(`starmesh-signal/1|${room}|${nonce}`);
}

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
