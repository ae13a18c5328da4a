/**
 * The mesh router: routed unicast, broadcast and signaling over the overlay's data channels, with a trace of the
 * hops each message crossed. Pure like the membership core: time and randomness are arguments, and every call
 * returns the effects for the driver to carry out.
 *
 * - Topology: each node floods a link-state advert (its neighbour list, with a sequence number only it advances)
 *   when its links change (batched) and every `advertRefreshMs`; a new link gets the whole database.
 * - Unicast: hop by hop; each hop picks, among its own open links not yet in the trace, the one closest to the
 *   target over two-sided edges. The trace makes loops impossible and bounds the path (`maxHops`). No route means
 *   a `fail` back to the origin, which tries again over fresher routes and finally reports `unreachable`; the
 *   target acknowledges with the full trace, and silence ends in `timeout`. Cost: one frame per hop, never a flood.
 * - Broadcast: flooded over the overlay, each piece once per link at most (duplicates suppressed by key).
 * - Large payloads travel in pieces (`fragments.ts`) and are reassembled with caps and a time-out.
 *
 * Beside it: `advert-flood.ts` (own and others' adverts on the wire), `link-state.ts` (the database and hop
 * distances), `relay-memory.ts` (duplicate keys, reverse paths, signaling rate limits), `router-effects.ts`.
 */
import type { NodeId } from '../core/wire';
import { randomInt, type Rng } from '../core/random';
import { AdvertFlood } from './advert-flood';
import { MAX_PAYLOAD_BYTES, Reassembler, splitPayload, type ReassemblyResult } from './fragments';
import { LinkStateDb } from './link-state';
import { ReversePaths, SeenKeys, SignalAdmission } from './relay-memory';
import { logEntry, type RoutedDelivery, type RoutedProgress, type RouterEffect, type UnicastResult } from './router-effects';
import { resolveRouterOptions, type RouterOptions } from './router-options';
import { ROUTE_LIMITS, type RouteMessage, type RoutedFrame } from './route-wire';

export type { RoutedDelivery, RoutedProgress, RouteLogEntry, RouterEffect, UnicastResult } from './router-effects';

interface PendingUnicast {
  to: NodeId;
  pieces: Uint8Array[];
  attempt: number;
  firstSentMs: number;
  deadlineMs: number;
  /** Set while waiting to try again after a failure. */
  retryAtMs: number | null;
  lastFailure: string;
}

/** Shortest pause between two scans for stale adverts. */
const HOUSEKEEPING_INTERVAL_MS = 1_000;

/** The router of one node. */
export class Router {
  private readonly options: RouterOptions;
  private readonly db: LinkStateDb;
  private readonly links = new Set<NodeId>();
  private readonly adverts: AdvertFlood;
  private readonly seen: SeenKeys;
  private readonly reversePaths: ReversePaths;
  private readonly signals: SignalAdmission;
  private readonly pending = new Map<string, PendingUnicast>();
  private readonly reassembler: Reassembler;
  private nextHousekeepingMs = -Infinity;
  private stopped = false;
  /** Counters for stats pages and tests. */
  readonly stats = { delivered: 0, forwarded: 0, dropped: 0, sent: 0, broadcasts: 0 };

  constructor(
    private readonly selfId: NodeId,
    private readonly rng: Rng,
    options: Partial<RouterOptions> = {},
  ) {
    this.options = resolveRouterOptions(options);
    this.db = new LinkStateDb(selfId, this.options.maxOrigins);
    this.adverts = new AdvertFlood(selfId, this.db, this.links, this.options);
    this.seen = new SeenKeys(this.options.seenTtlMs, this.options.seenCapacity);
    this.reversePaths = new ReversePaths(this.options.seenTtlMs, this.options.maxOrigins);
    this.signals = new SignalAdmission({
      windowMs: this.options.signalWindowMs, perOrigin: this.options.signalsPerOrigin, perTarget: this.options.signalsPerTarget,
    });
    this.reassembler = new Reassembler({
      maxPending: this.options.maxReassembling,
      maxPendingPerOrigin: this.options.maxReassemblingPerOrigin,
      timeoutMs: this.options.reassemblyTimeoutMs,
    });
  }

  // ---- topology ---------------------------------------------------------------------------------------------

  /** A link opened: it gets the whole link-state database, and our own advert changes. */
  linkUp(nowMs: number, peer: NodeId): RouterEffect[] {
    this.links.add(peer);
    this.adverts.linksChanged();
    return [...this.adverts.wholeDatabase(peer), ...this.tick(nowMs)];
  }

