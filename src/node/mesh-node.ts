import { Membership, type Effect, type PeerView } from '../core';
import { encodeMessage, type MembershipMessage, type NodeId } from '../core/wire';
import { isValidNodeId } from '../identity/keys';
import { createEmitter } from '../util/emitter';
import type { LinkCloseEvent } from '../transport/types';
import { Router, type UnicastResult } from '../routing/router';
import type { RouteDecodeResult } from '../routing/route-wire';
import { decodeFrame } from './frame-decoder';
import { LinkRegistry } from './links';
import { cryptoRng } from './crypto-rng';
import { MeshRouting } from './mesh-routing';
import { LinkAccounting } from './link-accounting';
import type { DriverClock, MeshNodeEvents, MeshNodeOptions, MeshNodeStats, NodeState, ServerRetry } from './mesh-node-types';
import { RouteWait } from './route-wait';
import { ServerPresence } from './server-presence';
import { isOpeningMove, parseSignalPayload, type SignalPayload } from './signal-payload';
import type { ConnectionBudget } from '../transport/budget';
import { createTokenBucket, type RateLimitOptions, type TokenBucket } from '../util/token-bucket';

export type { DriverClock, MeshNodeEvents, MeshNodeOptions, MeshNodeStats, NodeState, ServerRetry } from './mesh-node-types';

