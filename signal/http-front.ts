/**
 * The HTTP side of the signaling server, before any WebSocket exists: every TCP connection is counted from its
 * first moment, must finish its upgrade request in `upgradeTimeoutMs` (silent connections, header tricklers and
 * slow bodies alike), and connections not yet upgraded are capped in total and per address, so idle TCP cannot
 * take the file descriptors that joins need. Refused connections are cut at once and counted, not logged (a log
 * line per refused connection would be an amplifier of its own). With `tls` it is an HTTPS server (`wss://`): the
 * same accounting runs on the TCP connection, from before its TLS handshake, which must finish in the same time.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { addressKey } from './address';
import { createAddressBudget } from './address-budget';
import type { SignalLimits } from './limits';

/** A certificate chain and its private key, PEM (`--cert`, `--key`). */
export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

/** The HTTP server plus its connection accounting. */
export interface HttpFront {
  http: Server;
  /** The connection became a WebSocket: it no longer counts as pending. */
  upgraded(socket: Duplex): void;
  /** TCP connections open now (pending and upgraded), and those not upgraded yet. */
  connections(): { open: number; pending: number };
  /** Connections cut at once because a pending cap was reached (since start). */
  refusedConnections(): number;
}

type FrontLimits = Pick<
  SignalLimits,
  'upgradeTimeoutMs' | 'maxPendingConnections' | 'maxPendingPerAddress' | 'maxSockets' | 'maxConnectsPerSecPerAddress' | 'maxSocketsPerAddress'
>;

/**
 * Creates the HTTP server (not listening yet). `perAddressPending` is false behind a trusted proxy, where every
 * TCP connection comes from the proxy's address and only the total cap makes sense (per-address pending and
 * connect-rate limits are then off).
 */
export function createHttpFront(limits: FrontLimits, perAddressPending: boolean, nowMs: () => number, tls?: TlsFiles): HttpFront {
  const timeoutMs = limits.upgradeTimeoutMs;
  const options = {
    // A request (the upgrade) must arrive whole in time; checked every second, or sooner for short time-outs.
    headersTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeoutMs / 2))),
    keepAliveTimeout: Math.min(timeoutMs, 5000),
  };
  const onRequest = (_req: unknown, res: ServerResponse): void => {
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('starmesh signaling: WebSocket only\n');
  };
  const http: Server = tls
    ? createTlsServer({ ...options, cert: tls.cert, key: tls.key, handshakeTimeout: timeoutMs }, onRequest)
    : createServer(options, onRequest);
  // Idle time-out of the raw socket (no listener: Node destroys it); ws clears it on upgrade.
  http.timeout = timeoutMs;
  // The server never holds more descriptors than its caps allow; beyond, Node closes new connections at once.
  http.maxConnections = limits.maxSockets + limits.maxPendingConnections;
  http.on('clientError', (_error, socket) => socket.destroy());

  /** Pending connections per address, oldest first, and the address of each. */
  const pendingOf = new Map<string, Set<Duplex>>();
  const pending = new Map<Duplex, string>();
  let open = 0;
  let refused = 0;
  // Opening connections costs the server more than holding them: one address may not churn them without end.
  // The burst lets an address open all its sockets at once, and a few more, so that it meets the socket cap (a
  // clear 4008) before this one.
  const connects = createAddressBudget(limits.maxConnectsPerSecPerAddress, limits.maxSocketsPerAddress + 16, nowMs);
  const pruning = setInterval(() => connects.prune(), 10_000);
  pruning.unref();
  http.on('close', () => clearInterval(pruning));

  function settle(socket: Duplex): void {
    const key = pending.get(socket);
    if (key === undefined) return;
    pending.delete(socket);
    const ofKey = pendingOf.get(key);
    ofKey?.delete(socket);
    if (ofKey?.size === 0) pendingOf.delete(key);
  }

  /**
   * With every pending slot taken, a newcomer may still get one: the address holding the most pending connections
   * (if it holds at least two more than the newcomer's) loses its oldest. So idle connections of several
   * addresses cannot lock out a client of another one; they can only take turns with each other.
   */
  function makeRoomFor(key: string): boolean {
    let heaviest: Set<Duplex> | undefined;
    for (const sockets of pendingOf.values()) if (sockets.size > (heaviest?.size ?? 0)) heaviest = sockets;
    const newcomerHolds = pendingOf.get(key)?.size ?? 0;
    const victim = heaviest && heaviest.size >= newcomerHolds + 2 ? heaviest.values().next().value : undefined;
    if (victim === undefined) return false;
    settle(victim);
    victim.destroy();
    refused++;
    return true;
  }

  http.on('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress);
    const overAddress =
      perAddressPending && ((pendingOf.get(key)?.size ?? 0) >= limits.maxPendingPerAddress || !connects.take(key, 1));
    if (overAddress || (pending.size >= limits.maxPendingConnections && !makeRoomFor(key))) {
      refused++;
      socket.destroy();
      return;
    }
    open++;
    pending.set(socket, key);
    const ofKey = pendingOf.get(key) ?? new Set<Duplex>();
    ofKey.add(socket);
    pendingOf.set(key, ofKey);
    socket.once('close', () => {
      open--;
      settle(socket);
    });
  });

  return {
    http,
    upgraded: (socket) => {
      settle(socket);
      // Over TLS the upgrade carries the TLS socket; the accounting holds the TCP socket it wraps (`_parent`, which
      // Node sets on server-side TLS sockets; `server-tls.test.ts` checks that the pending count drops).
      const tcp = (socket as { _parent?: unknown })._parent;
      if (tcp !== null && typeof tcp === 'object') settle(tcp as Duplex);
    },
    connections: () => ({ open, pending: pending.size }),
    refusedConnections: () => refused,
  };
}