  /** A link closed. */
  linkDown(nowMs: number, peer: NodeId): RouterEffect[] {
    if (!this.links.delete(peer)) return [];
    this.adverts.linksChanged();
    return this.tick(nowMs);
  }

  /** The membership removed `id`: its advert goes too (it would only attract traffic to a dead end). */
  forget(id: NodeId): RouterEffect[] {
    if (id === this.selfId || this.db.get(id) === undefined) return [];
    this.db.forget(id);
    return [{ type: 'topology' }];
  }

  /** Every member's advertised neighbour list. */
  topology(): Record<NodeId, NodeId[]> {
    return this.db.topology();
  }

  /** Hop distance from this node to every node it can reach (over two-sided edges). */
  hopDistances(): ReadonlyMap<NodeId, number> {
    return this.db.distancesTo(this.selfId);
  }

  /** Stops: pending unicasts fail with `stopped`. */
  stop(): RouterEffect[] {
    this.stopped = true;
    const effects: RouterEffect[] = [];
    for (const msgId of [...this.pending.keys()]) effects.push(this.finish(msgId, { ok: false, code: 'stopped' }));
    return effects;
  }

  // ---- sending ----------------------------------------------------------------------------------------------

  /** Sends `data` to `to` (it arrives as a string or bytes, as given); the outcome comes later as a `result` effect. */
  send(nowMs: number, to: NodeId, data: string | Uint8Array): { msgId: string; effects: RouterEffect[] } {
    const msgId = this.newMsgId();
    const fail = (code: 'too-large' | 'bad-target' | 'stopped', detail: string): { msgId: string; effects: RouterEffect[] } => ({
      msgId, effects: [{ type: 'result', msgId, result: { ok: false, code, detail } }],
    });
    if (this.stopped) return fail('stopped', 'the node has stopped');
    if (to === this.selfId) return fail('bad-target', 'cannot send to self');
    const pieces = splitPayload(data);
    if (pieces === null) return fail('too-large', `payload over ${MAX_PAYLOAD_BYTES} bytes`);
    this.pending.set(msgId, {
      to, pieces, attempt: 1, firstSentMs: nowMs, deadlineMs: nowMs + this.options.ackTimeoutMs, retryAtMs: null, lastFailure: 'no route',
    });
    this.stats.sent++;
    const effects: RouterEffect[] = [{ type: 'log', entry: { dir: 'out', kind: 'unicast', origin: this.selfId, target: to, trace: [this.selfId], msgId } }];
    return { msgId, effects: [...effects, ...this.transmit(nowMs, msgId)] };
  }

  /** Floods `data` to every member; returns its message ID, or null when it is too large. */
  broadcast(nowMs: number, data: string | Uint8Array): { msgId: string | null; effects: RouterEffect[] } {
    const pieces = splitPayload(data);
    if (pieces === null || this.stopped) return { msgId: null, effects: [] };
    const msgId = this.newMsgId();
    this.stats.broadcasts++;
    const effects: RouterEffect[] = [{ type: 'log', entry: { dir: 'out', kind: 'broadcast', origin: this.selfId, target: null, trace: [this.selfId], msgId } }];
    pieces.forEach((body, piece) => {
      const frame: RoutedFrame = { kind: 'bc', origin: this.selfId, target: null, msgId, trace: [this.selfId], piece, pieces: pieces.length, body };
      this.seen.add(nowMs, seenKey(frame));
      for (const link of this.links) effects.push({ type: 'send', to: link, message: { t: 'r', frame } });
    });
    return { msgId, effects };
  }

  /** Sends signaling `body` (already signed by the driver) to `to` through the mesh; no ack, no retry. */
  sendSignal(nowMs: number, to: NodeId, body: string): RouterEffect[] {
    if (this.stopped || to === this.selfId || body.length > ROUTE_LIMITS.maxBodyChars) return [{ type: 'drop', from: null, reason: 'route:signal-unsendable' }];
    const frame: RoutedFrame = { kind: 'sig', origin: this.selfId, target: to, msgId: this.newMsgId(), trace: [this.selfId], piece: 0, pieces: 1, body };
    return this.forward(nowMs, frame);
  }

  /** True when some open link leads towards `to` (link-state or reverse path). */
  canReach(nowMs: number, to: NodeId): boolean {
    return this.nextHop(nowMs, to, [this.selfId]) !== null;
  }

