import { Membership, type Effect, type MembershipEvent, type MembershipOptions } from '../src/core';
import { seededRng, type Rng } from '../src/core/random';
import { decodeMessage, encodeMessage, encodedSize, type MembershipMessage, type NodeId } from '../src/core/wire';
import { EventQueue } from './event-queue';

/** Network model of a simulation run. */
export interface NetworkModel {
  /** Fixed part of one-way latency. */
  baseLatencyMs: number;
  /** Mean of the exponential part of one-way latency. */
  jitterLatencyMs: number;
  /** Probability that one message is lost. */
  lossRate: number;
  /** Extra time WebRTC needs after signaling (ICE, DTLS, SCTP). */
  linkSetupMs: number;
  /** One-way latency to the signaling server. */
  serverLatencyMs: number;
}

/** Defaults: a loopback-ish LAN with 20–80 ms one-way latency and no loss. */
export const DEFAULT_NETWORK: NetworkModel = {
  baseLatencyMs: 20,
  jitterLatencyMs: 30,
  lossRate: 0,
  linkSetupMs: 150,
  serverLatencyMs: 20,
};

/** One simulated node: the real membership core plus its local clock offset. */
export interface SimNode {
  readonly id: NodeId;
  readonly index: number;
  readonly core: Membership;
  /** Local clock = virtual time + offset: skewed clocks must not matter. */
  readonly clockOffsetMs: number;
  alive: boolean;
  /** Partition group; messages and new links only cross between equal groups. */
  group: number;
  bytesSent: number;
  messagesSent: number;
  wakeAtMs: number;
}

/** Counters of the whole run. */
export interface ClusterCounters {
  messagesSent: number;
  messagesLost: number;
  messagesDelivered: number;
  bytesSent: number;
  maxMessageBytes: number;
  /** Sends over a link the sender did not have: must stay 0 (the browser cannot do that). */
  sendsWithoutLink: number;
  decodeErrors: number;
  /** Bytes sent per message type. */
  bytesByType: Record<string, number>;
  connectAttempts: number;
  linksOpened: number;
  /** Connections whose signaling went through the server (no mesh path) and through the mesh. */
  serverSignaled: number;
  meshSignaled: number;
  /** Signaling messages (offer/answer/candidates, hop by hop) counted per path. */
  serverSignalMessages: number;
  meshSignalMessages: number;
  /** Connection attempts by a node with no link (first contact: only the server can signal them). */
  firstContacts: number;
  /** Links that opened after a server-signaled set-up although the dialling node had a link (no mesh path). */
  linksOpenedViaServerLater: number;
}

/** Options of a cluster. */
export interface ClusterOptions {
  seed: number;
  membership?: Partial<MembershipOptions>;
  network?: Partial<NetworkModel>;
  /** Largest clock offset per node, ± (default 1 h). */
  maxClockSkewMs?: number;
  /**
   * `text` (default) sends every message through `encodeMessage`/`decodeMessage`, exercising the real wire path;
   * `size` counts the exact encoded size arithmetically and hands the object over (the benches' fast path).
   */
  wire?: 'text' | 'size';
  /** Called for every membership event of every node. */
  onEvent?: (node: SimNode, event: MembershipEvent, timeMs: number) => void;
}

/** ICE consent freshness (RFC 7675): a silent path is declared failed after 30 s. */
const CONSENT_EXPIRY_MS = 30_000;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A 22-character ID like the real ones (128 bits of base64url), from the run's seeded randomness. */
export function simId(rng: Rng): NodeId {
  let id = '';
  for (let i = 0; i < 22; i++) id += ID_ALPHABET[Math.floor(rng.next() * 64)];
  return id;
}

/**
 * An in-process network of real `Membership` cores over a virtual clock, modelling what a browser can do: a node
 * sends only over links it holds; a new link costs a signaling round trip (through the mesh when a path exists,
 * else through the server) plus set-up time; links are FIFO with random latency and loss; partitions and crashes
 * are silent. The same seed gives the same run.
 */
