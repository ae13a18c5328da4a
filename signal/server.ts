/**
 * The signaling server factory: an HTTP front (connection caps and time-outs before the upgrade), an upgrade
 * handler that checks the Origin allow-list and the socket caps, and one `Connection` (a `Session` and its
 * guards) per WebSocket. Owns the heartbeat and the introducer rotation. All state lives in the instance returned
 * by `startSignalServer`; several servers can run in one process. Limits: `limits.ts` and signal/README.md.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { base64urlEncode } from '../src/identity/keys';
import { createKeyedCounter, requestAddress } from './address';
import { createAddressBudget } from './address-budget';
import { attachConnection, type Connection } from './connection';
import { createFairQueue } from './fair-queue';
import { createHttpFront, type TlsFiles } from './http-front';
import { createIceIssuer, describeIce, type IceIssuerOptions } from './ice-issuer';
import { DEFAULT_LIMITS, MAX_TIMER_MS, resolveLimits, type SignalLimits } from './limits';
import { checkOrigin } from './origin-check';
import { CLOSE_CODES, encodeServerMessage, errorMessage, type SignalErrorCode } from './protocol';
import type { RateLimitOptions } from '../src/util/token-bucket';
import { createRoomRegistry } from './rooms';
import type { Session, SessionContext } from './session';

/** Options of `startSignalServer`; every field has a default (limits: `DEFAULT_LIMITS`). */
export interface SignalServerOptions extends Partial<SignalLimits> {
  /** TCP port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Serve `wss://` directly with this certificate chain and key (PEM). Default: plain `ws://` (or TLS at a proxy). */
  tls?: TlsFiles;
  /**
   * Allowed `Origin` header values (browser pages); undefined allows all. A client without an Origin (not a
   * browser: a Node peer) is admitted by its key proof either way; a well-formed Origin outside the list is told
   * `origin-forbidden` (close 4011) on the socket, a malformed one gets HTTP 403 (see `origin-check.ts`).
   */
  allowedOrigins?: readonly string[];
  /** Per-socket token bucket. Default 50 msgs/s, burst 100. */
  rateLimit?: RateLimitOptions;
  /**
   * Behind a reverse proxy: count clients by the last `X-Forwarded-For` entry (the one the proxy appended).
   * Never set it without such a proxy: a client could then claim any address. Default false.
   */
  trustProxy?: boolean;
  /** STUN and TURN handed to each member in its welcome (TURN with REST credentials); default none. */
  ice?: IceIssuerOptions;
  /** Wall clock (ms since the epoch) for TURN credential expiry, the one wall-clock read. Default `Date.now`. */
  wallNowMs?: () => number;
  /** Structured log sink. Default: silent. Header values in events are cut to 128 characters. */
  log?: (event: string, details?: Record<string, unknown>) => void;
}

/** Counters for monitoring and tests (`members` = `introducers` + `guests`, summed over all rooms). */
export interface SignalServerStats {
  sockets: number;
  rooms: number;
  members: number;
  introducers: number;
  guests: number;
}

/**
 * Traffic since start, for benches and monitoring: signals relayed, joins, guests closed at the end of their
 * lease, promotions and demotions, and the sockets closed by a guard (see signal/README.md, *Limits*).
 */
export interface SignalServerTraffic {
  relayed: number;
  joins: number;
  leaseExpiries: number;
  promotions: number;
  demotions: number;
  slowReaders: number;
  messageTimeouts: number;
  internalErrors: number;
  /** Upgrades refused for a socket cap (`server-full`, `address-limit`). */
  refusedSockets: number;
  /** Upgrades of a well-formed Origin outside the allow-list, told `origin-forbidden` (4011) on the socket. */
  refusedOrigins: number;
  /** TCP connections cut before the upgrade (pending caps). */
  refusedConnections: number;
  /** Text frames received from clients (hello, signal, peers, anything refused), and frames sent to them. */
  framesIn: number;
  framesOut: number;
  /** `peers` requests answered (a member asking for fresh introductions). */
  peersRequests: number;
}

/** A running server. */
export interface SignalServer {
  /** `ws://host:port`, or `wss://host:port` with `tls`. */
  url: string;
  port: number;
  /** Closes every socket (1001) and stops listening. */
  close(): Promise<void>;
  stats(): SignalServerStats;
  /** Introducers and guests of one room (zeros for a room with no members). */
  roomStats(room: string): { introducers: number; guests: number };
  traffic(): SignalServerTraffic;
  /** TCP connections open (pending and upgraded) and those not upgraded yet. */
  connections(): { open: number; pending: number };
  /** The limits in force (defaults filled in). */
  limits: Readonly<SignalLimits>;
}

