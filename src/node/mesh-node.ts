import { Membership, type Effect, type MembershipEvent, type MembershipOptions, type PeerView } from '../core';
import type { Rng } from '../core/random';
import { decodeMessage, encodeMessage, type MembershipMessage, type NodeId } from '../core/wire';
import { isValidNodeId, type KeyIdentity } from '../identity/keys';
import type { SignalingClient } from '../adapters/signaling-client';
import { createEmitter } from '../util/emitter';
import type { LinkCloseEvent } from '../transport/types';
import { LinkRegistry, type LinkPlatform } from './links';
import { cryptoRng } from './crypto-rng';

/** Where the node is in its life, as the page shows it. */
export type NodeState = 'joining' | 'connected' | 'isolated' | 'offline' | 'stopped';

/** Events a mesh node emits (membership events plus the driver's own). */
export interface MeshNodeEvents {
  membership: MembershipEvent;
  state: { state: NodeState; detail?: string };
  /** An inbound message or signal was refused; also counted in `stats().drops`. */
  drop: { from: NodeId | null; reason: string };
  /** The table changed in a way worth saving (the persistence layer listens). */
  changed: Record<string, never>;
}

/** Timers and clock of the driver; injected so tests can control them. Times are wall-clock ms. */
export interface DriverClock {
  now(): number;
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Everything a mesh node needs. */
export interface MeshNodeOptions {
  identity: KeyIdentity;
  /**
   * Makes a signaling client for the room (`connect()` is called here). Called again when the node needs the
   * server after its socket closed (isolated after a server restart), so a node always finds its way back.
   */
  signaling: () => SignalingClient;
  /** WebRTC platform pieces (simple-peer constructor, wrtc in Node, budget). */
  platform: Omit<LinkPlatform, 'identity'>;
  membership?: Partial<MembershipOptions>;
  /** A restored table (after a reload). */
  snapshot?: ConstructorParameters<typeof Membership>[0]['snapshot'];
  clock?: DriverClock;
  rng?: Rng;
}

/** Counters for the page, tests and benches. */
export interface MeshNodeStats {
  drops: Record<string, number>;
  messagesIn: number;
  messagesOut: number;
  sendFailures: Record<string, number>;
  linkCloses: Record<string, number>;
  serverSignalsOut: number;
  serverSignalsIn: number;
}

/**
 * Signaling payload between two drivers: WebRTC data, a request that the other side make the offer, or a refusal
 * (no room for another link) so the dialer gives up at once instead of waiting for its connect time-out.
 */
type SignalPayload = { k: 'rtc'; s: unknown } | { k: 'dial' } | { k: 'busy' };

function parseSignalPayload(data: unknown): SignalPayload | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const record = data as Record<string, unknown>;
  if (record['k'] === 'dial') return { k: 'dial' };
  if (record['k'] === 'busy') return { k: 'busy' };
  if (record['k'] === 'rtc' && 's' in record) return { k: 'rtc', s: record['s'] };
  return null;
}

