/**
 * Client of the Starmesh signaling server (see signal/README.md) and the only user of WebSocket in the library.
 * `connect()` answers the server's challenge with a signed hello and resolves with the welcome; afterwards the
 * client relays `signal` payloads and asks for fresh introductions. The server keeps a small pool of introducers
 * per room; a client outside it is a guest whose socket the server closes after a lease
 * (`SIGNAL_LEASE_EXPIRED_CLOSE_CODE`), and which is told by a 'role' event if it is promoted into the pool. Everything from the server is validated;
 * failures reach the caller as error codes (rejected promises carrying a `SignalingError`, or 'error' events),
 * never as uncaught exceptions.
 */
import { base64urlEncode, isNodeId, type KeyIdentity, type NodeId } from '../identity/keys';
import {
  CLOSE_CODES,
  SIGNAL_MAX_FRAME_BYTES,
  SIGNAL_PROTOCOL_VERSION,
  helloSigningInput,
  type ClientMessage,
  type ServerMessage,
  type SignalErrorCode,
  type WelcomeIce,
} from '../signaling/protocol';
import { parseIceServers } from '../transport/ice-servers';
import { consoleHandlerErrors, createEmitter } from '../util/emitter';

/**
 * Error codes: the server's stable codes (see signal/README.md), the ones its close codes stand for when no error
 * message came first (`slow-reader`, `message-timeout`, `policy-violation`, `internal-error`), plus local ones:
 * `connect-failed` (socket could not open: nothing listens, TLS failed, or an HTTP refusal such as the 403 of a
 * malformed Origin), `closed`, `timeout`, `protocol-error` (unintelligible server). `origin-forbidden` (the page's
 * Origin is not in the server's allow-list) comes on an open socket, so a browser can tell it from unreachable.
 */
export type SignalingErrorCode =
  | SignalErrorCode
  | 'slow-reader' | 'message-timeout' | 'policy-violation' | 'internal-error'
  | 'connect-failed' | 'closed' | 'timeout' | 'protocol-error';

/**
 * Close codes of the server (signal/README.md) that come without an error message first, and what they mean:
 * the server cannot tell a client that does not read, and the `ws` layer closes without one.
 */
export const SIGNAL_CLOSE_CODE_ERRORS: Readonly<Record<number, SignalingErrorCode>> = {
  [CLOSE_CODES.policyViolation]: 'policy-violation',
  [CLOSE_CODES.tooLarge]: 'too-large',
  [CLOSE_CODES.internalError]: 'internal-error',
  [CLOSE_CODES.addressLimit]: 'address-limit',
  [CLOSE_CODES.slowReader]: 'slow-reader',
  [CLOSE_CODES.messageTimeout]: 'message-timeout',
  // The server says so in an error first; the close code alone means the same (a frame lost in a proxy).
  [CLOSE_CODES.originForbidden]: 'origin-forbidden',
};

