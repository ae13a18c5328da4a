/**
 * A tiny hand-driven network of membership cores for unit tests (not shipped): explicit time, real wire
 * encoding, FIFO delivery, directed drops, and paused nodes (a suspended machine or a frozen page).
 */
import type { Effect, MembershipEvent } from './effects';
import { Membership, type MembershipSnapshot } from './membership';
import type { MembershipOptions } from './options';
import { seededRng } from './random';
import { decodeMessage, encodeMessage, type MembershipMessage, type NodeId } from './wire';

export interface Logged {
  at: number;
  node: NodeId;
  effect: Effect;
}

/**
 * Delivers effects between Membership instances at an explicit time: `send` goes through the real wire
 * encoding, `connect` asks the target to accept and then calls linkUp on both sides, `disconnect` calls
 * linkDown on the far side. Everything is FIFO, so a `bye` is delivered before the close that follows it.
 */
export class Net {
  readonly nodes = new Map<NodeId, Membership>();
  readonly log: Logged[] = [];
  now = 0;
  /** Directed drops: `from>to`. */
  readonly blocked = new Set<string>();
  /** When false for a pair, connection attempts stay pending (as if the far side never answered). */
  canLink: (from: NodeId, to: NodeId) => boolean = () => true;
  /** Answers `introduce` effects (the signaling server); none by default. */
  introducer: ((node: NodeId) => NodeId[]) | undefined;
  /** Throttled nodes, with their period: their timers run only at multiples of it (a hidden tab's). */
  readonly throttled = new Map<NodeId, number>();
  /** Paused nodes: no timer runs and nothing is handled until `resume` (a suspended machine, a frozen page). */
  readonly paused = new Set<NodeId>();
  private readonly queue: Array<{ node: NodeId; effect: Effect }> = [];
  /** What arrived for each paused node, handled in order at `resume`. */
  private readonly backlog = new Map<NodeId, Array<() => void>>();

  add(id: NodeId, seed: number, options: Partial<MembershipOptions> = {}, snapshot?: MembershipSnapshot): Membership {
    const m = new Membership({ selfId: id, rng: seededRng(seed), options, snapshot });
    this.nodes.set(id, m);
    return m;
  }

  node(id: NodeId): Membership {
    const m = this.nodes.get(id);
    if (m === undefined) throw new Error(`no node ${id}`);
    return m;
  }

  start(id: NodeId, bootstrap: NodeId[] = []): void {
    this.run(id, this.node(id).start(this.now, bootstrap));
  }

  /** Feeds effects produced by `node` into the network and delivers everything that follows. */
  run(node: NodeId, effects: Effect[]): void {
    for (const effect of effects) this.queue.push({ node, effect });
    while (this.queue.length > 0) {
      const item = this.queue.shift() as { node: NodeId; effect: Effect };
      this.log.push({ at: this.now, node: item.node, effect: item.effect });
      this.deliver(item.node, item.effect);
    }
  }

  /** Pauses `id`: its timers stop and what arrives waits (the others see only silence). */
  pause(id: NodeId): void {
    this.paused.add(id);
  }

  /** Resumes `id` at the current time: what waited is handled first, in order; its overdue timers run late. */
  resume(id: NodeId): void {
    this.paused.delete(id);
    const waiting = this.backlog.get(id) ?? [];
    this.backlog.delete(id);
    for (const handle of waiting) handle();
    this.run(id, []);
  }

  private enqueue(node: NodeId, effects: Effect[]): void {
    for (const effect of effects) this.queue.push({ node, effect });
  }

  /** Runs `handle` at `node` now, or at its resume if it is paused. */
  private at(node: NodeId, handle: () => void): void {
    if (!this.paused.has(node)) return handle();
    const waiting = this.backlog.get(node) ?? [];
    waiting.push(handle);
    this.backlog.set(node, waiting);
  }

