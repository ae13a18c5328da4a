import type { Membership, MembershipEvent, MembershipOptions } from '../src/core';
import { seededRng, type Rng } from '../src/core/random';
import { encodedSize, type NodeId } from '../src/core/wire';
import { encodeFrame, type OutFrame } from '../src/mesh/frame-codec';
import { MeshMachine } from '../src/mesh/machine';
import type { MeshEffect } from '../src/mesh/mesh-effects';
import type { UnicastResult } from '../src/routing/router';
import type { RouterOptions } from '../src/routing/router-options';
import { encodedRouteSize } from '../src/routing/route-wire';
import { EventQueue } from './event-queue';
import { SimLinks } from './sim-links';
import { SimServer, type SimServerOptions } from './sim-server';

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

/** One simulated node: the real mesh machine (membership, routing, admission) plus its local clock offset. */
export interface SimNode {
  readonly id: NodeId;
  readonly index: number;
  readonly machine: MeshMachine;
  /** The machine's membership core (what most scenarios look at). */
  readonly core: Membership;
  /** Local clock = virtual time + offset: skewed clocks must not matter. */
  readonly clockOffsetMs: number;
  alive: boolean;
  /** Partition group; messages and new links only cross between equal groups. */
  group: number;
  bytesSent: number;
  messagesSent: number;
  wakeAtMs: number;
  /** True once `start` was called. */
  started: boolean;
  /** Check-ins with the server this node's machine asked for. */
  checkIns: number;
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
  /** Frames and entries the machines refused (in a fault-free run: a protocol bug). */
  decodeErrors: number;
  /** Bytes and frames sent per message type (membership types, `lsa` and `r:<kind>` for routing frames). */
  bytesByType: Record<string, number>;
  framesByType: Record<string, number>;
  /** Dials started: an initiator's offer, or a request that the other side make it. */
  connectAttempts: number;
  linksOpened: number;
  /** Signaling payloads sent through the server, and routed signaling frames sent through the mesh (per hop). */
  serverSignalMessages: number;
  meshSignalMessages: number;
}

/** Options of a cluster. */
export interface ClusterOptions {
  seed: number;
  membership?: Partial<MembershipOptions>;
  routing?: Partial<RouterOptions>;
  network?: Partial<NetworkModel>;
  /** Largest clock offset per node, ± (default 1 h). */
  maxClockSkewMs?: number;
  /**
   * `text` (default) sends every frame as encoded text through the machines' decoder, exercising the real wire
   * path; `size` counts each frame's exact encoded size and hands the object over (the benches' fast path).
   */
  wire?: 'text' | 'size';
  /** Called for every membership event of every node. */
  onEvent?: (node: SimNode, event: MembershipEvent, timeMs: number) => void;
  /**
   * Model the server's introducer pool and who holds a socket (`sim-server.ts`); without it, the server reaches
   * every started node and introduces meshed ones.
   */
  server?: SimServerOptions;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A 22-character ID like the real ones (128 bits of base64url), from the run's seeded randomness. */
export function simId(rng: Rng): NodeId {
  let id = '';
  for (let i = 0; i < 22; i++) id += ID_ALPHABET[Math.floor(rng.next() * 64)];
  return id;
}

/** Introductions the server hands out per request. */
const INTRODUCTIONS = 4;

/**
 * An in-process network of real mesh machines (`src/mesh/machine.ts`, the code every tab runs) over a virtual
 * clock, modelling what a browser can do: a node sends only over links it holds; a link needs its offer and answer
 * carried by a signaling path the machine chose (the server, or sealed routed frames hop by hop through the mesh)
 * plus set-up time; links are FIFO with random latency and loss; partitions and crashes are silent. Sealing is
 * modelled as free and trusted (no keys here). The same seed gives the same run.
 */
export class SimCluster {
  readonly queue = new EventQueue();
  readonly nodes: SimNode[] = [];
  readonly counters: ClusterCounters = {
    messagesSent: 0, messagesLost: 0, messagesDelivered: 0, bytesSent: 0, maxMessageBytes: 0, sendsWithoutLink: 0,
    decodeErrors: 0, bytesByType: {}, framesByType: {}, connectAttempts: 0, linksOpened: 0, serverSignalMessages: 0, meshSignalMessages: 0,
  };
  /** Set-up times (dial to open) of links dialled after the dialler's first, by signaling path, in opening order. */
  readonly setupMs: { mesh: number[]; server: number[] } = { mesh: [], server: [] };
  /** Links opened by how they were set up (the machines' own accounting, summed). */
  readonly linkKinds = { firstContact: 0, viaMesh: 0, viaServer: 0 };
  /** Outcomes of unicasts sent with `unicast`, by message ID. */
  readonly results = new Map<string, UnicastResult>();
  readonly network: NetworkModel;
  /** The pool model, when `options.server` asked for it. */
  readonly server: SimServer | undefined;
  private readonly rng: Rng;
  private readonly byId = new Map<NodeId, SimNode>();
  private readonly links: SimLinks;
  private sealSeq = 0;