  // ---- receiving --------------------------------------------------------------------------------------------

  /** A routing message from neighbour `from`. */
  receive(nowMs: number, from: NodeId, message: RouteMessage): RouterEffect[] {
    if (!this.links.has(from)) return [{ type: 'drop', from, reason: 'route:not-neighbour' }];
    if (message.t === 'lsa') return this.adverts.receive(nowMs, from, message.adverts) ? [{ type: 'topology' }] : [];
    const frame = message.frame;
    if (frame.trace[frame.trace.length - 1] !== from) return this.drop(from, frame, 'bad-trace');
    if (frame.trace.includes(this.selfId)) return this.drop(from, frame, 'loop');
    this.reversePaths.learn(nowMs, frame.origin, from);
    if (frame.kind === 'bc') return this.receiveBroadcast(nowMs, from, frame);
    if (frame.kind === 'sig' && !this.signals.admit(nowMs, frame.origin, frame.target)) return this.drop(from, frame, 'signal-rate');
    if (frame.target === this.selfId) return this.arrive(nowMs, from, frame);
    if (frame.trace.length >= this.options.maxHops) return this.drop(from, frame, 'hop-limit');
    this.stats.forwarded++;
    const effects = this.forward(nowMs, { ...frame, trace: [...frame.trace, this.selfId] });
    if (frame.piece === 0) effects.unshift({ type: 'log', entry: logEntry('forward', frame) });
    return effects;
  }

  private receiveBroadcast(nowMs: number, from: NodeId, frame: RoutedFrame): RouterEffect[] {
    const key = seenKey(frame);
    if (this.seen.has(key)) return []; // the same piece over another path: expected, not an error
    this.seen.add(nowMs, key);
    const trace = [...frame.trace, this.selfId];
    const effects: RouterEffect[] = [];
    if (trace.length < this.options.maxHops) {
      const onward: RoutedFrame = { ...frame, trace };
      for (const link of this.links) if (link !== from && !frame.trace.includes(link)) effects.push({ type: 'send', to: link, message: { t: 'r', frame: onward } });
    }
    const assembled = this.offerPiece(nowMs, frame);
    if (assembled.status === 'dropped') return [...effects, ...this.drop(from, frame, assembled.reason)];
    if (assembled.status === 'partial') effects.push(progressOf(frame, 'broadcast', assembled));
    if (assembled.status === 'complete') {
      this.stats.delivered++;
      const delivery: RoutedDelivery = { from: frame.origin, data: assembled.data, trace, hops: trace.length - 1, kind: 'broadcast', msgId: frame.msgId };
      effects.push({ type: 'log', entry: { ...logEntry('in', frame), trace } }, { type: 'deliver', delivery });
    }
    return effects;
  }

  /** A frame addressed to this node. */
  private arrive(nowMs: number, from: NodeId, frame: RoutedFrame): RouterEffect[] {
    const trace = [...frame.trace, this.selfId];
    switch (frame.kind) {
      case 'sig':
        if (typeof frame.body !== 'string') return this.drop(from, frame, 'bad-signal'); // the decoder refuses it first
        return [{ type: 'log', entry: { ...logEntry('in', frame), trace } }, { type: 'signal', from: frame.origin, body: frame.body, trace }];
      case 'ack':
      case 'fail':
        return this.answer(nowMs, frame);
      case 'uni': {
        const assembled = this.offerPiece(nowMs, frame);
        if (assembled.status === 'dropped') {
          // A retry re-sends pieces that already arrived: not worth a drop report.
          return assembled.reason === 'duplicate-piece' ? [] : this.drop(from, frame, assembled.reason);
        }
        const key = `u|${frame.origin}|${frame.msgId}`;
        if (assembled.status === 'partial') return this.seen.has(key) ? [] : [progressOf(frame, 'unicast', assembled)];
        const effects: RouterEffect[] = [];
        // A retried message is acknowledged again (the first ack may have been lost) but delivered once.
        if (!this.seen.has(key)) {
          this.seen.add(nowMs, key);
          this.stats.delivered++;
          const delivery: RoutedDelivery = { from: frame.origin, data: assembled.data, trace, hops: trace.length - 1, kind: 'unicast', msgId: frame.msgId };
          effects.push({ type: 'log', entry: { ...logEntry('in', frame), trace } }, { type: 'deliver', delivery });
        }
        const ack: RoutedFrame = {
          kind: 'ack', origin: this.selfId, target: frame.origin, msgId: frame.msgId, trace: [this.selfId], piece: 0, pieces: 1, body: JSON.stringify(trace),
        };
        return [...effects, ...this.forward(nowMs, ack)];
      }
      case 'bc':
        return [];
    }
  }

