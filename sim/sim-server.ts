/**
 * The simulator's model of the signaling server with its introducer pool (signal/rooms.ts) and of each node's
 * presence on it (src/node/server-presence.ts), for scenarios about who holds a socket: islands, refills,
 * restarts. One room. The first `pool` members to join are introducers and keep their sockets; later ones are
 * guests, held for `guestHoldMs` (the driver's release grace or check-in hold) and then gone; when an introducer
 * goes, the longest-held guest still connected is promoted. Introductions are random introducers first, then
 * guests (up to 4), never the asker. A node reaches the server only while the server is up and `reachable(id)`
 * says so (a gate in front of some nodes); a request that cannot reach it gets no answer (the core retries).
 * A node that crashes or leaves loses its socket at once (a closed tab's TCP connection ends). After a restart,
 * the former introducers rejoin with the driver's back-off (1 s doubling to 60 s, ±50 %) and their introductions
 * go to the machine, as the driver's rejoin does.
 */
import { jitter, type Rng } from '../src/core/random';
import type { NodeId } from '../src/core/wire';
import type { EventQueue } from './event-queue';

/** Settings of the server model. */
export interface SimServerOptions {
  /** Introducers kept per room (signal/limits.ts `maxIntroducersPerRoom`). */
  pool: number;
  /** How long a guest's socket stays after it joined. Default 20 000 ms (the check-in hold). */
  guestHoldMs?: number;
}

/** What the model needs from the cluster. */
export interface SimServerHost {
  queue: EventQueue;
  rng: Rng;
  /** One-way latency to the server. */
  latencyMs: number;
  /** False once the node crashed or left. */
  alive(id: NodeId): boolean;
  /** Hands introductions to the node's machine (`introduced`). */
  answer(id: NodeId, peers: NodeId[]): void;
  /** Counts server frames (both ways). */
  count(frames: number): void;
}

interface Socket {
  role: 'introducer' | 'guest';
  sinceMs: number;
  untilMs: number;
}

const INTRODUCTIONS = 4;
const REJOIN_BASE_MS = 1_000;
const REJOIN_MAX_MS = 60_000;

/** The server and the nodes' sockets on it. */
export class SimServer {
  /** Whether a node can reach the server (when it is up); all of them by default. */
  reachable: (id: NodeId) => boolean = () => true;
  private up = true;
  private readonly sockets = new Map<NodeId, Socket>();
  private readonly guestHoldMs: number;

  constructor(
    private readonly options: SimServerOptions,
    private readonly host: SimServerHost,
  ) {
    this.guestHoldMs = options.guestHoldMs ?? 20_000;
  }

  /** Whether `id` holds a socket now. */
  holds(id: NodeId): boolean {
    const socket = this.sockets.get(id);
    if (socket === undefined) return false;
    if (this.host.queue.nowMs < socket.untilMs) return true;
    this.sockets.delete(id);
    return false;
  }

  /** Whether `id` holds one of the pool's sockets. */
  isIntroducer(id: NodeId): boolean {
    return this.sockets.get(id)?.role === 'introducer';
  }

  /** Introducers now. */
  introducers(): NodeId[] {
    return [...this.sockets].filter(([, socket]) => socket.role === 'introducer').map(([id]) => id);
  }

  /**
   * A join (no socket yet: challenge, hello, welcome) or a `peers` request (a socket: two frames), answered with
   * introductions; null when the server cannot be reached (no answer at all).
   */
  request(id: NodeId): NodeId[] | null {
    if (!this.up || !this.reachable(id)) return null;
    if (this.holds(id)) {
      this.host.count(2);
    } else {
      this.host.count(3);
      const role = this.introducers().length < this.options.pool ? 'introducer' : 'guest';
      const nowMs = this.host.queue.nowMs;
      this.sockets.set(id, { role, sinceMs: nowMs, untilMs: role === 'guest' ? nowMs + this.guestHoldMs : Infinity });
    }
    return this.introductions(id);
  }

  /** As the driver's `introduce` effect: the answer arrives after a round trip, or never. */
  introduce(id: NodeId, reason: 'isolated' | 'check-in'): void {
    // The driver answers a check-in at once, without the server, while it holds an introducer socket.
    if (reason === 'check-in' && this.isIntroducer(id)) return this.host.queue.at(this.host.queue.nowMs, () => this.host.answer(id, []));
    this.host.queue.at(this.host.queue.nowMs + 2 * this.host.latencyMs, () => {
      if (!this.host.alive(id)) return;
      const peers = this.request(id);
      if (peers !== null) this.host.answer(id, peers);
    });
  }

  /** `id` crashed or left: its socket goes, and a held guest takes a freed introducer slot. */
  drop(id: NodeId): void {
    const socket = this.sockets.get(id);
    this.sockets.delete(id);
    if (socket?.role !== 'introducer') return;
    const guests = [...this.sockets].filter(([other, s]) => s.role === 'guest' && this.holds(other));
    guests.sort((a, b) => a[1].sinceMs - b[1].sinceMs);
    const promoted = guests[0]?.[1];
    if (promoted !== undefined) Object.assign(promoted, { role: 'introducer', untilMs: Infinity });
  }

  /** The server stops for `downMs`: every socket goes; afterwards the former introducers rejoin with back-off. */
  restart(downMs: number): void {
    const former = this.introducers();
    this.up = false;
    this.sockets.clear();
    this.host.queue.at(this.host.queue.nowMs + downMs, () => {
      this.up = true;
    });
    for (const id of former) this.rejoin(id, REJOIN_BASE_MS);
  }

  private rejoin(id: NodeId, backoffMs: number): void {
    this.host.queue.at(this.host.queue.nowMs + jitter(backoffMs, 0.5, this.host.rng), () => {
      if (!this.host.alive(id) || this.holds(id)) return;
      const peers = this.request(id);
      if (peers === null) this.rejoin(id, Math.min(REJOIN_MAX_MS, backoffMs * 2));
      else this.host.answer(id, peers);
    });
  }

  private introductions(self: NodeId): NodeId[] {
    const pick = (role: Socket['role']): NodeId[] =>
      shuffle([...this.sockets.keys()].filter((id) => id !== self && this.sockets.get(id)?.role === role && this.holds(id)), this.host.rng);
    const introducers = pick('introducer');
    const guests = pick('guest');
    const picked: NodeId[] = [];
    for (let i = 0; picked.length < INTRODUCTIONS && (i < introducers.length || i < guests.length); i++) {
      const a = introducers[i];
      const b = guests[i];
      if (a !== undefined) picked.push(a);
      if (b !== undefined && picked.length < INTRODUCTIONS) picked.push(b);
    }
    return picked;
  }
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