  constructor(private readonly options: ClusterOptions) {
    this.rng = seededRng(options.seed);
    this.network = { ...DEFAULT_NETWORK, ...options.network };
    this.links = new SimLinks({
      queue: this.queue,
      rng: this.rng,
      network: this.network,
      node: (id) => this.byId.get(id),
      deliver: (from, to, frame) => this.deliver(from, to, frame),
      lost: () => void this.counters.messagesLost++,
      opened: (node, peer) => this.opened(node, peer),
      closed: (node, peer, code) => this.apply(node, node.machine.linkClosed(this.local(node), peer, code)),
      fed: (node, peer, data) => this.apply(node, node.machine.linkSignal(this.local(node), peer, data)),
      connectTimeoutMs: (node) => node.core.options.connectTimeoutMs,
    });
    this.server = options.server === undefined ? undefined : new SimServer(options.server, {
      queue: this.queue,
      rng: this.rng,
      latencyMs: this.network.serverLatencyMs,
      alive: (id) => this.byId.get(id)?.alive === true,
      answer: (id, peers) => {
        const node = this.byId.get(id);
        if (node?.alive) this.apply(node, node.machine.introduced(this.local(node), peers));
      },
      count: (frames) => void (this.counters.serverSignalMessages += frames),
    });
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
    const machine = new MeshMachine({
      selfId: id,
      rng: seededRng(Math.floor(this.rng.next() * 2 ** 32)),
      membership: { ...this.options.membership, ...membership },
      ...(this.options.routing !== undefined ? { routing: this.options.routing } : {}),
    });
    const node: SimNode = {
      id, index, machine, core: machine.core,
      clockOffsetMs: Math.round((this.rng.next() * 2 - 1) * skew),
      alive: true, group: 0, bytesSent: 0, messagesSent: 0, wakeAtMs: Infinity, started: false, checkIns: 0,
    };
    this.nodes.push(node);
    this.byId.set(id, node);
    return node;
  }

  /** The node with `id`. */
  node(id: NodeId): SimNode | undefined {
    return this.byId.get(id);
  }

  /** Starts `node` at the current virtual time, knowing `bootstrap` (the server's introductions). */
  start(node: SimNode, bootstrap: readonly NodeId[]): void {
    node.started = true;
    this.apply(node, node.machine.start(this.local(node), bootstrap));
  }

  /** Starts `node` the way a tab does: it joins the server (pool model) and dials its introductions. */
  join(node: SimNode): void {
    const server = this.server;
    if (server === undefined) throw new Error('join needs the server model (ClusterOptions.server)');
    this.start(node, server.request(node.id) ?? []);
  }

  /** Kills `node` silently: no goodbye, no link events; its links just stop answering. */
  crash(node: SimNode): void {
    node.alive = false;
    this.server?.drop(node.id);
  }

  /** Kills `node` the way a closed tab dies: its links close, and its neighbours see that at once. */
  closeAbruptly(node: SimNode): void {
    for (const peer of [...this.links.openOf(node.id)]) this.links.close(node, peer);
    node.alive = false;
    this.server?.drop(node.id);
  }

