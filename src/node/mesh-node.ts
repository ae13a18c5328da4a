/**
 * The one driver: a thin interpreter of the mesh machine (`src/mesh/machine.ts`), which holds every protocol
 * decision. The driver owns what the machine must not touch: the timer, the links (WebRTC, or in memory for
 * tests), the signaling server socket, the crypto of mesh signaling, and the events the page listens to. The same
 * code runs in the browser and in Node; only the link factory and the signaling client differ.
 */
import type { MembershipSnapshot, PeerView } from '../core';
import type { NodeId } from '../core/wire';
import { encodeFrame } from '../mesh/frame-codec';
import { MeshMachine } from '../mesh/machine';
import type { MeshEffect } from '../mesh/mesh-effects';
import type { UnicastResult } from '../routing/router';
import type { LinkPath } from '../transport/link-path';
import { displayTime, systemClock, type Clock, type DisplayTime } from '../util/clock';
import { createEmitter } from '../util/emitter';
import { tellObservers } from './mesh-node-events';
import { cryptoRng } from './crypto-rng';
import { LinkRegistry } from './links';
import type { MeshNodeEvents, MeshNodeOptions, MeshNodeStats, NodeState, ServerRetry } from './mesh-node-types';
import { ServerPresence } from './server-presence';
import { serverFailureDetail } from './server-failure';
import { SignalCrypto } from './signal-crypto';

export type { MeshNodeEvents, MeshNodeOptions, MeshNodeStats, NodeState, ServerRetry } from './mesh-node-types';
export { DEFAULT_LINK_INBOUND_LIMIT } from '../mesh/machine';

/**
 * Peer connections kept back for repairs: below this many left in the tab's lifetime budget (450 of Chromium's
 * 500), the node stops rewiring, so replacing lost links can go on for a long time yet.
 */
const REWIRE_RESERVE_CONNECTIONS = 150;

/** Longest single timer (browsers clamp above 2^31 - 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One mesh node in this process. */
export class MeshNode {
  /** This node's ID (derived from its public key). */
  readonly id: NodeId;
  private readonly machine: MeshMachine;
  private readonly links: LinkRegistry;
  private readonly server: ServerPresence;
  private readonly crypto: SignalCrypto;
  private readonly options: MeshNodeOptions;
  private readonly clock: Clock;
  /** Monotonic → wall-clock for what people see, by an offset taken once at construction. */
  private readonly display: DisplayTime;
  /** Unicasts waiting for their outcome, by message ID. */
  private readonly waiting = new Map<string, (result: UnicastResult) => void>();
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
  /** The driver's own counters (the machine's are merged in by `stats()`). */
  private readonly counters = {
    messagesOut: 0, sendFailures: {} as Record<string, number>, listenerErrors: {} as Record<string, number>,
  };