/** A failed operation; `code` is stable, `message` is for humans. */
export class SignalingError extends Error {
  constructor(
    readonly code: SignalingErrorCode | (string & {}),
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

/** Events of a signaling client. */
export interface SignalingEvents {
  /** A payload relayed from another member of the room; `from` was stamped by the server. */
  signal: { from: NodeId; data: unknown };
  error: { code: string; message: string };
  /** The server promoted us into its introducer pool (it keeps our socket; no lease any more). */
  role: { introducer: boolean };
  /**
   * Emitted once when the socket closes (for any reason). `code` is `SIGNAL_LEASE_EXPIRED_CLOSE_CODE` (4007) when
   * the server ended a guest's lease: expected, not a failure.
   */
  close: { code: number; reason: string };
}

/** What `connect()` resolves with. */
export interface SignalingWelcome {
  id: NodeId;
  peers: NodeId[];
  /** True when the server keeps this socket as one of the room's introducers; false for a guest (or unknown). */
  introducer: boolean;
  /** ICE servers the server hands out (validated like every other ICE input); absent when it has none. */
  ice?: WelcomeIce;
}

/**
 * The part of WebSocket this client uses; both the browser's `WebSocket` and `ws` satisfy it. Handlers take
 * `any` because the two implementations type their events differently; events are narrowed on use.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /* eslint-disable @typescript-eslint/no-explicit-any */
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** A WebSocket class such as `globalThis.WebSocket` or `ws`'s `WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options of `createSignalingClient`. */
export interface SignalingClientOptions {
  url: string;
  room: string;
  identity: KeyIdentity;
  /** Injectable WebSocket class; default `globalThis.WebSocket`. */
  WebSocketImpl?: WebSocketConstructor;
  /** Limit for `connect()` and `requestPeers()`. Default 10 000 ms. */
  timeoutMs?: number;
}

/** A connection to one room of a signaling server. */
export interface SignalingClient {
  /** Opens the socket, answers the challenge; resolves with our id, first introductions and role. Idempotent. */
  connect(): Promise<SignalingWelcome>;
  /** True while the socket is open and the server keeps it as one of the room's introducers. */
  isIntroducer(): boolean;
  /** Relays `data` (any JSON value) to `to`. False (plus an 'error' event) when it could not be sent. */
  send(to: NodeId, data: unknown): boolean;
  /** Asks the server for fresh random introductions. */
  requestPeers(): Promise<NodeId[]>;
  /** Closes the socket; pending operations reject with `closed`. */
  close(): void;
  /**
   * Lets go of the server (the mesh carries signaling now) but keeps any server-free path, such as sibling tabs
   * over BroadcastChannel. For a plain server client this is `close()`.
   */
  release(): void;
  /** True when `to` is reached without the server (a sibling tab over BroadcastChannel). Absent: never. */
  reachesLocally?(to: NodeId): boolean;
  on<K extends keyof SignalingEvents>(event: K, handler: (payload: SignalingEvents[K]) => void): () => void;
}

export { SIGNAL_MAX_FRAME_BYTES } from '../signaling/protocol';
/** Close code of a guest whose lease ended (signal/README.md): the mesh is expected to carry signaling now. */
export const SIGNAL_LEASE_EXPIRED_CLOSE_CODE = CLOSE_CODES.leaseExpired;
const OPEN = 1;

/** `T` without its `v`, for each member of a union. */
type Unversioned<T> = T extends unknown ? Omit<T, 'v'> : never;
/**
 * A server message after validation: the protocol's `ServerMessage` without `v` (checked), except that an error
 * code is any short string, since a newer server may send codes this client does not know.
 */
type Received =
  | Unversioned<Exclude<ServerMessage, { t: 'error' | 'welcome' }>>
  /** `badIce`: why an `ice` field was dropped (the welcome itself still counts). */
  | (Unversioned<Extract<ServerMessage, { t: 'welcome' }>> & { badIce?: string })
  | { t: 'error'; code: string; message: string };

interface Pending<T> {
  resolve(value: T): void;
  reject(error: SignalingError): void;
}

/** Creates a client; nothing happens on the network until `connect()`. */
export function createSignalingClient(options: SignalingClientOptions): SignalingClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const emitter = createEmitter<SignalingEvents>(consoleHandlerErrors('signaling'));
  const encoder = new TextEncoder();
  let socket: WebSocketLike | undefined;
  let connecting: Promise<SignalingWelcome> | undefined;
  let welcome: Pending<SignalingWelcome> | undefined;
  let introducer = false;
  let joined = false;
  let lastServerError: { code: string; message: string } | undefined;
  let closed = false;
  const peerRequests: Array<Pending<NodeId[]>> = [];

  /** Wraps a promise's callbacks with a timeout; `onTimeout` runs first (to forget the request). */
  function pending<T>(
    resolve: (v: T) => void,
    reject: (e: SignalingError) => void,
    what: string,
    onTimeout: () => void = () => {},
  ): Pending<T> {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new SignalingError('timeout', `${what} timed out`));
    }, timeoutMs);
    return {
      resolve: (value) => (clearTimeout(timer), resolve(value)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    };
  }

  function emitError(code: string, message: string): void {
    emitter.emit('error', { code, message });
  }

  function transmit(message: Unversioned<ClientMessage>): boolean {
    if (!socket || socket.readyState !== OPEN) {
      emitError('closed', 'the signaling socket is not open');
      return false;
    }
    let text: string;
    try {
      text = JSON.stringify({ v: SIGNAL_PROTOCOL_VERSION, ...message });
    } catch {
      emitError('bad-message', 'data is not serialisable as JSON');
      return false;
    }
    if (encoder.encode(text).byteLength > SIGNAL_MAX_FRAME_BYTES) {
      emitError('too-large', `frame exceeds ${SIGNAL_MAX_FRAME_BYTES} bytes`);
      return false;
    }
    try {
      socket.send(text);
      return true;
    } catch (error) {
      emitError('closed', `send failed: ${String(error)}`);
      return false;
    }
  }

  async function answerChallenge(nonce: string): Promise<void> {
    const payload = helloSigningInput(options.room, nonce);
    const sig = await options.identity.sign(payload);
    transmit({ t: 'hello', room: options.room, key: base64urlEncode(options.identity.publicKey), sig: base64urlEncode(sig) });
  }

  function handleMessage(message: Received): void {
    switch (message.t) {
      case 'challenge':
        answerChallenge(message.nonce).catch((error: unknown) => {
          welcome?.reject(new SignalingError('bad-signature', `signing failed: ${String(error)}`));
          client.close();
        });
        return;
      case 'welcome':
        if (message.id !== options.identity.id) {
          welcome?.reject(new SignalingError('protocol-error', 'the server welcomed us under another id'));
          welcome = undefined;
          return client.close();
        }
        joined = true;
        introducer = message.introducer;
        if (message.badIce !== undefined) emitError('protocol-error', `ICE config from the server ignored: ${message.badIce}`);
        welcome?.resolve({ id: message.id, peers: message.peers, introducer: message.introducer, ...(message.ice !== undefined ? { ice: message.ice } : {}) });
        welcome = undefined;
        return;
      case 'role':
        // Only meaningful once joined; a role before the welcome would be a confused or hostile server.
        if (!joined) return emitError('protocol-error', 'role message before welcome');
        if (introducer === message.introducer) return;
        introducer = message.introducer;
        emitter.emit('role', { introducer });
        return;
      case 'signal':
        emitter.emit('signal', { from: message.from, data: message.data });
        return;
      case 'peers':
        // Replies are interchangeable (fresh random picks), so FIFO matching is enough even if one got lost.
        peerRequests.shift()?.resolve(message.peers);
        return;
      case 'error':
        lastServerError = { code: message.code, message: message.message };
        emitError(message.code, message.message);
        return;
    }
  }

  function handleClose(code: number, reason: string): void {
    const wasClosed = closed;
    closed = true;
    introducer = false;
    const closeError = SIGNAL_CLOSE_CODE_ERRORS[code];
    const cause = lastServerError ?? { code: closeError ?? 'closed', message: `socket closed (${code}${reason ? ` ${reason.slice(0, 64)}` : ''})` };
    if (code === CLOSE_CODES.tooLarge) emitError('too-large', 'the server refused an oversized frame');
    else if (closeError !== undefined && lastServerError === undefined) emitError(closeError, `the server closed the socket (${code})`);
    welcome?.reject(new SignalingError(cause.code, cause.message));
    welcome = undefined;
    for (const request of peerRequests.splice(0)) request.reject(new SignalingError('closed', 'socket closed'));
    if (!wasClosed) emitter.emit('close', { code, reason });
    socket = undefined;
  }

  function open(resolve: (v: SignalingWelcome) => void, reject: (e: SignalingError) => void): void {
    welcome = pending(resolve, reject, 'connect');
    const Impl = options.WebSocketImpl ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
    if (!Impl) return welcome.reject(new SignalingError('connect-failed', 'no WebSocket implementation available'));
    let opened = false;
    try {
      socket = new Impl(options.url);
    } catch (error) {
      return welcome.reject(new SignalingError('connect-failed', `cannot open socket: ${String(error)}`));
    }
    const ws = socket;
    ws.onopen = () => {
      opened = true;
    };
    ws.onerror = () => {
      if (!opened) lastServerError ??= { code: 'connect-failed', message: 'the socket could not be opened' };
    };
    ws.onmessage = (event: { data?: unknown }) => {
      const message = decodeServerMessage(event.data);
      if (message) handleMessage(message);
      else emitError('protocol-error', 'unrecognised message from the server');
    };
    ws.onclose = (event: { code?: unknown; reason?: unknown }) => {
      if (socket !== ws) return;
      handleClose(typeof event.code === 'number' ? event.code : 1006, typeof event.reason === 'string' ? event.reason : '');
    };
  }

  const client: SignalingClient = {
    connect() {
      if (closed) return Promise.reject(new SignalingError('closed', 'this client was closed'));
      connecting ??= new Promise(open);
      return connecting;
    },
    isIntroducer() {
      return introducer;
    },
    send(to, data) {
      if (!isNodeId(to)) {
        emitError('bad-message', 'to is not a node id');
        return false;
      }
      return transmit({ t: 'signal', to, data });
    },
    requestPeers() {
      return new Promise<NodeId[]>((resolve, reject) => {
        // A timed-out request is forgotten, so later replies go to requests still waiting.
        const request: Pending<NodeId[]> = pending(resolve, reject, 'peers request', () => {
          const index = peerRequests.indexOf(request);
          if (index >= 0) peerRequests.splice(index, 1);
        });
        if (!transmit({ t: 'peers' })) return request.reject(new SignalingError('closed', 'socket not open'));
        peerRequests.push(request);
      });
    },
    release() {
      client.close();
    },
    close() {
      if (closed) return;
      const ws = socket;
      handleClose(1000, 'client-closed');
      try {
        ws?.close(1000, 'client-closed');
      } catch {
        // Closing an already failed socket may throw in some implementations; it is closed either way.
      }
    },
    on: (event, handler) => emitter.on(event, handler),
  };
  return client;
}