  /** An ack or failure for one of our unicasts. */
  private answer(nowMs: number, frame: RoutedFrame): RouterEffect[] {
    const pending = this.pending.get(frame.msgId);
    if (pending === undefined) return []; // already settled (a late ack of a retried message)
    if (frame.kind === 'ack') {
      if (frame.origin !== pending.to) return [{ type: 'drop', from: frame.origin, reason: 'route:ack-from-other' }];
      const trace = parseTrace(frame.body);
      if (trace === null) return [{ type: 'drop', from: frame.origin, reason: 'route:bad-ack' }];
      return [this.finish(frame.msgId, { ok: true, trace, hops: trace.length - 1, rttMs: nowMs - pending.firstSentMs })];
    }
    // A failure for any piece of this attempt: try again shortly (routes may be fresher), unless already waiting.
    if (pending.retryAtMs !== null) return [];
    pending.lastFailure = `no route at ${frame.origin}`;
    return this.retryOrFail(nowMs, frame.msgId, pending, 'unreachable');
  }

  // ---- forwarding -------------------------------------------------------------------------------------------

  /**
   * Sends `frame` (whose trace already ends with this node) one hop closer to its target, or answers its origin
   * with a failure when no open link not yet crossed leads there.
   */
  private forward(nowMs: number, frame: RoutedFrame): RouterEffect[] {
    const target = frame.target;
    if (target === null) return [];
    const next = this.nextHop(nowMs, target, frame.trace);
    if (next !== null) return [{ type: 'send', to: next, message: { t: 'r', frame } }];
    const effects = this.drop(null, frame, 'no-route');
    if (frame.kind !== 'uni') return effects; // acks, failures and signals are not answered (no ping-pong)
    if (frame.origin !== this.selfId) {
      // Tell the origin, which tries again over fresher routes (it ignores further failures while it waits).
      const failure: RoutedFrame = {
        kind: 'fail', origin: this.selfId, target: frame.origin, msgId: frame.msgId, trace: [this.selfId], piece: 0, pieces: 1, body: JSON.stringify({ piece: frame.piece }),
      };
      const back = this.nextHop(nowMs, frame.origin, failure.trace);
      if (back !== null) effects.push({ type: 'send', to: back, message: { t: 'r', frame: failure } });
    } else {
      const pending = this.pending.get(frame.msgId);
      if (pending !== undefined && pending.retryAtMs === null) effects.push(...this.retryOrFail(nowMs, frame.msgId, pending, 'unreachable'));
    }
    return effects;
  }

  /** The open link, not in `trace`, closest to `target`; the target itself when linked. Ties broken at random. */
  private nextHop(nowMs: number, target: NodeId, trace: readonly NodeId[]): NodeId | null {
    if (this.links.has(target)) return target;
    const reverse = this.reversePaths.via(nowMs, target);
    const fallback = reverse !== undefined && this.links.has(reverse) && !trace.includes(reverse) ? reverse : null;
    const distances = this.db.distancesTo(target);
    let best: NodeId[] = [];
    let bestDistance = Infinity;
    for (const link of this.links) {
      if (trace.includes(link)) continue;
      const distance = distances.get(link);
      if (distance === undefined || distance > bestDistance) continue;
      if (distance < bestDistance) {
        best = [];
        bestDistance = distance;
      }
      best.push(link);
    }
    return best.length === 0 ? fallback : (best[randomInt(this.rng, best.length)] ?? null);
  }

  /** Sends every piece of a pending unicast (a fresh attempt). */
  private transmit(nowMs: number, msgId: string): RouterEffect[] {
    const pending = this.pending.get(msgId);
    if (pending === undefined) return [];
    const effects: RouterEffect[] = [];
    for (let piece = 0; piece < pending.pieces.length; piece++) {
      const frame: RoutedFrame = {
        kind: 'uni', origin: this.selfId, target: pending.to, msgId, trace: [this.selfId], piece, pieces: pending.pieces.length, body: pending.pieces[piece] ?? new Uint8Array(0),
      };
      effects.push(...this.forward(nowMs, frame));
      if (!this.pending.has(msgId) || pending.retryAtMs !== null) break; // no route: already failed or waiting
    }
    return effects;
  }

