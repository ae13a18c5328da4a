/**
 * WebRTC link adapter: one authenticated, bounded connection (text and binary frames) to one remote node over a
 * simple-peer data channel. The simple-peer constructor is injected (see `simple-peer.node.ts` and
 * `simple-peer.browser.ts`) so browser bundles never pull Node built-ins.
 *
 * Lifecycle: 'signal' events while negotiating -> data channel up -> key-proof handshake
 * (`transport/handshake.ts`) -> 'open' -> 'message'* -> 'close' (exactly once).
 */
import type { KeyIdentity, NodeId } from '../identity/keys';
import type { AttemptLimiter, ConnectionBudget } from '../transport/budget';
import { createEmitter } from '../util/emitter';
import { classifyInbound, classifyLinkInbound, linkFrameBytes, MAX_MESSAGE_BYTES, type LinkFrame } from '../transport/framing';
import { createLinkHandshake, MAX_HANDSHAKE_FRAME_CHARS } from '../transport/handshake';
import { readLinkPath, type LinkPath } from '../transport/link-path';
import { rtcConfigWithIce, type IceConfig } from '../transport/ice-servers';
import { createSignalGate, parseSignal } from '../transport/signal';
import { createLinkCounters } from '../transport/types';
import type {
  CreateLinkErrorCode, InboundDropReason, LinkCloseCode, LinkCloseEvent, LinkCounters, LinkSignal,
  SendResult, SignalResult, SimplePeerConstructor, SimplePeerLike,
} from '../transport/types';

/** Default time from creation to 'open' before the link closes with `timeout`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Default cap on bytes waiting to be sent (queued here plus the channel's bufferedAmount). */
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;
/** Default cap on ICE candidates accepted from the remote side. */
export const DEFAULT_MAX_REMOTE_CANDIDATES = 64;

/** Events a link emits. */
export interface LinkEvents {
  /** Signaling data to deliver to the remote side through any signaling path. */
  signal: LinkSignal;
  /** The remote proved its key; `remoteId` is derived from that key. */
  open: { remoteId: NodeId };
  /** One inbound frame, text or bytes (only after 'open'). */
  message: LinkFrame;
  /** A frame was dropped; also counted in `counters()`. */
  drop: { direction: 'in' | 'out'; reason: InboundDropReason | 'queue-full' };
  /** Emitted exactly once. */
  close: LinkCloseEvent;
}

/** Link state as seen by callers. */
export type LinkState = 'connecting' | 'authenticating' | 'open' | 'closed';

/** One connection to one remote node. Never throws. */
export interface Link {
  readonly initiator: boolean;
  /** The verified remote ID once open; before that, the expected one (if given). */
  remoteId(): NodeId | undefined;
  state(): LinkState;
  on<K extends keyof LinkEvents>(event: K, listener: (payload: LinkEvents[K]) => void): () => void;
  off<K extends keyof LinkEvents>(event: K, listener: (payload: LinkEvents[K]) => void): void;
  /** Feeds untrusted signaling data from the remote side. */
  signal(data: unknown): SignalResult;
  /** Sends one frame, text (≤ 16 KiB UTF-8) or bytes (≤ 16 KiB), once open. */
  send(frame: LinkFrame): SendResult;
  /** Bytes accepted by `send` and not yet handed to the channel, plus the channel's bufferedAmount. */
  queuedBytes(): number;
  /** Closes with code `local`. */
  close(detail?: string): void;
  counters(): Readonly<LinkCounters>;
  /** The candidate pair the link uses (from the peer connection's stats), or undefined: not open or not readable. */
  path(): Promise<LinkPath | undefined>;
}

/** Options for `createLink`. */
export interface CreateLinkOptions {
  /** Expected remote ID; when set, the remote key must hash to it. */
  remoteId?: NodeId;
  /** Who makes the offer; by convention the lower ID (see `isInitiator`). */
  initiator: boolean;
  identity: KeyIdentity;
  /** The simple-peer constructor for this platform. */
  SimplePeerImpl: SimplePeerConstructor;
  /** Node: the `wrtc` of `loadNodeWebRtc` (src/adapters/node-webrtc.ts); browser: leave undefined. */
  wrtc?: object;
  /** Platform RTCConfiguration (e.g. werift's host address settings); its `iceServers` default to none. */
  rtcConfig?: object;
  /**
   * ICE servers and transport policy, over `rtcConfig`. Absent (and absent from `rtcConfig`): no ICE server at all,
   * never simple-peer's built-in public STUN servers.
   */
  ice?: IceConfig;
  connectTimeoutMs?: number;
  maxQueuedBytes?: number;
  maxRemoteCandidates?: number;
  /** Lifetime budget of peer connections; a slot is taken before constructing. */
  budget?: ConnectionBudget;
  /** Per-peer attempt limiter; consulted (when `remoteId` is given) before the budget. */
  limiter?: AttemptLimiter;
  /** Shared counters aggregating over many links. */
  sharedCounters?: LinkCounters;
}