function isNodeIdList(x: unknown): x is NodeId[] {
  return Array.isArray(x) && x.length <= 1024 && x.every(isNodeId);
}

/** Longest TURN credential lifetime a client believes: a week (the server's own cap). */
const MAX_WELCOME_TTL_SEC = 7 * 86_400;

/** The welcome's `ice` (absent: undefined), or why it is unusable. Servers before it sent none. */
function decodeWelcomeIce(value: unknown): WelcomeIce | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return 'not an object';
  const { iceServers, ttlSec } = value as Record<string, unknown>;
  const parsed = parseIceServers(iceServers);
  if (!parsed.ok) return parsed.error;
  if (ttlSec === undefined) return { iceServers: parsed.servers };
  if (typeof ttlSec !== 'number' || !Number.isSafeInteger(ttlSec) || ttlSec <= 0 || ttlSec > MAX_WELCOME_TTL_SEC) return 'bad ttlSec';
  return { iceServers: parsed.servers, ttlSec };
}

/** Validates one frame from the server; `undefined` when it does not match the protocol. */
function decodeServerMessage(data: unknown): Received | undefined {
  if (typeof data !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const m = value as Record<string, unknown>;
  if (m['v'] !== SIGNAL_PROTOCOL_VERSION) return undefined;
  switch (m['t']) {
    case 'challenge':
      return typeof m['nonce'] === 'string' && m['nonce'].length <= 128 ? { t: 'challenge', nonce: m['nonce'] } : undefined;
    case 'welcome': {
      // Servers before the introducer pool sent no `introducer`: treat its absence as "not kept".
      const introducer = m['introducer'] ?? false;
      if (!isNodeId(m['id']) || !isNodeIdList(m['peers']) || typeof introducer !== 'boolean') return undefined;
      const ice = decodeWelcomeIce(m['ice']);
      return { t: 'welcome', id: m['id'], peers: m['peers'], introducer, ...(typeof ice === 'string' ? { badIce: ice } : ice !== undefined ? { ice } : {}) };
    }
    case 'role':
      return typeof m['introducer'] === 'boolean' ? { t: 'role', introducer: m['introducer'] } : undefined;
    case 'signal':
      return isNodeId(m['from']) && Object.hasOwn(m, 'data') ? { t: 'signal', from: m['from'], data: m['data'] } : undefined;
    case 'peers':
      return isNodeIdList(m['peers']) ? { t: 'peers', peers: m['peers'] } : undefined;
    case 'error':
      return typeof m['code'] === 'string' && typeof m['message'] === 'string'
        ? { t: 'error', code: m['code'].slice(0, 64), message: m['message'].slice(0, 512) }
        : undefined;
    default:
      return undefined;
  }
}