const REAL_CLOCK: DriverClock = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => globalThis.setTimeout(fn, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Inbound frames accepted per link, by default. Honest peers stay below it (a whole-table sync at n = 1 000 is ~15 frames, a
 * 256 KiB message ~30 pieces, topology adverts are batched per 50 ms); a flooding peer is cut to this rate and the
 * excess is dropped and counted before any parsing. Measured: at 200/s (burst 400) and unbatched adverts, a
 * 50-node join burst dropped ~20 000 honest frames.
 */
export const DEFAULT_LINK_INBOUND_LIMIT: Readonly<RateLimitOptions> = { ratePerSec: 500, burst: 1_000 };

/**
 * Peer connections kept back for repairs: below this many left in the tab's lifetime budget (450 of Chromium's
 * 500), the node stops rewiring, so replacing lost links can go on for a long time yet.
 */
const REWIRE_RESERVE_CONNECTIONS = 150;

/** Longest single timer (browsers clamp above 2^31 - 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The one driver: owns the timer, feeds the membership core with time, messages and link events, and carries out
 * the effects it returns over WebRTC links and the signaling server. The same code runs in the browser and in
 * Node; only the platform pieces differ.
 */
export class MeshNode {
  /** This node's ID (derived from its public key). */
  readonly id: NodeId;
  private readonly core: Membership;
  private readonly router: Router;
  private readonly routing: MeshRouting;
  private readonly links: LinkRegistry;
  private readonly accounting = new LinkAccounting();
  /** Inbound token bucket per open link. */
  private readonly inbound = new Map<NodeId, TokenBucket>();
  private readonly server: ServerPresence;
  /** The tab's lifetime budget of peer connections, when the platform has one. */
  private readonly budget: ConnectionBudget | undefined;
  /** Later dials wait here for a mesh route instead of going through the server. */
  private readonly routeWait: RouteWait;
  private readonly clock: DriverClock;
  private readonly linkInboundLimit: RateLimitOptions;
  /** A listener that throws (the page's, a test's) is counted and written to the console, and the node goes on. */
  private readonly emitter = createEmitter<MeshNodeEvents>((error, event) => {
    this.counters.listenerErrors[event] = (this.counters.listenerErrors[event] ?? 0) + 1;
    console.error(`starmesh: a '${event}' listener threw`, error);
  });
  private timer: unknown = undefined;
  private timerAtMs = Infinity;
  private currentState: NodeState = 'offline';
  private stopped = false;
  /** Set when a request for introductions failed while this node had no link; cleared by a success or a link. */
  private introductionsFailing = false;
  /** The driver's own counters (link, routing and server counters are merged in by `stats()`). */
  private readonly counters = {
    drops: {} as Record<string, number>, messagesIn: 0, messagesOut: 0, sendFailures: {} as Record<string, number>,
    linkCloses: {} as Record<string, number>, serverSignalsOut: 0, serverSignalsIn: 0,
    listenerErrors: {} as Record<string, number>,
  };

  constructor(options: MeshNodeOptions) {
    this.id = options.identity.id;
    this.clock = options.clock ?? REAL_CLOCK;
    this.linkInboundLimit = options.linkInboundLimit ?? DEFAULT_LINK_INBOUND_LIMIT;
    const rng = options.rng ?? cryptoRng();
    this.server = new ServerPresence({
      make: options.signaling,
      clock: this.clock,
      rng,
      signal: (from, data) => this.onSignal(from, data, 'server'),
      hasLinks: () => this.core.neighbours().length > 0,
      stopped: () => this.stopped,
    });
    this.router = new Router(this.id, rng, options.routing ?? {});
    this.routeWait = new RouteWait({
      now: () => this.clock.now(),
      ready: (peer) =>
        this.core.neighbours().length === 0 ||
        this.routing.canSignal(peer) ||
        this.server.reachesLocally(peer) ||
        this.core.peer(peer)?.state === 'dead',
      dial: (peer, initiator) => this.dial(peer, initiator),
      giveUp: (peer) => this.run(this.core.linkDown(this.clock.now(), peer)),
    });
    this.routing = new MeshRouting({
      identity: options.identity,
      router: this.router,
      now: () => this.clock.now(),
      sendFrame: (to, text) => this.sendText(to, text),
      deliver: (delivery) => this.emitter.emit('message', delivery),
      log: (entry) => this.emitter.emit('route', entry),
      topologyChanged: () => {
        this.routeWait.check();
        this.emitter.emit('topology', {});
      },
      signal: (from, payload) => this.onSignal(from, payload, 'mesh'),
      drop: (from, reason) => this.drop(from, reason),
      reschedule: () => this.reschedule(),
      stopped: () => this.stopped,
    });
    this.core = new Membership({
      selfId: this.id,
      rng,
      ...(options.membership !== undefined ? { options: options.membership } : {}),
      ...(options.snapshot !== undefined ? { snapshot: options.snapshot } : {}),
    });
    this.budget = options.platform.budget;
    this.links = new LinkRegistry({ ...options.platform, identity: options.identity }, {
      signal: (peer, data) => this.sendSignal(peer, { k: 'rtc', s: data }),
      open: (peer) => {
        this.routeWait.cancel(peer);
        this.accounting.opened(peer, this.clock.now());
        this.introductionsFailing = false;
        this.inbound.set(peer, createTokenBucket(this.linkInboundLimit, () => this.clock.now()));
        if (this.budget !== undefined && this.budget.remaining() < REWIRE_RESERVE_CONNECTIONS) this.core.setRewiring(false);
        this.run(this.core.linkUp(this.clock.now(), peer));
        // The core may refuse the link (the degree bound raced) and close it at once: its close event fired
        // synchronously inside run(), so the router must not now learn of a link that is already gone (it would
        // advertise it, and route through it, until the next change).
        if (this.links.get(peer)?.state() !== 'open') return;
        this.routing.run(this.router.linkUp(this.clock.now(), peer));
        this.server.linkOpened();
      },
      message: (peer, text) => this.onMessage(peer, text),
      close: (peer, event) => this.onLinkClose(peer, event),
      drop: (peer, direction, reason) => {
        if (direction === 'in') this.drop(peer, `link:${reason}`);
        else this.count(this.counters.sendFailures, reason);
      },
      refused: (peer, code) => {
        this.accounting.forget(peer);
        this.count(this.counters.linkCloses, code);
        this.run(this.core.linkDown(this.clock.now(), peer));
      },
    });
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof MeshNodeEvents>(event: K, handler: (payload: MeshNodeEvents[K]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  /** Joins: first contact through the signaling server, then the core takes over. Never rejects. */
  async start(): Promise<void> {
    this.setState('joining');
    let introductions: NodeId[] = [];
    try {
      introductions = await this.server.join();
    } catch (error) {
      this.setState('offline', `signaling server unreachable: ${describe(error)}`);
    }
    if (this.stopped) return;
    this.run(this.core.start(this.clock.now(), introductions));
  }

  /** Leaves on purpose (neighbours learn it at once), closes every link and the signaling socket. */
  stop(): void {
    if (this.stopped) return;
    // Stopped first, so that the goodbye's link-downs do not flash 'isolated' before 'stopped'.
    this.stopped = true;
    this.run(this.core.leave(this.clock.now()));
    this.routing.stop();
    this.routeWait.clear();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.links.closeAll();
    this.server.close();
    this.setState('stopped');
  }

  /** Current state. */
  get state(): NodeState {
    return this.currentState;
  }

  /** Every known peer (tombstones included) with score and neighbour flag. */
  peers(): PeerView[] {
    return this.core.peers();
  }

  /** IDs listed as members. */
  members(): NodeId[] {
    return this.core.members();
  }

  /** IDs of open links. */
  neighbours(): NodeId[] {
    return this.core.neighbours();
  }

  /** Every member's neighbour list, as flooded by link-state adverts (own included). */
  topology(): Record<NodeId, NodeId[]> {
    return this.router.topology();
  }

  /** Hop distance (over advertised links) and last measured ping round trip (neighbours only) per peer. */
  routeInfo(): Record<NodeId, { hops: number | null; rttMs: number | null }> {
    const hops = this.router.hopDistances();
    const out: Record<NodeId, { hops: number | null; rttMs: number | null }> = Object.create(null) as Record<NodeId, { hops: number | null; rttMs: number | null }>;
    for (const id of this.core.members()) out[id] = { hops: hops.get(id) ?? null, rttMs: this.accounting.rtt(id) ?? null };
    return out;
  }

  /**
   * Sends `data` (a string of at most 256 KiB UTF-8) to member `to` over the mesh, hop by hop. Resolves with the
   * trace and hop count once the target acknowledged it, or with a failure code (`unreachable`, `timeout`,
   * `too-large`, `bad-target`, `stopped`). Never rejects.
   */
  send(to: NodeId, data: string): Promise<UnicastResult> {
    return this.routing.send(to, data);
  }

  /** Floods `data` (≤ 256 KiB) to every member; returns its message ID (null when too large or stopped). */
  broadcast(data: string): { msgId: string | null } {
    return { msgId: this.routing.broadcast(data) };
  }

  /** State worth persisting. */
  snapshot(): ReturnType<Membership['snapshot']> {
    return this.core.snapshot();
  }

  /** Counters of the driver and the core. */
  stats(): MeshNodeStats & { core: Membership['stats']; routing: Router['stats']; counter: number } {
    return {
      ...this.counters,
      ...this.accounting.counts,
      ...this.server.counters,
      ...this.routeWait.counters,
      meshSignalsOut: this.routing.counters.meshSignalsOut,
      meshSignalsIn: this.routing.counters.meshSignalsIn,
      core: { ...this.core.stats },
      routing: { ...this.router.stats },
      counter: this.core.counter,
    };
  }

  /** Set-up times in ms (dial → open) of the latest links this node dialled after its first, by signaling path. */
  linkSetupTimes(): { mesh: number[]; server: number[] } {
    return this.accounting.setupTimes();
  }

  /** Whether this node holds a socket to the signaling server, and whether it is one of the room's introducers. */
  serverStatus(): { connected: boolean; introducer: boolean } {
    return this.server.status();
  }

  /**
   * When this node tries the signaling server again after a failure: the core's introduction back-off while it is
   * without links, and an introducer's rejoin back-off after its socket dropped (whichever comes first).
   */
  serverRetry(): ServerRetry {
    if (this.stopped) return { attempting: false, retryInMs: null };
    const { attempting, rejoinAtMs } = this.server.retry();
    const dueMs = Math.min(rejoinAtMs ?? Infinity, this.introductionsFailing ? this.core.introductionDueMs() : Infinity);
    return { attempting, retryInMs: Number.isFinite(dueMs) ? Math.max(0, Math.ceil(dueMs - this.clock.now())) : null };
  }

  // ---- inputs -----------------------------------------------------------------------------------------------

  private onMessage(peer: NodeId, text: string): void {
    if (this.inbound.get(peer)?.take() === false) return this.drop(peer, 'link:rate-limited');
    const frame = decodeFrame(text);
    if (frame.kind === 'refused') return this.drop(peer, `frame:${frame.error}`);
    if (frame.kind === 'routing') return this.onRouteMessage(peer, frame.result);
    const decoded = frame.result;
    if (!decoded.ok) {
      this.drop(peer, `message:${decoded.error}`);
      return;
    }
    if (decoded.droppedEntries > 0) this.drop(peer, 'message:bad-entries', decoded.droppedEntries);
    this.counters.messagesIn++;
    const message = decoded.message;
    if ('entries' in message) this.emitter.emit('gossip', { dir: 'in', type: message.t, peer, entries: message.entries.length });
    if (message.t === 'ack') this.accounting.ackReceived(peer, message.nonce, this.clock.now());
    this.run(this.core.receive(this.clock.now(), peer, withRealIds(decoded.message, (count) => this.drop(peer, 'message:bad-id', count))));
  }

  private onRouteMessage(peer: NodeId, decoded: RouteDecodeResult): void {
    if (!decoded.ok) {
      this.drop(peer, `route:${decoded.error}`);
      return;
    }
    if (decoded.dropped > 0) this.drop(peer, 'route:bad-adverts', decoded.dropped);
    this.counters.messagesIn++;
    this.routing.run(this.router.receive(this.clock.now(), peer, decoded.message));
  }

  private onLinkClose(peer: NodeId, event: LinkCloseEvent): void {
    this.count(this.counters.linkCloses, event.code);
    if (event.code === 'auth-failed') this.drop(peer, 'link:auth-failed');
    this.accounting.forget(peer);
    this.inbound.delete(peer);
    this.run(this.core.linkDown(this.clock.now(), peer));
    this.routing.run(this.router.linkDown(this.clock.now(), peer));
  }

  /** Signaling from `from`, relayed by the server or (sealed and verified) through the mesh. */
  private onSignal(from: NodeId, data: unknown, via: 'server' | 'mesh'): void {
    if (via === 'server') {
      this.counters.serverSignalsIn++;
      this.accounting.touchedServer(from);
    }
    const payload = parseSignalPayload(data);
    if (payload === null) {
      this.drop(from, 'signal:bad-payload');
      return;
    }
    const existing = this.links.get(from);
    if (payload.k === 'busy') return this.onBusy(from);
    if (existing !== undefined) {
      if (payload.k === 'rtc') {
        const result = existing.signal(payload.s);
        if (!result.ok) this.drop(from, `signal:${result.code}`);
      }
      return;
    }
    // A new peer wants a link: the core decides whether it fits (degree bound, not leaving).
    if (this.stopped || !this.core.acceptLink(this.clock.now(), from)) {
      this.drop(from, 'signal:refused');
      // Answer only the opening move (offer or dial), not every trickled candidate after it.
      if (!this.stopped && isOpeningMove(payload)) this.sendSignal(from, { k: 'busy' });
      return;
    }
    const initiator = this.id < from;
    if (payload.k === 'dial' && !initiator) return this.drop(from, 'signal:dial-order');
    const link = this.links.open(from, initiator);
    if (link !== undefined && payload.k === 'rtc') {
      const result = link.signal(payload.s);
      if (!result.ok) this.drop(from, `signal:${result.code}`);
    }
    this.reschedule();
  }

  /** The peer has no room for us: an attempt still under way fails now (the core backs off and dials others). */
  private onBusy(from: NodeId): void {
    const link = this.links.get(from);
    if (link === undefined) {
      this.accounting.forget(from);
      if (!this.neighbours().includes(from)) this.run(this.core.linkDown(this.clock.now(), from));
    } else if (link.state() !== 'open') {
      link.close('remote busy');
    }
  }

  // ---- effects ----------------------------------------------------------------------------------------------

  private run(effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'send': {
          const message = effect.message;
          if (!this.sendText(effect.to, encodeMessage(message))) break;
          if ('entries' in message) this.emitter.emit('gossip', { dir: 'out', type: message.t, peer: effect.to, entries: message.entries.length });
          if (message.t === 'ping') this.accounting.pingSent(effect.to, message.nonce, this.clock.now());
          break;
        }
        case 'connect':
          this.routeWait.dialOrWait(effect.to, effect.initiator);
          break;
        case 'disconnect':
          this.routeWait.cancel(effect.to);
          this.links.close(effect.to);
          break;
        case 'introduce':
          void this.fetchIntroductions();
          break;
        case 'event':
          this.emitter.emit('membership', effect.event);
          // A removed member's link-state advert would only attract routes into a dead end.
          if (effect.event.type === 'peer:remove') this.routing.run(this.router.forget(effect.event.id));
          break;
      }
    }
    // LastSeen moves with every message, not only with events: let the (batching) saver know.
    this.emitter.emit('changed', {});
    this.updateState();
    this.reschedule();
  }

  /** Starts a dial the core asked for (RouteWait decides when). */
  private dial(peer: NodeId, initiator: boolean): void {
    this.accounting.dialStarted(peer, this.core.neighbours().length > 0, this.clock.now());
    // The lower ID makes the offer; the higher one asks it to, through the same signaling path.
    if (initiator) this.links.open(peer, true);
    else this.sendSignal(peer, { k: 'dial' });
  }

  private async fetchIntroductions(): Promise<void> {
    try {
      const peers = await this.server.join();
      this.introductionsFailing = false;
      if (!this.stopped) this.run(this.core.introduce(this.clock.now(), peers));
    } catch (error) {
      // Linked nodes stay connected without the server (it is only for first contact); only say so when alone.
      // Knowing no member either means no way into the mesh at all: offline (updateState keeps that until a link).
      if (!this.stopped && this.core.neighbours().length === 0) {
        this.introductionsFailing = true;
        this.setState(this.core.members().length > 0 ? 'isolated' : 'offline', `signaling server unreachable: ${describe(error)}`);
      }
    }
  }

  /** Sends one message over the open link to `to`; counts the outcome. */
  private sendText(to: NodeId, text: string): boolean {
    const result = this.links.get(to)?.send(text) ?? { ok: false as const, code: 'not-open' };
    if (result.ok) this.counters.messagesOut++;
    else this.count(this.counters.sendFailures, result.code);
    return result.ok;
  }

  /**
   * Signaling goes through the mesh (sealed by this node's key) whenever some link leads towards the peer; the
   * server (or, for sibling tabs, the BroadcastChannel) is only for a node with no route, i.e. its first contact.
   */
  private sendSignal(peer: NodeId, payload: SignalPayload): void {
    if (this.routing.canSignal(peer)) {
      void this.routing.sendSignal(peer, payload);
      return;
    }
    this.counters.serverSignalsOut++;
    if (!this.server.reachesLocally(peer)) this.accounting.touchedServer(peer);
    if (!this.server.send(peer, payload)) this.count(this.counters.sendFailures, 'signal');
  }

  private reschedule(): void {
    if (this.stopped) return;
    // Clamped below at now: a wake time in the past (or -Infinity) means "run at once", never "no timer".
    const wakeMs = Math.max(this.clock.now(), Math.min(this.core.nextWakeMs(), this.router.nextWakeMs(), this.routeWait.nextWakeMs()));
    if (wakeMs >= this.timerAtMs && this.timer !== undefined) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAtMs = wakeMs;
    if (!Number.isFinite(wakeMs)) return;
    const delayMs = Math.min(MAX_TIMER_MS, Math.max(0, wakeMs - this.clock.now()));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = Infinity;
      if (this.stopped) return;
      this.routeWait.check();
      this.run(this.core.tick(this.clock.now()));
      this.routing.run(this.router.tick(this.clock.now()));
    }, delayMs);
  }

  private updateState(): void {
    if (this.stopped || this.currentState === 'offline' && this.core.neighbours().length === 0) return;
    const next: NodeState = this.core.neighbours().length > 0 ? 'connected' : this.core.members().length > 0 ? 'isolated' : 'joining';
    if (next !== this.currentState) this.setState(next);
  }

  private setState(state: NodeState, detail?: string): void {
    this.currentState = state;
    this.emitter.emit('state', detail === undefined ? { state } : { state, detail });
  }

  private drop(from: NodeId | null, reason: string, count = 1): void {
    this.count(this.counters.drops, reason, count);
    this.emitter.emit('drop', { from, reason });
  }

  private count(table: Record<string, number>, key: string, by = 1): void {
    table[key] = (table[key] ?? 0) + by;
  }
}

/**
 * The wire accepts any short base64url ID (the simulator uses them); real peers are named by key hashes, so an
 * entry with any other ID (e.g. `__proto__`) is junk that could only be gossiped on and dialled in vain.
 */
function withRealIds(message: MembershipMessage, dropped: (count: number) => void): MembershipMessage {
  if (!('entries' in message)) return message;
  const entries = message.entries.filter((entry) => isValidNodeId(entry.id));
  if (entries.length === message.entries.length) return message;
  dropped(message.entries.length - entries.length);
  return { ...message, entries };
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String((error as { code: unknown }).code);
  return error instanceof Error ? error.message : String(error);
}