  /** `node` leaves on purpose (its goodbyes go out, its socket closes); it is gone a second later. */
  leave(node: SimNode): void {
    this.apply(node, node.machine.leave(this.local(node)));
    this.server?.drop(node.id);
    this.queue.at(this.nowMs + 1_000, () => {
      node.alive = false;
    });
  }

  /** Sends a unicast from `node` through the mesh; its outcome lands in `results` under the returned ID. */
  unicast(node: SimNode, to: NodeId, data: string): string {
    const { msgId, effects } = node.machine.send(this.local(node), to, data);
    this.apply(node, effects);
    return msgId;
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
    return this.links.openOf(id);
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

  /** Carries out a machine's effects, as a driver would; asynchronous work (crypto, server) is scheduled. */
  private apply(node: SimNode, effects: MeshEffect[]): void {
    if (!node.alive) return;
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.send(node, effect.to, effect.frame);
          break;
        case 'open-link':
          if (effect.initiator) this.counters.connectAttempts++;
          this.links.create(node, effect.to, effect.initiator);
          break;
        case 'close-link':
          this.links.close(node, effect.to);
          break;
        case 'feed-link':
          this.links.feed(node, effect.to, effect.data);
          break;
        case 'server-signal':
          this.serverSignal(node, effect.to, effect.payload);
          break;
        case 'seal-signal':
          if (effect.payload.k === 'dial') this.counters.connectAttempts++;
          this.seal(node, effect.to, effect.payload);
          break;
        case 'verify-signal':
          this.verify(node, effect.from, effect.body);
          break;
        case 'introduce':
          if (effect.reason === 'check-in') node.checkIns++;
          if (this.server !== undefined) this.server.introduce(node.id, effect.reason);
          else this.introduce(node);
          break;
        case 'membership':
          this.options.onEvent?.(node, effect.event, this.nowMs);
          break;
        case 'result':
          this.results.set(effect.msgId, effect.result);
          break;
        case 'drop':
          this.counters.decodeErrors += effect.reason.startsWith('frame:') || effect.reason.startsWith('message:') ? effect.count : 0;
          break;
        default:
          break; // deliveries, results, log lines, topology and gossip news are for a page
      }
    }
    this.scheduleWake(node);
  }

  private scheduleWake(node: SimNode): void {
    if (!node.alive) return;
    const wakeLocal = node.machine.nextWakeMs();
    // -Infinity means at once (as the driver reads it); Infinity, nothing scheduled.
    if (wakeLocal === Infinity || Number.isNaN(wakeLocal)) return;
    const wakeMs = Math.max(this.nowMs + 1, wakeLocal - node.clockOffsetMs);
    if (wakeMs >= node.wakeAtMs && node.wakeAtMs > this.nowMs) return;
    node.wakeAtMs = wakeMs;
    this.queue.at(wakeMs, () => {
      if (node.wakeAtMs !== wakeMs || !node.alive) return;
      node.wakeAtMs = Infinity;
      this.apply(node, node.machine.tick(this.local(node)));
    });
  }

  private send(from: SimNode, to: NodeId, frame: OutFrame): void {
    if (!this.links.openOf(from.id).has(to)) {
      this.counters.sendsWithoutLink++;
      return;
    }
    // The fast path counts a frame's exact size without (for adverts and membership) encoding it.
    const text = this.options.wire === 'size' ? null : encodeFrame(frame);
    const bytes = text !== null ? text.length : frame.kind === 'membership' ? encodedSize(frame.message) : encodedRouteSize(frame.message);
    const type = frame.kind === 'membership' ? frame.message.t : frame.message.t === 'lsa' ? 'lsa' : `r:${frame.message.frame.kind}`;
    if (type === 'r:sig') this.counters.meshSignalMessages++;
    from.bytesSent += bytes;
    from.messagesSent++;
    this.counters.messagesSent++;
    this.counters.bytesSent += bytes;
    this.counters.bytesByType[type] = (this.counters.bytesByType[type] ?? 0) + bytes;
    this.counters.framesByType[type] = (this.counters.framesByType[type] ?? 0) + 1;
    this.counters.maxMessageBytes = Math.max(this.counters.maxMessageBytes, bytes);
    this.links.transmit(from, to, text ?? frame);
  }