export class SimCluster {
  readonly queue = new EventQueue();
  readonly nodes: SimNode[] = [];
  readonly counters: ClusterCounters = {
    messagesSent: 0, messagesLost: 0, messagesDelivered: 0, bytesSent: 0, maxMessageBytes: 0, sendsWithoutLink: 0,
    decodeErrors: 0, bytesByType: {}, connectAttempts: 0, linksOpened: 0, serverSignaled: 0, meshSignaled: 0,
    serverSignalMessages: 0, meshSignalMessages: 0, firstContacts: 0, linksOpenedViaServerLater: 0,
  };
  /** Set-up times (signaling through the mesh plus link set-up) of mesh-signaled connections that opened. */
  readonly meshConnectMs: number[] = [];
  readonly network: NetworkModel;
  private readonly rng: Rng;
  private readonly byId = new Map<NodeId, SimNode>();
  /** Links each node holds (directed: after a close, the far side holds its half until it notices). */
  private readonly adjacency = new Map<NodeId, Set<NodeId>>();
  /** Last scheduled delivery per directed link, to keep each link FIFO like an ordered data channel. */
  private readonly lastDelivery = new Map<string, number>();
  private readonly pendingLinks = new Set<string>();
  /** Bumped each time a pair's link opens, so a late close notice never tears down a newer link. */
  private readonly linkEpoch = new Map<string, number>();

  constructor(private readonly options: ClusterOptions) {
    this.rng = seededRng(options.seed);
    this.network = { ...DEFAULT_NETWORK, ...options.network };
  }

  /** Virtual time now. */
  get nowMs(): number {
    return this.queue.nowMs;
  }

  /** Creates a node (not started). */
  addNode(membership?: Partial<MembershipOptions>): SimNode {
    const index = this.nodes.length;
    const id = simId(this.rng);
    const skew = this.options.maxClockSkewMs ?? 3_600_000;
    const node: SimNode = {
      id,
      index,
      core: new Membership({
        selfId: id,
        rng: seededRng(Math.floor(this.rng.next() * 2 ** 32)),
        options: { ...this.options.membership, ...membership },
      }),
      clockOffsetMs: Math.round((this.rng.next() * 2 - 1) * skew),
      alive: true,
      group: 0,
      bytesSent: 0,
      messagesSent: 0,
      wakeAtMs: Infinity,
    };
    this.nodes.push(node);
    this.byId.set(id, node);
    this.adjacency.set(id, new Set());
    return node;
  }

  /** The node with `id`. */
  node(id: NodeId): SimNode | undefined {
    return this.byId.get(id);
  }

  /** Starts `node` at the current virtual time, knowing `bootstrap`. */
  start(node: SimNode, bootstrap: readonly NodeId[]): void {
    this.apply(node, node.core.start(this.local(node), bootstrap));
  }

  /** Kills `node` silently: no goodbye, no link events; its links just stop answering. */
  crash(node: SimNode): void {
    node.alive = false;
  }

  /** Puts nodes into partition groups; messages between different groups are dropped. */
  setGroups(group: (node: SimNode) => number): void {
    for (const node of this.nodes) node.group = group(node);
  }

  /** Runs the simulation for `durationMs` of virtual time. */
  runFor(durationMs: number): void {
    this.queue.runUntil(this.nowMs + durationMs);
  }

  /** Runs in steps of `stepMs` until `done()` or `maxMs` passed; returns the virtual time it took or null. */
  runUntil(done: () => boolean, maxMs: number, stepMs = 1_000): number | null {
    const startMs = this.nowMs;
    while (this.nowMs - startMs < maxMs) {
      if (done()) return this.nowMs - startMs;
      this.runFor(stepMs);
    }
    return done() ? this.nowMs - startMs : null;
  }

  /** Live nodes. */
  liveNodes(): SimNode[] {
    return this.nodes.filter((node) => node.alive);
  }

  /** Open links of `id` (as the simulator's wiring sees them). */
  linksOf(id: NodeId): ReadonlySet<NodeId> {
    return this.adjacency.get(id) ?? new Set();
  }

