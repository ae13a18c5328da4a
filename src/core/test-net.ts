/**
 * A tiny hand-driven network of membership cores for tests: every effect is delivered at an explicit time through
 * the real wire encoding. Shared by the core's test files.
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
  private readonly queue: Array<{ node: NodeId; effect: Effect }> = [];

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

  private enqueue(node: NodeId, effects: Effect[]): void {
    for (const effect of effects) this.queue.push({ node, effect });
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
        this.enqueue(effect.to, to.receive(this.now, from, decoded.message));
        return;
      }
      case 'connect': {
        const to = this.nodes.get(effect.to);
        if (to === undefined || !this.canLink(from, effect.to)) return; // stays pending until it times out
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
        if (to !== undefined) this.enqueue(effect.to, to.linkDown(this.now, from));
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
        const at = m.nextWakeMs();
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