  private deliver(from: NodeId, effect: Effect): void {
    switch (effect.type) {
      case 'send': {
        const text = encodeMessage(effect.message);
        const limit = this.node(from).options.maxMessageBytes;
        if (new TextEncoder().encode(text).length > limit) throw new Error(`frame over ${limit} bytes from ${from}`);
        const decoded = decodeMessage(text);
        if (!decoded.ok || decoded.droppedEntries !== 0) throw new Error(`bad frame from ${from}: ${text.slice(0, 200)}`);
        const to = this.nodes.get(effect.to);
        if (to === undefined || this.blocked.has(`${from}>${effect.to}`)) return;
        this.at(effect.to, () => this.enqueue(effect.to, to.receive(this.now, from, decoded.message)));
        return;
      }
      case 'connect': {
        const to = this.nodes.get(effect.to);
        // A paused target does not answer either: the attempt stays pending until it times out.
        if (to === undefined || !this.canLink(from, effect.to) || this.paused.has(effect.to)) return;
        if (!to.acceptLink(this.now, from)) {
          this.enqueue(from, this.node(from).linkDown(this.now, effect.to));
          return;
        }
        this.enqueue(from, this.node(from).linkUp(this.now, effect.to));
        this.enqueue(effect.to, to.linkUp(this.now, from));
        return;
      }
      case 'disconnect': {
        const to = this.nodes.get(effect.to);
        if (to !== undefined) this.at(effect.to, () => this.enqueue(effect.to, to.linkDown(this.now, from)));
        return;
      }
      case 'introduce': {
        if (this.introducer !== undefined) this.enqueue(from, this.node(from).introduce(this.now, this.introducer(from)));
        return;
      }
      default:
        return;
    }
  }

  /** Runs every node's timers in time order up to and including `untilMs`. */
  advance(untilMs: number): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      let nextNode: NodeId | undefined;
      let nextAt = Infinity;
      for (const [id, m] of this.nodes) {
        if (this.paused.has(id)) continue;
        const period = this.throttled.get(id);
        const wake = m.nextWakeMs();
        const at = period === undefined ? wake : Math.ceil(Math.max(wake, this.now) / period) * period;
        if (at < nextAt) {
          nextAt = at;
          nextNode = id;
        }
      }
      if (nextNode === undefined || nextAt > untilMs) {
        this.now = Math.max(this.now, untilMs);
        return;
      }
      this.now = Math.max(this.now, nextAt);
      this.run(nextNode, this.node(nextNode).tick(this.now));
    }
    throw new Error('advance did not settle');
  }

  events(node: NodeId): Array<MembershipEvent & { at: number }> {
    const out: Array<MembershipEvent & { at: number }> = [];
    for (const item of this.log) {
      if (item.node === node && item.effect.type === 'event') out.push({ ...item.effect.event, at: item.at });
    }
    return out;
  }

  sends(from: NodeId, to?: NodeId, t?: MembershipMessage['t']): Array<{ at: number; message: MembershipMessage }> {
    const out: Array<{ at: number; message: MembershipMessage }> = [];
    for (const item of this.log) {
      const e = item.effect;
      if (item.node !== from || e.type !== 'send') continue;
      if ((to === undefined || e.to === to) && (t === undefined || e.message.t === t)) out.push({ at: item.at, message: e.message });
    }
    return out;
  }

  effectsOf(node: NodeId, type: Effect['type']): Logged[] {
    return this.log.filter((item) => item.node === node && item.effect.type === type);
  }

  /** A fully meshed group, started and settled. */
  static mesh(
    ids: NodeId[],
    options: Partial<MembershipOptions> = {},
    seed = 1,
    canLink?: (from: NodeId, to: NodeId) => boolean,
  ): Net {
    const net = new Net();
    if (canLink !== undefined) net.canLink = canLink;
    ids.forEach((id, i) => net.add(id, seed * 100 + i, options));
    ids.forEach((id, i) => net.start(id, ids.slice(0, i)));
    net.advance(1_000);
    return net;
  }
}