  /** Connected components among live nodes over open links. */
  liveComponents(): number {
    const seen = new Set<NodeId>();
    let components = 0;
    for (const node of this.liveNodes()) {
      if (seen.has(node.id)) continue;
      components++;
      const stack = [node.id];
      seen.add(node.id);
      while (stack.length > 0) {
        for (const next of this.linksOf(stack.pop() as NodeId)) {
          if (!seen.has(next) && this.byId.get(next)?.alive) {
            seen.add(next);
            stack.push(next);
          }
        }
      }
    }
    return components;
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private local(node: SimNode): number {
    return this.nowMs + node.clockOffsetMs;
  }

  private latency(): number {
    return this.network.baseLatencyMs - Math.log(1 - this.rng.next()) * this.network.jitterLatencyMs;
  }

  private apply(node: SimNode, effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.send(node, effect.to, effect.message);
          break;
        case 'connect':
          this.connect(node, effect.to);
          break;
        case 'disconnect':
          this.disconnect(node, effect.to);
          break;
        case 'introduce':
          this.introduce(node);
          break;
        case 'event':
          this.options.onEvent?.(node, effect.event, this.nowMs);
          break;
      }
    }
    this.scheduleWake(node);
  }

  private scheduleWake(node: SimNode): void {
    if (!node.alive) return;
    const wakeLocal = node.core.nextWakeMs();
    if (!Number.isFinite(wakeLocal)) return;
    const wakeMs = Math.max(this.nowMs + 1, wakeLocal - node.clockOffsetMs);
    if (wakeMs >= node.wakeAtMs && node.wakeAtMs > this.nowMs) return;
    node.wakeAtMs = wakeMs;
    this.queue.at(wakeMs, () => {
      if (node.wakeAtMs !== wakeMs || !node.alive) return;
      node.wakeAtMs = Infinity;
      this.apply(node, node.core.tick(this.local(node)));
    });
  }

  private send(from: SimNode, to: NodeId, message: MembershipMessage): void {
    if (!this.linksOf(from.id).has(to)) {
      this.counters.sendsWithoutLink++;
      return;
    }
    const frame = this.options.wire === 'size' ? null : encodeMessage(message);
    const bytes = frame === null ? encodedSize(message) : frame.length;
    from.bytesSent += bytes;
    from.messagesSent++;
    this.counters.messagesSent++;
    this.counters.bytesSent += bytes;
    this.counters.bytesByType[message.t] = (this.counters.bytesByType[message.t] ?? 0) + bytes;
    this.counters.maxMessageBytes = Math.max(this.counters.maxMessageBytes, bytes);
    const target = this.byId.get(to);
    if (target === undefined || this.rng.next() < this.network.lossRate) {
      this.counters.messagesLost++;
      return;
    }
    const key = `${from.id}>${to}`;
    const atMs = Math.max(this.nowMs + this.latency(), this.lastDelivery.get(key) ?? 0);
    this.lastDelivery.set(key, atMs);
    this.queue.at(atMs, () => {
      // A crashed node, a partition or a closed link swallow the message silently.
      if (!target.alive || !from.alive || target.group !== from.group || !this.linksOf(to).has(from.id)) {
        this.counters.messagesLost++;
        return;
      }
      let delivered = message;
      if (frame !== null) {
        const decoded = decodeMessage(frame);
        if (!decoded.ok) {
          this.counters.decodeErrors++;
          return;
        }
        delivered = decoded.message;
      }
      this.counters.messagesDelivered++;
      this.apply(target, target.core.receive(this.local(target), from.id, delivered));
    });
  }

  /** Hop distance from `from` to `to` over open links of live nodes in one group, or null. */
  private meshDistance(from: SimNode, to: SimNode): number | null {
    let frontier = [from.id];
    const seen = new Set(frontier);
    for (let hops = 1; frontier.length > 0 && hops <= 64; hops++) {
      const next: NodeId[] = [];
      for (const id of frontier) {
        for (const peer of this.linksOf(id)) {
          if (peer === to.id) return hops;
          const node = this.byId.get(peer);
          if (seen.has(peer) || node === undefined || !node.alive || node.group !== from.group) continue;
          seen.add(peer);
          next.push(peer);
        }
      }
      frontier = next;
    }
    return null;
  }

  private connect(from: SimNode, to: NodeId): void {
    const target = this.byId.get(to);
    const key = from.id < to ? `${from.id}|${to}` : `${to}|${from.id}`;
    if (target === undefined || this.pendingLinks.has(key) || this.linksOf(from.id).has(to)) return;
    this.counters.connectAttempts++;
    const firstContact = this.linksOf(from.id).size === 0;
    if (firstContact) this.counters.firstContacts++;
    // Offer, answer and a trickled candidate each way travel the signaling path.
    const signalMessages = 4;
    const hops = this.linksOf(from.id).size > 0 && target.alive ? this.meshDistance(from, target) : null;
    let signalingMs: number;
    if (hops !== null) {
      this.counters.meshSignaled++;
      this.counters.meshSignalMessages += signalMessages * hops;
      signalingMs = 2 * hops * (this.network.baseLatencyMs + this.network.jitterLatencyMs);
    } else {
      this.counters.serverSignaled++;
      this.counters.serverSignalMessages += signalMessages;
      signalingMs = 4 * this.network.serverLatencyMs;
    }
    this.pendingLinks.add(key);
    this.queue.at(this.nowMs + signalingMs + this.network.linkSetupMs, () => {
      if (!this.pendingLinks.delete(key)) return; // abandoned meanwhile
      // Without a working path (dead peer, partition) ICE never completes; the core's own time-out handles it.
      if (!from.alive || !target.alive || from.group !== target.group) return;
      if (!target.core.acceptLink(this.local(target), from.id)) {
        this.apply(from, from.core.linkDown(this.local(from), to));
        return;
      }
      this.adjacency.get(from.id)?.add(to);
      this.adjacency.get(to)?.add(from.id);
      this.counters.linksOpened++;
      if (hops !== null) this.meshConnectMs.push(signalingMs + this.network.linkSetupMs);
      else if (!firstContact) this.counters.linksOpenedViaServerLater++;
      this.linkEpoch.set(key, (this.linkEpoch.get(key) ?? 0) + 1);
      this.apply(from, from.core.linkUp(this.local(from), to));
      this.apply(target, target.core.linkUp(this.local(target), from.id));
    });
  }

  /**
   * The signaling server answers with a few random members it holds as introducers: live nodes that are in the
   * mesh (have a link). Only when there are none yet does it hand out any live node.
   */
  private introduce(node: SimNode): void {
    this.counters.serverSignalMessages += 2;
    this.queue.at(this.nowMs + 2 * this.network.serverLatencyMs, () => {
      if (!node.alive) return;
      const started = this.nodes.filter((other) => other.alive && other !== node && other.core.nextWakeMs() < Infinity);
      const meshed = started.filter((other) => this.linksOf(other.id).size > 0);
      const live = meshed.length > 0 ? meshed : started;
      const picks: NodeId[] = [];
      for (let i = 0; i < 4 && live.length > 0; i++) {
        picks.push((live.splice(Math.floor(this.rng.next() * live.length), 1)[0] as SimNode).id);
      }
      this.apply(node, node.core.introduce(this.local(node), picks));
    });
  }

  private disconnect(from: SimNode, to: NodeId): void {
    const key = from.id < to ? `${from.id}|${to}` : `${to}|${from.id}`;
    this.pendingLinks.delete(key);
    const wasOpen = this.linksOf(from.id).has(to);
    this.adjacency.get(from.id)?.delete(to);
    const target = this.byId.get(to);
    if (!wasOpen || target === undefined) return;
    // The far side keeps its half of the link until it sees the close: after one latency, or when ICE consent
    // expires (30 s) if a partition swallows the close.
    const sameGroup = target.group === from.group;
    const epoch = this.linkEpoch.get(key);
    // The close travels behind the messages already in flight on the link, like an SCTP shutdown.
    const inFlightMs = this.lastDelivery.get(`${from.id}>${to}`) ?? 0;
    const closeAtMs = sameGroup ? Math.max(this.nowMs + this.latency(), inFlightMs) : this.nowMs + CONSENT_EXPIRY_MS;
    this.queue.at(closeAtMs, () => {
      if (this.linkEpoch.get(key) !== epoch || !this.adjacency.get(to)?.delete(from.id)) return;
      if (target.alive) this.apply(target, target.core.linkDown(this.local(target), from.id));
    });
  }
}
