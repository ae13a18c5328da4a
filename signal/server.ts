/**
 * The signaling server factory: an HTTP server whose upgrade handler checks the Origin allow-list and the socket
 * cap, then hands each WebSocket to a `Session`. Owns the heartbeat timer. All state lives in the instance returned
 * by `startSignalServer`; several servers can run in one process.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { base64urlEncode } from '../src/identity/keys';
import { CLOSE_CODES, DEFAULT_MAX_FRAME_BYTES, encodeServerMessage, errorMessage } from './protocol';
import type { RateLimitOptions } from '../src/util/token-bucket';
import { createRoomRegistry } from './rooms';
import { createSession, type Session, type SessionContext } from './session';

/** Options of `startSignalServer`; every field has a default. */
export interface SignalServerOptions {
  /** TCP port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Allowed `Origin` header values; undefined allows all. When set, a missing Origin is refused too. */
  allowedOrigins?: readonly string[];
  /** Random member ids handed out in `welcome` and `peers`. Default 4. */
  introductions?: number;
  /** Largest frame in bytes (ws maxPayload). Default 64 KiB. */
  maxFrameBytes?: number;
  /** Time a client has to send a valid hello. Default 10 000 ms. */
  helloTimeoutMs?: number;
  /** Ping period; sockets that did not answer the previous ping are terminated. Default 30 000 ms. */
  heartbeatIntervalMs?: number;
  /** Per-socket token bucket. Default 50 msgs/s, burst 100. */
  rateLimit?: RateLimitOptions;
  /** Refused messages tolerated before closing with `rate-limited`. Default 20. */
  maxRateViolations?: number;
  /** Members per room (introducers and guests). Default 256. */
  maxMembersPerRoom?: number;
  /**
   * Introducers kept per room: sockets the server holds on to and introduces newcomers to. Members beyond the
   * pool are guests with a lease. Default 8 (`DEFAULT_MAX_INTRODUCERS_PER_ROOM`).
   */
  maxIntroducersPerRoom?: number;
  /** How long a guest stays connected before it is closed with 4007 `lease-expired`. Default 60 000 ms. */
  guestLeaseMs?: number;
  /** Rooms alive at once. Default 1024. */
  maxRooms?: number;
  /** Open sockets in total. Default 4096. */
  maxSockets?: number;
  /** Structured log sink. Default: silent. */
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
 * Traffic since start, for benches: signals relayed between members, successful joins, guests closed because
 * their lease ran out, and guests promoted to introducers.
 */
export interface SignalServerTraffic {
  relayed: number;
  joins: number;
  leaseExpiries: number;
  promotions: number;
}

/** A running server. */
export interface SignalServer {
  /** `ws://host:port`. */
  url: string;
  port: number;
  /** Closes every socket (1001) and stops listening. */
  close(): Promise<void>;
  stats(): SignalServerStats;
  /** Introducers and guests of one room (zeros for a room with no members). */
  roomStats(room: string): { introducers: number; guests: number };
  traffic(): SignalServerTraffic;
}

/** Default TCP port of the signaling server. */
export const DEFAULT_SIGNAL_PORT = 8787;
/** Default bind address. */
export const DEFAULT_SIGNAL_HOST = '127.0.0.1';
/** Default size of a room's introducer pool. */
export const DEFAULT_MAX_INTRODUCERS_PER_ROOM = 8;
/** Default lease of a guest, in milliseconds. */
export const DEFAULT_GUEST_LEASE_MS = 60_000;
/** Longest guest lease accepted: setTimeout's limit (about 24.8 days). */
export const MAX_GUEST_LEASE_MS = 2_147_483_647;

/** Starts listening and resolves once the port is bound. */
export async function startSignalServer(options: SignalServerOptions = {}): Promise<SignalServer> {
  const userLog = options.log ?? (() => {});
  const traffic: SignalServerTraffic = { relayed: 0, joins: 0, leaseExpiries: 0, promotions: 0 };
  const log = (event: string, details?: Record<string, unknown>): void => {
    if (event === 'join') traffic.joins++;
    else if (event === 'lease-expired') traffic.leaseExpiries++;
    else if (event === 'promote') traffic.promotions++;
    userLog(event, details);
  };
  const maxIntroducersPerRoom = options.maxIntroducersPerRoom ?? DEFAULT_MAX_INTRODUCERS_PER_ROOM;
  const guestLeaseMs = options.guestLeaseMs ?? DEFAULT_GUEST_LEASE_MS;
  // Checked here because a NaN cap would silently make everyone a guest, and a bad lease would fire at once.
  if (!Number.isSafeInteger(maxIntroducersPerRoom) || maxIntroducersPerRoom < 1) {
    throw new RangeError(`maxIntroducersPerRoom must be a positive integer, got ${String(maxIntroducersPerRoom)}`);
  }
  if (!Number.isSafeInteger(guestLeaseMs) || guestLeaseMs < 1 || guestLeaseMs > MAX_GUEST_LEASE_MS) {
    throw new RangeError(`guestLeaseMs must be an integer in 1..${MAX_GUEST_LEASE_MS}, got ${String(guestLeaseMs)}`);
  }
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const maxSockets = options.maxSockets ?? 4096;
  const allowed = options.allowedOrigins ? new Set(options.allowedOrigins) : undefined;
  const ctx: SessionContext = {
    rooms: createRoomRegistry<Session>({
      maxRooms: options.maxRooms ?? 1024,
      maxMembersPerRoom: options.maxMembersPerRoom ?? 256,
      maxIntroducersPerRoom,
      randomInt: (maxExclusive) => randomInt(maxExclusive),
    }),
    introductions: options.introductions ?? 4,
    maxFrameBytes,
    helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
    guestLeaseMs,
    rateLimit: options.rateLimit ?? { ratePerSec: 50, burst: 100 },
    maxRateViolations: options.maxRateViolations ?? 20,
    nowMs: () => performance.now(),
    randomNonce: () => base64urlEncode(randomBytes(32)),
    log,
    onRelayed: () => {
      traffic.relayed++;
    },
  };
  const sockets = new Map<WebSocket, { session: Session; alive: boolean }>();

  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('starmesh signaling: WebSocket only\n');
  });
  http.on('clientError', (_error, socket) => socket.destroy());
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes, clientTracking: false });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    if (allowed && (origin === undefined || !allowed.has(origin))) {
      log('origin-forbidden', { origin });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 16\r\n\r\norigin-forbidden');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket): void {
    ws.on('error', (error) => log('socket-error', { error: error.message }));
    if (sockets.size >= maxSockets) {
      ws.send(encodeServerMessage(errorMessage('server-full', 'the server has reached its socket cap')));
      ws.close(CLOSE_CODES.serverFull, 'server-full');
      return;
    }
    const session = createSession(
      { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) },
      ctx,
    );
    const entry = { session, alive: true };
    sockets.set(ws, entry);
    ws.on('pong', () => {
      entry.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => session.handleFrame(isBinary ? null : rawToText(data)));
    ws.on('close', () => {
      sockets.delete(ws);
      session.handleClose();
    });
  }

  const heartbeat = setInterval(() => {
    for (const [ws, entry] of sockets) {
      if (!entry.alive) {
        log('heartbeat-timeout', { id: entry.session.id });
        ws.terminate();
        continue;
      }
      entry.alive = false;
      ws.ping();
    }
  }, options.heartbeatIntervalMs ?? 30_000);
  heartbeat.unref();

  const host = options.host ?? DEFAULT_SIGNAL_HOST;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? DEFAULT_SIGNAL_PORT, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  http.on('error', (error) => log('http-error', { error: error.message }));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `ws://${urlHost}:${port}`,
    port,
    stats: () => ({ sockets: sockets.size, ...ctx.rooms.stats() }),
    roomStats: (room) => ctx.rooms.roomStats(room),
    traffic: () => ({ ...traffic }),
    close: () => closeAll(),
  };

  async function closeAll(): Promise<void> {
    clearInterval(heartbeat);
    const closing = [...sockets.keys()].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(CLOSE_CODES.goingAway, 'server-closing');
        }),
    );
    // Give clients a moment to finish the close handshake; stragglers are cut off below.
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS))]);
    for (const ws of sockets.keys()) ws.terminate();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    wss.close();
  }
}

/** How long `close()` waits for clients to answer the close frame. */
const CLOSE_GRACE_MS = 1000;

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
