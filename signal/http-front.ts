/**
 * The HTTP side of the signaling server, before any WebSocket exists: every TCP connection is counted from its
 * first moment, must finish its upgrade request in `upgradeTimeoutMs` (silent connections, header tricklers and
 * slow bodies alike), and connections not yet upgraded are capped in total and per address, so idle TCP cannot
 * take the file descriptors that joins need. Refused connections are cut at once and counted, not logged (a log
 * line per refused connection would be an amplifier of its own).
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { addressKey, createKeyedCounter } from './address';
import type { SignalLimits } from './limits';

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
  'upgradeTimeoutMs' | 'maxPendingConnections' | 'maxPendingPerAddress' | 'maxSockets'
>;

/**
 * Creates the HTTP server (not listening yet). `perAddressPending` is false behind a trusted proxy, where every
 * TCP connection comes from the proxy's address and only the total cap makes sense.
 */
export function createHttpFront(limits: FrontLimits, perAddressPending: boolean): HttpFront {
  const timeoutMs = limits.upgradeTimeoutMs;
  const http = createServer(
    {
      // A request (the upgrade) must arrive whole in time; checked every second, or sooner for short time-outs.
      headersTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeoutMs / 2))),
      keepAliveTimeout: Math.min(timeoutMs, 5000),
    },
    (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('starmesh signaling: WebSocket only\n');
    },
  );
  // Idle time-out of the raw socket (no listener: Node destroys it); ws clears it on upgrade.
  http.timeout = timeoutMs;
  // The server never holds more descriptors than its caps allow; beyond, Node closes new connections at once.
  http.maxConnections = limits.maxSockets + limits.maxPendingConnections;
  http.on('clientError', (_error, socket) => socket.destroy());

  const pendingByAddress = createKeyedCounter();
  /** Pending connections and the key they count under. */
  const pending = new Map<Duplex, string>();
  let open = 0;
  let refused = 0;

  function settle(socket: Duplex): void {
    const key = pending.get(socket);
    if (key === undefined) return;
    pending.delete(socket);
    pendingByAddress.remove(key);
  }

  http.on('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress);
    if (
      pending.size >= limits.maxPendingConnections ||
      (perAddressPending && pendingByAddress.count(key) >= limits.maxPendingPerAddress)
    ) {
      refused++;
      socket.destroy();
      return;
    }
    open++;
    pending.set(socket, key);
    pendingByAddress.add(key);
    socket.once('close', () => {
      open--;
      settle(socket);
    });
  });

  return {
    http,
    upgraded: settle,
    connections: () => ({ open, pending: pending.size }),
    refusedConnections: () => refused,
  };
}