  private deliver(from: SimNode, to: SimNode, frame: OutFrame | string | Uint8Array): void {
    this.counters.messagesDelivered++;
    const nowMs = this.local(to);
    if (typeof frame === 'string' || frame instanceof Uint8Array) return this.apply(to, to.machine.receive(nowMs, from.id, frame));
    const decoded = frame.kind === 'membership'
      ? { kind: 'membership' as const, result: { ok: true as const, message: frame.message, droppedEntries: 0 } }
      : { kind: 'routing' as const, result: { ok: true as const, message: frame.message, dropped: 0 } };
    this.apply(to, to.machine.receiveDecoded(nowMs, from.id, decoded));
  }

  private opened(node: SimNode, peer: NodeId): void {
    const before = { ...node.machine.links.accounting.counts };
    this.apply(node, node.machine.linkOpened(this.local(node), peer));
    const after = node.machine.links.accounting.counts;
    this.linkKinds.firstContact += after.linksFirstContact - before.linksFirstContact;
    if (after.linksViaMesh > before.linksViaMesh) {
      this.linkKinds.viaMesh++;
      this.setupMs.mesh.push(node.machine.links.accounting.setupTimes().mesh.at(-1) ?? 0);
    }
    if (after.linksViaServer > before.linksViaServer) {
      this.linkKinds.viaServer++;
      this.setupMs.server.push(node.machine.links.accounting.setupTimes().server.at(-1) ?? 0);
    }
  }

  /** Through the server: up and down, to any started node (the model keeps every node reachable there). */
  private serverSignal(from: SimNode, to: NodeId, payload: unknown): void {
    this.counters.serverSignalMessages++;
    const target = this.byId.get(to);
    // With the pool model, both ends must hold a socket (a relayed signal to a member without one is refused).
    if (this.server !== undefined && !(this.server.holds(from.id) && this.server.holds(to))) return;
    this.queue.at(this.nowMs + 2 * this.network.serverLatencyMs, () => {
      if (target?.alive && target.started && from.alive) this.apply(target, target.machine.serverSignal(this.local(target), from.id, payload));
    });
  }

  /** Sealing is free here; the body is the payload with a fresh nonce (the machine refuses replays by it). */
  private seal(node: SimNode, to: NodeId, payload: unknown): void {
    const body = JSON.stringify({ n: `s${this.sealSeq++}`, p: payload });
    this.queue.at(this.nowMs, () => this.apply(node, node.machine.sealedSignal(this.local(node), to, body)));
  }

  private verify(node: SimNode, from: NodeId, body: string): void {
    const opened = JSON.parse(body) as { n: string; p: unknown };
    this.queue.at(this.nowMs, () => this.apply(node, node.machine.openedSignal(this.local(node), from, opened.n, opened.p)));
  }

  /**
   * The signaling server answers with a few random members it holds as introducers: live nodes that are in the
   * mesh (have a link). Only when there are none yet does it hand out any live node.
   */
  private introduce(node: SimNode): void {
    this.counters.serverSignalMessages += 2;
    this.queue.at(this.nowMs + 2 * this.network.serverLatencyMs, () => {
      if (!node.alive) return;
      const started = this.nodes.filter((other) => other.alive && other !== node && other.started && !other.machine.hasLeft);
      const meshed = started.filter((other) => this.linksOf(other.id).size > 0);
      const live = meshed.length > 0 ? meshed : started;
      const picks: NodeId[] = [];
      for (let i = 0; i < INTRODUCTIONS && live.length > 0; i++) {
        picks.push((live.splice(Math.floor(this.rng.next() * live.length), 1)[0] as SimNode).id);
      }
      this.apply(node, node.machine.introduced(this.local(node), picks));
    });
  }
}