/** Result of `createLink`. */
export type CreateLinkResult = { ok: true; link: Link } | { ok: false; code: CreateLinkErrorCode; detail?: string };

/** The initiator rule (the lower ID makes the offer), defined once in the core. */
export { isInitiator } from '../core/initiator';

function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

function closeCodeFor(error: unknown): LinkCloseCode {
  const code = errorCode(error);
  if (code === 'ERR_ICE_CONNECTION_FAILURE' || code === 'ERR_CONNECTION_FAILURE') return 'ice-failed';
  if (code === 'ERR_ICE_CONNECTION_CLOSED') return 'remote-closed';
  // A channel the remote closed shows up as "User-Initiated Abort" (Chromium) or as a send on a
  // channel that is no longer open (InvalidStateError).
  if (code === 'ERR_DATA_CHANNEL' && /User-Initiated Abort|InvalidStateError|not 'open'/i.test(String(error))) {
    return 'remote-closed';
  }
  return 'error';
}

/** Creates a link, or explains why not (budget, rate limit, constructor failure). Never throws. */
export function createLink(options: CreateLinkOptions): CreateLinkResult {
  if (options.limiter !== undefined && options.remoteId !== undefined && !options.limiter.tryAttempt(options.remoteId)) {
    return { ok: false, code: 'rate-limited' };
  }
  if (options.budget !== undefined && !options.budget.tryAcquire()) return { ok: false, code: 'budget-exhausted' };
  let peer: SimplePeerLike;
  try {
    peer = new options.SimplePeerImpl({
      initiator: options.initiator,
      trickle: true,
      objectMode: true,
      ...(options.wrtc !== undefined ? { wrtc: options.wrtc } : {}),
      // Always given: simple-peer merges it over its own default, whose public STUN servers must never be used.
      config: rtcConfigWithIce(options.rtcConfig, options.ice),
    });
  } catch (error) {
    if (/so many/i.test(String(error))) options.budget?.markExhausted();
    return { ok: false, code: 'create-failed', detail: String(error) };
  }
  return { ok: true, link: wrapPeer(peer, options) };
}

