/**
 * The signaling protocol, defined once for both ends: the server (`signal/`) and the client
 * (`src/adapters/signaling-client.ts`) import message types, error and close codes, the frame cap and the exact
 * bytes a hello signs from here. The server's hostile-input decoder lives in `signal/protocol.ts`; the client's
 * decoder of server messages in the client. See signal/README.md for the wire description and the close codes.
 */
import type { NodeId } from '../core/node-id';
import type { IceServer } from '../transport/ice-servers';

/** Version stamped on every message (`v`). */
export const SIGNAL_PROTOCOL_VERSION = 1;

/** Largest accepted frame, in bytes (also the `ws` maxPayload). */
export const SIGNAL_MAX_FRAME_BYTES = 64 * 1024;

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
  /**
   * The page's Origin is well-formed but not in the server's allow-list. Sent on an accepted socket right after
   * the upgrade (with an `origin-forbidden` error first), because a browser cannot read an HTTP 403 at upgrade.
   */
  originForbidden: 4011,
  /** Too many fragments in one message, or too many tiny TCP chunks; sent by the `ws` layer. */
  policyViolation: 1008,
  /** The server failed while handling this socket (a bug); only this socket is closed. */
  internalError: 1011,
} as const;

/** Close reason sent with `CLOSE_CODES.leaseExpired` (code name first, like every other close reason). */
export const LEASE_EXPIRED_REASON = 'lease-expired: guest lease over; the mesh carries your signaling now';

/**
 * The ICE configuration a server hands a member in its welcome (when the server is configured with STUN or TURN):
 * servers as RTCIceServer entries (TURN ones with time-limited REST credentials), and how long, from now, those
 * credentials stay valid (relative, so the client's clock never matters). Servers before this field sent none;
 * clients before it ignore it (an unknown field of a welcome is not an error).
 */
export interface WelcomeIce {
  iceServers: IceServer[];
  /** Seconds from the welcome until the TURN credentials expire; absent when there are none. */
  ttlSec?: number;
}

/** Messages a client may send. */
export type ClientMessage =
  | { v: 1; t: 'hello'; room: string; key: string; sig: string }
  | { v: 1; t: 'signal'; to: NodeId; data: unknown }
  | { v: 1; t: 'peers' };

/** Messages the server sends. */
export type ServerMessage =
  | { v: 1; t: 'challenge'; nonce: string }
  /** `introducer`: the server keeps this socket as one of the room's introducers (false: a guest with a lease). */
  | { v: 1; t: 'welcome'; id: NodeId; peers: NodeId[]; introducer: boolean; ice?: WelcomeIce }
  /**
   * The room changed this member's role: `true`, a guest took an introducer slot (its lease is cancelled);
   * `false`, an introducer handed its slot on (term over, or its address was above its share) and is now a guest
   * with a fresh lease.
   */
  | { v: 1; t: 'role'; introducer: boolean }
  | { v: 1; t: 'signal'; from: NodeId; data: unknown }
  | { v: 1; t: 'peers'; peers: NodeId[] }
  | { v: 1; t: 'error'; code: SignalErrorCode; message: string; to?: NodeId };

/** Room names: 1..64 characters of [A-Za-z0-9_.-]. */
const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** True for a valid room name: 1..64 characters of [A-Za-z0-9_.-]. */
export function isValidRoom(x: unknown): x is string {
  return typeof x === 'string' && ROOM_PATTERN.test(x);
}

/** The exact bytes a client signs in `hello`: UTF-8 of `starmesh-signal/1|${room}|${nonce}`. */
export function helloSigningInput(room: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(`starmesh-signal/1|${room}|${nonce}`);
}