  constructor(options: MeshNodeOptions) {
    this.options = options;
    this.id = options.identity.id;
    this.clock = options.clock ?? systemClock();
    this.display = displayTime(this.clock);
    const rng = options.rng ?? cryptoRng();
    this.server = new ServerPresence({
      make: options.signaling,
      clock: this.clock,
      rng,
      signal: (from, data) => this.run(this.machine.serverSignal(this.clock.now(), from, data)),
      introduced: (peers) => this.run(this.machine.introduced(this.clock.now(), peers)),
      hasLinks: () => this.machine.core.neighbours().length > 0,
      stopped: () => this.stopped,
    });
    this.machine = new MeshMachine({
      selfId: this.id,
      rng,
      ...(options.membership !== undefined ? { membership: options.membership } : {}),
      ...(options.routing !== undefined ? { routing: options.routing } : {}),
      ...(options.snapshot !== undefined ? { snapshot: options.snapshot } : {}),
      ...(options.linkInboundLimit !== undefined ? { linkInboundLimit: options.linkInboundLimit } : {}),
      reachesWithoutMesh: (peer) => this.server.reachesLocally(peer),
    });
    this.crypto = new SignalCrypto({
      identity: options.identity,
      sealed: (to, body) => this.run(this.machine.sealedSignal(this.clock.now(), to, body)),
      opened: (from, nonce, payload) => this.run(this.machine.openedSignal(this.clock.now(), from, nonce, payload)),
      refused: (from, reason) =>
        this.run(from === null ? this.machine.noteDrop(this.clock.now(), null, reason) : this.machine.refusedSignal(this.clock.now(), from, reason)),
      stopped: () => this.stopped,
    });
    this.links = new LinkRegistry(options.links, {
      signal: (peer, data) => this.run(this.machine.linkSignal(this.clock.now(), peer, data)),
      open: (peer) => this.onLinkOpen(peer),
      message: (peer, frame) => this.run(this.machine.receive(this.clock.now(), peer, frame)),
      close: (peer, event) => this.run(this.machine.linkClosed(this.clock.now(), peer, event.code)),
      drop: (peer, direction, reason) => {
        if (direction === 'in') this.run(this.machine.noteDrop(this.clock.now(), peer, `link:${reason}`));
        else this.count(this.counters.sendFailures, reason);
      },
      refused: (peer, code) => this.run(this.machine.linkClosed(this.clock.now(), peer, code)),
    }, options.udpCandidatesOnly ?? false);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof MeshNodeEvents>(event: K, handler: (payload: MeshNodeEvents[K]) => void): () => void {
    return this.emitter.on(event, handler);
  }

  /** Joins: first contact through the signaling server, then the machine takes over. Never rejects. */
  async start(): Promise<void> {
    this.setState('joining');
    let introductions: NodeId[] = [];
    try {
      introductions = await this.server.join();
    } catch (error) {
      this.setState('offline', serverFailureDetail(error));
    }
    if (this.stopped) return;
    this.run(this.machine.start(this.clock.now(), introductions));
  }

  /** Leaves on purpose (neighbours learn it at once), closes every link and the signaling socket. */
  stop(): void {
    if (this.stopped) return;
    // Stopped first, so that the goodbye's link-downs do not flash 'isolated' before 'stopped'.
    this.stopped = true;
    this.run(this.machine.leave(this.clock.now()));
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.links.closeAll();
    this.server.close();
    this.setState('stopped');
  }

  /** Current state. */
  get state(): NodeState {
    return this.currentState;
  }

  /**
   * Every known peer (tombstones included) with score and neighbour flag. Its times (`lastSeenMs`,
   * `stateChangedMs`) are for display: wall-clock milliseconds on the scale of `wallNow()`. The core itself keeps
   * them on the monotonic clock.
   */
  peers(): PeerView[] {
    return this.machine.core.peers().map((peer) => ({
      ...peer,
      lastSeenMs: this.display.toWallMs(peer.lastSeenMs),
      stateChangedMs: this.display.toWallMs(peer.stateChangedMs),
    }));
  }

  /**
   * "Now" for display, on the scale of `peers()`' times: the monotonic clock plus the wall-clock offset taken when
   * the node was made. A wall-clock jump after that moves neither, so relative times shown stay right.
   */
  wallNow(): number {
    return this.display.nowMs();
  }

  /** IDs listed as members. */
  members(): NodeId[] {
    return this.machine.core.members();
  }

  /** IDs of open links. */
  neighbours(): NodeId[] {
    return this.machine.core.neighbours();
  }

  /** Every member's neighbour list, as flooded by link-state adverts (own included). */
  topology(): Record<NodeId, NodeId[]> {
    return this.machine.router.topology();
  }

  /** Hop distance (over advertised links) and last measured ping round trip (neighbours only) per peer. */
  routeInfo(): Record<NodeId, { hops: number | null; rttMs: number | null }> {
    const hops = this.machine.router.hopDistances();
    const out = Object.create(null) as Record<NodeId, { hops: number | null; rttMs: number | null }>;
    for (const id of this.machine.core.members()) out[id] = { hops: hops.get(id) ?? null, rttMs: this.machine.links.accounting.rtt(id) ?? null };
    return out;
  }

  /**
   * Sends `data` (a string of at most 256 KiB UTF-8, or at most 256 KiB of bytes, which travel raw in binary frames
   * and arrive as bytes) to member `to` over the mesh, hop by hop. Resolves with the
   * trace and hop count once the target acknowledged it, or with a failure code (`unreachable`, `timeout`,
   * `too-large`, `bad-target`, `stopped`). Never rejects.
   */
  send(to: NodeId, data: string | Uint8Array): Promise<UnicastResult> {
    if (!isPayload(data)) return Promise.resolve({ ok: false, code: 'too-large', detail: 'data must be a string or a Uint8Array' });
    const { msgId, effects } = this.machine.send(this.clock.now(), to, data);
    const outcome = new Promise<UnicastResult>((resolve) => this.waiting.set(msgId, resolve));
    this.run(effects);
    return outcome;
  }

  /** Floods `data` (a string or bytes, ≤ 256 KiB) to every member; returns its message ID (null when too large or stopped). */
  broadcast(data: string | Uint8Array): { msgId: string | null } {
    if (!isPayload(data)) return { msgId: null };
    const { msgId, effects } = this.machine.broadcast(this.clock.now(), data);
    this.run(effects);
    return { msgId };
  }

  /** State worth persisting, its times on the node's monotonic clock (`persistence-glue.ts` converts them). */
  snapshot(): MembershipSnapshot {
    return this.machine.core.snapshot();
  }

  /** Counters of the driver, the machine, the core and the router. */
  stats(): MeshNodeStats {
    return {
      ...this.machine.stats.snapshot(),
      messagesOut: this.counters.messagesOut,
      sendFailures: { ...this.counters.sendFailures },
      listenerErrors: { ...this.counters.listenerErrors },
      ...this.machine.links.accounting.counts,
      ...this.machine.routeWait.counters,
      ...this.server.counters,
      core: { ...this.machine.core.stats },
      routing: { ...this.machine.router.stats },
      counter: this.machine.core.counter,
    };
  }

  /** Set-up times in ms (dial → open) of the latest links this node dialled after its first, by signaling path. */
  linkSetupTimes(): { mesh: number[]; server: number[] } {
    return this.machine.links.accounting.setupTimes();
  }

  /** Members and other peers whose latest link attempt failed and that have no link now (see `Membership`). */
  unreachablePeers(): NodeId[] {
    return this.machine.core.unreachablePeers(this.clock.now());
  }

  /** The candidate pair each neighbour's link uses (neighbours whose stats give none are left out). */
  async linkPaths(): Promise<Record<NodeId, LinkPath>> {
    const out: Record<NodeId, LinkPath> = {};
    const peers = this.neighbours();
    const paths = await Promise.all(peers.map((peer) => this.links.get(peer)?.path() ?? Promise.resolve(undefined)));
    peers.forEach((peer, i) => {
      const path = paths[i];
      if (path !== undefined) out[peer] = path;
    });
    return out;
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
    const dueMs = Math.min(rejoinAtMs ?? Infinity, this.introductionsFailing ? this.machine.core.introductionDueMs() : Infinity);
    return { attempting, retryInMs: Number.isFinite(dueMs) ? Math.max(0, Math.ceil(dueMs - this.clock.now())) : null };
  }

  // ---- the interpreter ----------------------------------------------------------------------------------------

  private onLinkOpen(peer: NodeId): void {
    this.introductionsFailing = false;
    const budget = this.options.budget;
    if (budget !== undefined && budget.remaining() < REWIRE_RESERVE_CONNECTIONS) this.machine.setRewiring(false);
    this.run(this.machine.linkOpened(this.clock.now(), peer));
    if (this.machine.core.neighbours().includes(peer)) this.server.linkOpened();
  }

  /** Carries out the machine's effects in order; then lets the saver know, updates the state, re-arms the timer. */
  private run(effects: MeshEffect[]): void {
    for (const effect of effects) this.apply(effect);
    // LastSeen moves with every message, not only with events: let the (batching) saver know.
    this.emitter.emit('changed', {});
    this.updateState();
    this.reschedule();
  }

  private apply(effect: MeshEffect): void {
    switch (effect.type) {
      case 'send': {
        const result = this.links.get(effect.to)?.send(encodeFrame(effect.frame)) ?? { ok: false as const, code: 'not-open' };
        if (result.ok) this.counters.messagesOut++;
        else this.count(this.counters.sendFailures, result.code);
        return;
      }
      case 'open-link':
        // A refused link reports through the registry's `refused`, synchronously, back into the machine.
        this.links.open(effect.to, effect.initiator);
        return;
      case 'close-link':
        this.links.close(effect.to);
        return;
      case 'feed-link': {
        const result = this.links.get(effect.to)?.signal(effect.data);
        if (result !== undefined && !result.ok) this.run(this.machine.noteDrop(this.clock.now(), effect.to, `signal:${result.code}`));
        return;
      }
      case 'server-signal':
        if (!this.server.send(effect.to, effect.payload)) this.count(this.counters.sendFailures, 'signal');
        return;
      case 'seal-signal':
        void this.crypto.seal(effect.to, effect.payload);
        return;
      case 'verify-signal':
        void this.crypto.verify(effect.from, effect.body);
        return;
      case 'introduce':
        if (effect.reason === 'check-in' && this.server.status().introducer) {
          // We hold one of the room's introducer sockets: newcomers reach this mesh through us already, so the
          // check-in is answered without the server (after this effect run, not inside it).
          queueMicrotask(() => {
            if (!this.stopped) this.run(this.machine.introduced(this.clock.now(), []));
          });
          return;
        }
        void this.fetchIntroductions();
        return;
      case 'result': {
        const resolve = this.waiting.get(effect.msgId);
        this.waiting.delete(effect.msgId);
        resolve?.(effect.result);
        return;
      }
      default:
        tellObservers(this.emitter, effect);
    }
  }

  private async fetchIntroductions(): Promise<void> {
    try {
      const peers = await this.server.join();
      this.introductionsFailing = false;
      if (!this.stopped) this.run(this.machine.introduced(this.clock.now(), peers));
    } catch (error) {
      // Linked nodes stay connected without the server (it is only for first contact); only say so when alone.
      // Knowing no member either means no way into the mesh at all: offline (updateState keeps that until a link).
      if (!this.stopped && this.machine.core.neighbours().length === 0) {
        this.introductionsFailing = true;
        this.setState(this.machine.core.members().length > 0 ? 'isolated' : 'offline', serverFailureDetail(error));
      }
    }
  }

  private reschedule(): void {
    if (this.stopped) return;
    // Clamped below at now: a wake time in the past (or -Infinity) means "run at once", never "no timer".
    const wakeMs = Math.max(this.clock.now(), this.machine.nextWakeMs());
    if (wakeMs >= this.timerAtMs && this.timer !== undefined) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAtMs = wakeMs;
    if (!Number.isFinite(wakeMs)) return;
    const delayMs = Math.min(MAX_TIMER_MS, Math.max(0, wakeMs - this.clock.now()));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = Infinity;
      if (!this.stopped) this.run(this.machine.tick(this.clock.now()));
    }, delayMs);
  }

  private updateState(): void {
    if (this.stopped || (this.currentState === 'offline' && this.machine.core.neighbours().length === 0)) return;
    const next: NodeState = this.machine.core.neighbours().length > 0 ? 'connected' : this.machine.core.members().length > 0 ? 'isolated' : 'joining';
    if (next !== this.currentState) this.setState(next);
  }

  private setState(state: NodeState, detail?: string): void {
    this.currentState = state;
    this.emitter.emit('state', detail === undefined ? { state } : { state, detail });
  }

  private count(table: Record<string, number>, key: string, by = 1): void {
    table[key] = (table[key] ?? 0) + by;
  }
}

/** What the router carries: a string or bytes (callers from plain JavaScript may pass anything). */
function isPayload(data: unknown): data is string | Uint8Array {
  return typeof data === 'string' || data instanceof Uint8Array;
}