function wrapPeer(peer: SimplePeerLike, options: CreateLinkOptions): Link {
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  const maxCandidates = options.maxRemoteCandidates ?? DEFAULT_MAX_REMOTE_CANDIDATES;
  const own = createLinkCounters();
  const count = (key: keyof LinkCounters): void => {
    own[key]++;
    if (options.sharedCounters !== undefined) options.sharedCounters[key]++;
  };
  const events = createEmitter<LinkEvents>((error, event) => {
    count('listenerErrors');
    console.error(`starmesh: a link '${event}' listener threw`, error);
  });
  let state: LinkState = 'connecting';
  let remoteId = options.remoteId;
  let pendingBytes = 0;
  const gate = createSignalGate({ initiator: options.initiator, maxCandidates });

  const close = (code: LinkCloseCode, detail?: string): void => {
    if (state === 'closed') return;
    state = 'closed';
    clearTimeout(timer);
    if (code === 'auth-failed') count('authFailed');
    if (code === 'timeout') count('timeouts');
    try {
      peer.destroy();
    } catch {
      // Already destroyed: nothing left to release.
    }
    events.emit('close', detail === undefined ? { code } : { code, detail });
    events.clear();
  };
  const timer = setTimeout(() => close('timeout', 'not open in time'), options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);

  const write = (frame: LinkFrame): void => {
    const bytes = linkFrameBytes(frame);
    const bufferedBefore = peer.bufferSize;
    let pending = true;
    const settle = (): void => {
      if (!pending) return;
      pending = false;
      pendingBytes -= bytes;
    };
    pendingBytes += bytes;
    try {
      peer.write(frame, settle);
    } catch (error) {
      close('error', `write failed: ${String(error)}`);
      return;
    }
    // Handed to the channel at once, whose bufferedAmount grew by it (browsers and werift do so synchronously):
    // counted there, so not here as well (the stream's callback comes a tick later).
    if (state !== 'closed' && peer.bufferSize - bufferedBefore >= bytes) settle();
  };
  const handshake = createLinkHandshake({
    identity: options.identity,
    ...(options.remoteId !== undefined ? { expectedRemoteId: options.remoteId } : {}),
    send: (text) => {
      if (state === 'authenticating') write(text);
    },
    onAuthenticated: (id) => {
      if (state !== 'authenticating') return;
      state = 'open';
      remoteId = id;
      clearTimeout(timer);
      events.emit('open', { remoteId: id });
    },
    onFailed: (code, detail) => close(code, detail),
  });

  const dropInbound = (reason: InboundDropReason): void => {
    count(reason === 'binary' ? 'droppedInboundBinary' : 'droppedInboundTooLarge');
    events.emit('drop', { direction: 'in', reason });
  };
  const onData = (data: unknown): void => {
    if (state === 'closed') return;
    if (state === 'open') {
      const frame = classifyLinkInbound(data);
      if (!frame.ok) return dropInbound(frame.reason);
      count('messagesReceived');
      events.emit('message', frame.frame);
      return;
    }
    // Before 'open' only small handshake frames are legal; anything else ends the link.
    const frame = classifyInbound(data, MAX_HANDSHAKE_FRAME_CHARS);
    if (!frame.ok) {
      dropInbound(frame.reason);
      return close('auth-failed', `${frame.reason} frame during handshake`);
    }
    handshake.receive(frame.text);
  };

  peer.on('signal', (data) => {
    const signal = parseSignal(data);
    if (signal !== null && state !== 'closed') events.emit('signal', signal);
  });
  peer.on('connect', () => {
    if (state !== 'connecting') return;
    state = 'authenticating';
    handshake.start();
  });
  peer.on('data', onData);
  peer.on('error', (error) => {
    if (/so many/i.test(String(error))) options.budget?.markExhausted();
    const code = closeCodeFor(error);
    close(code === 'remote-closed' && state === 'authenticating' ? 'auth-failed' : code, String(error));
  });
  peer.on('close', () => {
    // A remote that hangs up mid-handshake did not authenticate (it may have rejected our key).
    if (state === 'authenticating') close('auth-failed', 'remote closed during handshake');
    else close('remote-closed');
  });

  return {
    initiator: options.initiator,
    remoteId: () => remoteId,
    state: () => state,
    on: events.on,
    off: events.off,
    signal(data) {
      if (state === 'closed') return { ok: false, code: 'closed' };
      const signal = gate.admit(data);
      if (typeof signal === 'string') {
        count('refusedSignals');
        return { ok: false, code: signal };
      }
      try {
        peer.signal(signal);
      } catch (error) {
        close('error', `signal failed: ${String(error)}`);
        return { ok: false, code: 'closed' };
      }
      return { ok: true };
    },
    send(frame) {
      if (typeof frame !== 'string' && !(frame instanceof Uint8Array)) return { ok: false, code: 'not-text' };
      if (state === 'closed') return { ok: false, code: 'closed' };
      if (state !== 'open') return { ok: false, code: 'not-open' };
      const bytes = linkFrameBytes(frame);
      if (bytes > MAX_MESSAGE_BYTES) return { ok: false, code: 'too-large' };
      if (pendingBytes + peer.bufferSize + bytes > maxQueuedBytes) {
        count('droppedOutboundQueueFull');
        events.emit('drop', { direction: 'out', reason: 'queue-full' });
        return { ok: false, code: 'queue-full' };
      }
      write(frame);
      if (state !== 'open') return { ok: false, code: 'closed' };
      count('messagesSent');
      return { ok: true };
    },
    queuedBytes: () => pendingBytes + (state === 'closed' ? 0 : peer.bufferSize),
    close: (detail) => close('local', detail),
    counters: () => ({ ...own }),
    path: () => (state === 'open' ? readLinkPath(peer._pc) : Promise.resolve(undefined)),
  };
}