  private retryOrFail(nowMs: number, msgId: string, pending: PendingUnicast, code: 'unreachable' | 'timeout'): RouterEffect[] {
    if (pending.attempt >= this.options.sendAttempts) {
      return [this.finish(msgId, { ok: false, code, detail: `${pending.lastFailure} after ${pending.attempt} attempts` })];
    }
    pending.retryAtMs = nowMs + this.options.retryDelayMs;
    return [];
  }

  private finish(msgId: string, result: UnicastResult): RouterEffect {
    this.pending.delete(msgId);
    return { type: 'result', msgId, result };
  }

  // ---- time -------------------------------------------------------------------------------------------------

  /** Runs what is due: batched own advert, refresh, expiries, retries and time-outs. */
  tick(nowMs: number): RouterEffect[] {
    const effects = this.adverts.tick(nowMs, this.stopped);
    if (nowMs >= this.nextHousekeepingMs) {
      // Expiry scans every advert: a twentieth of their lifetime is precise enough (and once a second at most).
      this.nextHousekeepingMs = nowMs + Math.max(HOUSEKEEPING_INTERVAL_MS, this.options.advertExpiryMs / 20);
      if (this.db.expire(nowMs - this.options.advertExpiryMs).length > 0) effects.push({ type: 'topology' });
    }
    const expired = this.reassembler.expire(nowMs);
    if (expired > 0) effects.push({ type: 'drop', from: null, reason: 'route:reassembly-timeout' });
    for (const [msgId, pending] of [...this.pending]) {
      if (pending.retryAtMs !== null && nowMs >= pending.retryAtMs) {
        pending.retryAtMs = null;
        pending.attempt++;
        pending.deadlineMs = nowMs + this.options.ackTimeoutMs;
        effects.push(...this.transmit(nowMs, msgId));
      } else if (pending.retryAtMs === null && nowMs >= pending.deadlineMs) {
        pending.lastFailure = 'no acknowledgement';
        effects.push(...this.retryOrFail(nowMs, msgId, pending, 'timeout'));
      }
    }
    this.seen.expire(nowMs);
    return effects;
  }

  /** Earliest time `tick` has work. */
  nextWakeMs(): number {
    let wake = this.adverts.nextWakeMs();
    for (const pending of this.pending.values()) wake = Math.min(wake, pending.retryAtMs ?? pending.deadlineMs);
    // Stale adverts need no wake-up of their own: the refresh above ticks at least every `advertRefreshMs`.
    return Math.min(wake, this.reassembler.nextExpiryMs());
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** Hands a data piece to the reassembler (the decoder guarantees data pieces carry bytes). */
  private offerPiece(nowMs: number, frame: RoutedFrame): ReassemblyResult {
    if (typeof frame.body === 'string') return { status: 'dropped', reason: 'bad-payload' };
    return this.reassembler.offer(nowMs, `${frame.origin}|${frame.msgId}`, frame.origin, frame.piece, frame.pieces, frame.body);
  }

  private drop(from: NodeId | null, frame: RoutedFrame, reason: string): RouterEffect[] {
    this.stats.dropped++;
    return [
      { type: 'drop', from, reason: `route:${reason}` },
      { type: 'log', entry: { ...logEntry('drop', frame), reason } },
    ];
  }

  private newMsgId(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = '';
    for (let i = 0; i < 16; i++) id += alphabet.charAt(randomInt(this.rng, 64));
    return id;
  }
}

function progressOf(
  frame: RoutedFrame,
  kind: RoutedProgress['kind'],
  partial: { received: number; pieces: number; receivedBytes: number },
): RouterEffect {
  return {
    type: 'progress',
    progress: { from: frame.origin, msgId: frame.msgId, kind, receivedPieces: partial.received, totalPieces: partial.pieces, receivedBytes: partial.receivedBytes },
  };
}

function seenKey(frame: RoutedFrame): string {
  return `b|${frame.origin}|${frame.msgId}|${frame.piece}`;
}

function parseTrace(body: string | Uint8Array): NodeId[] | null {
  if (typeof body !== 'string') return null;
  try {
    const value = JSON.parse(body) as unknown;
    if (!Array.isArray(value) || value.length < 2 || value.length > ROUTE_LIMITS.maxHops + 1) return null;
    return value.every((id) => typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id)) ? (value as NodeId[]) : null;
  } catch {
    return null;
  }
}
