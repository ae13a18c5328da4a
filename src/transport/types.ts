/**
 * Types shared by the link transport: close codes, send results, signaling payloads and the
 * minimal structural view of a simple-peer instance the adapter relies on.
 */

/** Why a link closed. Emitted exactly once per link. */
export type LinkCloseCode = 'timeout' | 'auth-failed' | 'remote-closed' | 'ice-failed' | 'error' | 'local';

/** Payload of a link's 'close' event. */
export interface LinkCloseEvent {
  code: LinkCloseCode;
  /** Human-readable detail for logs; never parse it. */
  detail?: string;
}

/** Why a send was refused (`not-text`: neither a string nor bytes). `send()` never throws; it returns one of these. */
export type SendErrorCode = 'too-large' | 'queue-full' | 'not-open' | 'closed' | 'not-text';

/** Result of `Link.send()`. */
export type SendResult = { ok: true } | { ok: false; code: SendErrorCode };

/** Why an inbound signal was refused. */
export type SignalErrorCode = 'bad-signal' | 'unexpected-signal' | 'too-many-candidates' | 'closed';

/** Result of `Link.signal()`. */
export type SignalResult = { ok: true } | { ok: false; code: SignalErrorCode };

/** An ICE candidate as carried in signaling. */
export interface LinkIceCandidate {
  candidate: string;
  sdpMLineIndex?: number | null;
  sdpMid?: string | null;
  usernameFragment?: string | null;
}

/** A validated signaling payload: one session description or one ICE candidate. */
export type LinkSignal =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: LinkIceCandidate };

/** Reasons an inbound data-channel frame is dropped (`binary`: bytes during the handshake, or neither text nor bytes). */
export type InboundDropReason = 'binary' | 'too-large';

/** Reasons the link could not be created at all. */
export type CreateLinkErrorCode = 'budget-exhausted' | 'rate-limited' | 'create-failed';

/** Counters a link keeps; a shared instance may be injected to aggregate over many links. */
export interface LinkCounters {
  messagesSent: number;
  messagesReceived: number;
  droppedInboundBinary: number;
  droppedInboundTooLarge: number;
  droppedOutboundQueueFull: number;
  refusedSignals: number;
  authFailed: number;
  timeouts: number;
  listenerErrors: number;
}

/** Creates a zeroed counter record. */
export function createLinkCounters(): LinkCounters {
  return {
    messagesSent: 0,
    messagesReceived: 0,
    droppedInboundBinary: 0,
    droppedInboundTooLarge: 0,
    droppedOutboundQueueFull: 0,
    refusedSignals: 0,
    authFailed: 0,
    timeouts: 0,
    listenerErrors: 0,
  };
}

/** The subset of a simple-peer instance the adapter uses (keeps simple-peer's types out of the core). */
export interface SimplePeerLike {
  readonly bufferSize: number;
  /** simple-peer 9's underlying RTCPeerConnection (not in its docs, but its own code and users rely on it). */
  readonly _pc?: unknown;
  signal(data: LinkSignal): void;
  write(chunk: string | Uint8Array, cb?: (error?: Error | null) => void): boolean;
  destroy(error?: Error): void;
  on(event: 'signal', listener: (data: unknown) => void): unknown;
  on(event: 'connect' | 'close', listener: () => void): unknown;
  on(event: 'data', listener: (data: unknown) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** Options this project passes to simple-peer. */
export interface SimplePeerOptions {
  initiator: boolean;
  trickle: boolean;
  objectMode: boolean;
  wrtc?: object;
  config?: object;
}

/** A simple-peer constructor (Node: `simple-peer`; browser: `simple-peer/simplepeer.min.js`). */
export type SimplePeerConstructor = new (options: SimplePeerOptions) => SimplePeerLike;