/** Default TCP port of the signaling server. */
export const DEFAULT_SIGNAL_PORT = 8787;
/** Default bind address. */
export const DEFAULT_SIGNAL_HOST = '127.0.0.1';
/** Default size of a room's introducer pool. */
export const DEFAULT_MAX_INTRODUCERS_PER_ROOM = DEFAULT_LIMITS.maxIntroducersPerRoom;
/** Default lease of a guest, in milliseconds. */
export const DEFAULT_GUEST_LEASE_MS = DEFAULT_LIMITS.guestLeaseMs;
/** Longest guest lease accepted: setTimeout's limit (about 24.8 days). */
export const MAX_GUEST_LEASE_MS = MAX_TIMER_MS;
/** Longest header value a log event carries. */
const MAX_LOGGED_CHARS = 128;

const COUNTED_EVENTS: Partial<Record<string, keyof SignalServerTraffic>> = {
  join: 'joins',
  'lease-expired': 'leaseExpiries',
  promote: 'promotions',
  demote: 'demotions',
  'slow-reader': 'slowReaders',
  'message-timeout': 'messageTimeouts',
  'internal-error': 'internalErrors',
};

/** Starts listening and resolves once the port is bound. */
export async function startSignalServer(options: SignalServerOptions = {}): Promise<SignalServer> {
  const limits = resolveLimits(options);
  const userLog = options.log ?? (() => {});
  const traffic: SignalServerTraffic = {
    relayed: 0, joins: 0, leaseExpiries: 0, promotions: 0, demotions: 0,
    slowReaders: 0, messageTimeouts: 0, internalErrors: 0, refusedSockets: 0, refusedOrigins: 0, refusedConnections: 0,
    framesIn: 0, framesOut: 0, peersRequests: 0,
  };
  const log = (event: string, details?: Record<string, unknown>): void => {
    const counter = COUNTED_EVENTS[event];
    if (counter !== undefined) traffic[counter]++;
    userLog(event, details);
  };
  const allowed = options.allowedOrigins ? new Set(options.allowedOrigins) : undefined;
  // Checked before the port is bound: a bad TURN setting must stop the start, not fail every join.
  const iceFor = createIceIssuer(options.ice ?? {}, options.wallNowMs ?? Date.now);
  const addressBytes = createAddressBudget(limits.maxBytesPerSecPerAddress, 4 * limits.maxBytesPerSecPerAddress, () => performance.now());
  const trustProxy = options.trustProxy ?? false;
  const ctx: SessionContext = {
    rooms: createRoomRegistry<Session>({
      ...limits,
      nowMs: () => performance.now(),
      randomInt: (maxExclusive) => randomInt(maxExclusive),
      onRoleChange: (_id, member, role) => member.roleChanged(role),
    }),
    ...limits,
    rateLimit: options.rateLimit ?? { ratePerSec: 50, burst: 100 },
    // As many checks at once as WebCrypto has threads to run them on (libuv's default pool has 4).
    verifyQueue: createFairQueue(4),
    nowMs: () => performance.now(),
    randomNonce: () => base64urlEncode(randomBytes(32)),
    log,
    iceFor,
    onRelayed: () => {
      traffic.relayed++;
    },
    onFrame: (what) => {
      if (what === 'in') traffic.framesIn++;
      else if (what === 'out') traffic.framesOut++;
      else traffic.peersRequests++;
    },
  };
  const sockets = new Set<Connection>();
  const socketsOfAddress = createKeyedCounter();

  const front = createHttpFront(limits, !trustProxy, () => performance.now(), options.tls);
  // `closeTimeout` (ws 8.23) is not in @types/ws yet: without it a closed socket that never answers holds its
  // descriptor for 30 s.
  const wsOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    clientTracking: false,
    maxPayload: limits.maxFrameBytes,
    maxFragments: limits.maxFragmentsPerMessage,
    // Tiny TCP chunks are buffered one by one until a frame is complete; a frame needs few, a trickle many.
    maxBufferedChunks: 1024,
    closeTimeout: limits.closeGraceMs,
  };
  const wss = new WebSocketServer(wsOptions);

  front.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    const verdict = checkOrigin(origin, allowed);
    if (verdict !== 'allow') log('origin-forbidden', { origin: truncate(origin ?? '') });
    if (verdict === 'refuse-http') {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 16\r\n\r\norigin-forbidden');
      return;
    }
    const address = requestAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustProxy);
    wss.handleUpgrade(req, socket, head, (ws) => {
      front.upgraded(socket);
      if (verdict === 'refuse-on-socket') return refuseOrigin(ws, socket);
      accept(ws, socket, address);
    });
  });

  function accept(ws: WebSocket, raw: Duplex, address: string): void {
    if (sockets.size >= limits.maxSockets) {
      return refuse(ws, raw, 'server-full', CLOSE_CODES.serverFull, 'the server has reached its socket cap');
    }
    if (socketsOfAddress.count(address) >= limits.maxSocketsPerAddress) {
      return refuse(ws, raw, 'address-limit', CLOSE_CODES.addressLimit, 'your address has as many sockets as one address may');
    }
    socketsOfAddress.add(address);
    const connection = attachConnection(ws, raw, {
      ctx,
      address,
      addressBytes,
      messageTimeoutMs: limits.messageTimeoutMs,
      onClosed: (closed) => {
        if (sockets.delete(closed)) socketsOfAddress.remove(address);
      },
    });
    sockets.add(connection);
  }

  /**
   * A page of an origin outside the allow-list: told so on the socket (error, then close 4011), which is closed
   * before any challenge, so it never reaches a session. Counted apart from the socket caps' refusals.
   */
  function refuseOrigin(ws: WebSocket, raw: Duplex): void {
    traffic.refusedOrigins++;
    sendAndClose(ws, raw, 'origin-forbidden', CLOSE_CODES.originForbidden, "this page's origin is not allowed by the signaling server");
  }

  /** Answers, closes, and lets the descriptor go as soon as the answer is written (no 30 s close wait). */
  function refuse(ws: WebSocket, raw: Duplex, code: SignalErrorCode, closeCode: number, message: string): void {
    traffic.refusedSockets++;
    sendAndClose(ws, raw, code, closeCode, message);
  }

  function sendAndClose(ws: WebSocket, raw: Duplex, code: SignalErrorCode, closeCode: number, message: string): void {
    ws.on('error', () => {});
    ws.send(encodeServerMessage(errorMessage(code, message)));
    ws.close(closeCode, code);
    raw.end();
    raw.once('finish', () => raw.destroy());
  }

  const heartbeat = setInterval(() => {
    for (const connection of sockets) {
      if (!connection.alive) {
        log('heartbeat-timeout', { id: connection.session.id });
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }, limits.heartbeatIntervalMs);
  heartbeat.unref();
  // A term is checked four times over, so a slot changes hands at most a quarter term late.
  const rotation = setInterval(() => ctx.rooms.rotate(), Math.max(10, Math.floor(limits.introducerTermMs / 4)));
  rotation.unref();
  const pruning = setInterval(() => addressBytes.prune(), 10_000);
  pruning.unref();

  const host = options.host ?? DEFAULT_SIGNAL_HOST;
  await new Promise<void>((resolve, reject) => {
    front.http.once('error', reject);
    front.http.listen(options.port ?? DEFAULT_SIGNAL_PORT, host, () => {
      front.http.off('error', reject);
      resolve();
    });
  });
  front.http.on('error', (error) => log('http-error', { error: error.message.slice(0, 200) }));
  const ice = describeIce(options.ice ?? {});
  if (ice !== undefined) log('ice-config', ice);
  const address = front.http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `${options.tls ? 'wss' : 'ws'}://${urlHost}:${port}`,
    port,
    limits,
    stats: () => ({ sockets: sockets.size, ...ctx.rooms.stats() }),
    roomStats: (room) => ctx.rooms.roomStats(room),
    traffic: () => ({ ...traffic, refusedConnections: front.refusedConnections() }),
    connections: () => front.connections(),
    close: () => closeAll(),
  };

  async function closeAll(): Promise<void> {
    clearInterval(heartbeat);
    clearInterval(rotation);
    clearInterval(pruning);
    const closing = [...sockets].map(
      ({ ws }) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(CLOSE_CODES.goingAway, 'server-closing');
        }),
    );
    // Give clients a moment to finish the close handshake; stragglers are cut off below.
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS))]);
    for (const { ws } of sockets) ws.terminate();
    await new Promise<void>((resolve) => {
      front.http.close(() => resolve());
      front.http.closeAllConnections();
    });
    wss.close();
  }
}

/** How long `close()` waits for clients to answer the close frame. */
const CLOSE_GRACE_MS = 1000;

/** Cuts a client-supplied value for the log (a 15 KB Origin must not make 15 KB of log). */
function truncate(value: string): string {
  return value.length <= MAX_LOGGED_CHARS ? value : `${value.slice(0, MAX_LOGGED_CHARS)}…(${value.length} chars)`;
}