const REAL_CLOCK: DriverClock = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => globalThis.setTimeout(fn, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

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
  private readonly links: LinkRegistry;
  private readonly clock: DriverClock;
  private readonly emitter = createEmitter<MeshNodeEvents>();
  private readonly makeSignaling: () => SignalingClient;
  private signaling: SignalingClient;
  /** True while the signaling socket is joined; a closed one is replaced on the next need. */
  private signalingJoined = false;
  /** True until the current client's `connect()` was tried (the first one is used as made). */
  private signalingFresh = true;
  private timer: unknown = undefined;
  private timerAtMs = Infinity;
  private currentState: NodeState = 'offline';
  private stopped = false;
  private readonly counters: MeshNodeStats = {
    drops: {}, messagesIn: 0, messagesOut: 0, sendFailures: {}, linkCloses: {}, serverSignalsOut: 0, serverSignalsIn: 0,
  };

  constructor(options: MeshNodeOptions) {
    this.id = options.identity.id;
    this.clock = options.clock ?? REAL_CLOCK;
    this.makeSignaling = options.signaling;
    this.signaling = this.openSignaling();
    this.core = new Membership({
      selfId: this.id,
      rng: options.rng ?? cryptoRng(),
      ...(options.membership !== undefined ? { options: options.membership } : {}),
      ...(options.snapshot !== undefined ? { snapshot: options.snapshot } : {}),
    });
    this.links = new LinkRegistry({ ...options.platform, identity: options.identity }, {
      signal: (peer, data) => this.sendSignal(peer, { k: 'rtc', s: data }),
      open: (peer) => this.run(this.core.linkUp(this.clock.now(), peer)),
      message: (peer, text) => this.onMessage(peer, text),
      close: (peer, event) => this.onLinkClose(peer, event),
      drop: (peer, direction, reason) => {
        if (direction === 'in') this.drop(peer, `link:${reason}`);
        else this.count(this.counters.sendFailures, reason);
      },
      refused: (peer, code) => {
        this.count(this.counters.linkCloses, code);
        this.run(this.core.linkDown(this.clock.now(), peer));
      },
    });
  }

  private openSignaling(): SignalingClient {
    const client = this.makeSignaling();
    this.signalingFresh = true;
    client.on('signal', ({ from, data }) => this.onSignal(from, data));
    client.on('close', () => {
      if (this.signaling === client) this.signalingJoined = false;
    });
    return client;
  }

  /** Joins the room on the signaling server (a fresh socket if the old one closed); resolves with introductions. */
  private async joinSignaling(): Promise<NodeId[]> {
    if (this.signalingJoined) {
      try {
        return await this.signaling.requestPeers();
      } catch (error) {
        this.signalingJoined = false; // the next need opens a fresh socket
        throw error;
      }
    }
    if (!this.signalingFresh) {
      this.signaling.close();
      this.signaling = this.openSignaling();
    }
    this.signalingFresh = false;
    const welcome = await this.signaling.connect();
    this.signalingJoined = true;
    return welcome.peers;
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
      introductions = await this.joinSignaling();
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
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.links.closeAll();
    this.signaling.close();
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

  /** State worth persisting. */
  snapshot(): ReturnType<Membership['snapshot']> {
    return this.core.snapshot();
  }

  /** Counters of the driver and the core. */
  stats(): MeshNodeStats & { core: Membership['stats']; counter: number } {
    return { ...this.counters, core: { ...this.core.stats }, counter: this.core.counter };
  }

  // ---- inputs -----------------------------------------------------------------------------------------------

  private onMessage(peer: NodeId, text: string): void {
    const decoded = decodeMessage(text);
    if (!decoded.ok) {
      this.drop(peer, `message:${decoded.error}`);
      return;
    }
    if (decoded.droppedEntries > 0) this.drop(peer, 'message:bad-entries', decoded.droppedEntries);
    this.counters.messagesIn++;
    this.run(this.core.receive(this.clock.now(), peer, withRealIds(decoded.message, (count) => this.drop(peer, 'message:bad-id', count))));
  }

  private onLinkClose(peer: NodeId, event: LinkCloseEvent): void {
    this.count(this.counters.linkCloses, event.code);
    if (event.code === 'auth-failed') this.drop(peer, 'link:auth-failed');
    this.run(this.core.linkDown(this.clock.now(), peer));
  }

  private onSignal(from: NodeId, data: unknown): void {
    this.counters.serverSignalsIn++;
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
          const link = this.links.get(effect.to);
          const result = link?.send(encodeMessage(effect.message)) ?? { ok: false as const, code: 'not-open' };
          if (result.ok) this.counters.messagesOut++;
          else this.count(this.counters.sendFailures, result.code);
          break;
        }
        case 'connect':
          // The lower ID makes the offer; the higher one asks it to, through the same signaling path.
          if (effect.initiator) this.links.open(effect.to, true);
          else this.sendSignal(effect.to, { k: 'dial' });
          break;
        case 'disconnect':
          this.links.close(effect.to);
          break;
        case 'introduce':
          void this.fetchIntroductions();
          break;
        case 'event':
          this.emitter.emit('membership', effect.event);
          break;
      }
    }
    // LastSeen moves with every message, not only with events: let the (batching) saver know.
    this.emitter.emit('changed', {});
    this.updateState();
    this.reschedule();
  }

  private async fetchIntroductions(): Promise<void> {
    try {
      const peers = await this.joinSignaling();
      if (!this.stopped) this.run(this.core.introduce(this.clock.now(), peers));
    } catch (error) {
      // Linked nodes stay connected without the server (it is only for first contact); only say so when alone.
      // Knowing no member either means no way into the mesh at all: offline (updateState keeps that until a link).
      if (!this.stopped && this.core.neighbours().length === 0) {
        this.setState(this.core.members().length > 0 ? 'isolated' : 'offline', `signaling server unreachable: ${describe(error)}`);
      }
    }
  }

  private sendSignal(peer: NodeId, payload: SignalPayload): void {
    this.counters.serverSignalsOut++;
    if (!this.signaling.send(peer, payload)) this.count(this.counters.sendFailures, 'signal');
  }

  private reschedule(): void {
    if (this.stopped) return;
    const wakeMs = this.core.nextWakeMs();
    if (wakeMs >= this.timerAtMs && this.timer !== undefined) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAtMs = wakeMs;
    if (!Number.isFinite(wakeMs)) return;
    const delayMs = Math.min(MAX_TIMER_MS, Math.max(0, wakeMs - this.clock.now()));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = Infinity;
      if (!this.stopped) this.run(this.core.tick(this.clock.now()));
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

function isOpeningMove(payload: SignalPayload): boolean {
  if (payload.k === 'dial') return true;
  if (payload.k !== 'rtc' || typeof payload.s !== 'object' || payload.s === null) return false;
  return (payload.s as { type?: unknown }).type === 'offer';
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) return String((error as { code: unknown }).code);
  return error instanceof Error ? error.message : String(error);
}
