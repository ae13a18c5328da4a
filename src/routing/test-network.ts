/**
 * An in-process network of routers for tests: links are explicit, frames go through the real codec (encode, then
 * decode as untrusted text), time only moves when the test says so.
 */
import { seededRng } from '../core/random';
import type { NodeId } from '../core/wire';
import { Router, type RoutedDelivery, type RoutedProgress, type RouteLogEntry, type RouterEffect, type UnicastResult } from './router';
import type { RouterOptions } from './router-options';
import { decodeRouteMessage, encodeRouteMessage, type RouteMessage } from './route-wire';

/** Everything one test network records. */
export class TestNetwork {
  readonly routers = new Map<NodeId, Router>();
  readonly deliveries = new Map<NodeId, RoutedDelivery[]>();
  /** Progress reports of messages of several pieces, by the node they arrived at. */
  readonly progress: { at: NodeId; progress: RoutedProgress }[] = [];
  readonly results = new Map<string, UnicastResult>();
  readonly drops: { at: NodeId; reason: string }[] = [];
  readonly signals: { at: NodeId; from: NodeId; body: string; trace: NodeId[] }[] = [];
  readonly log: { at: NodeId; entry: RouteLogEntry }[] = [];
  /** Frames sent over links (every kind). */
  framesSent = 0;
  /** Of those, routed frames (unicast, ack, fail, broadcast, signal): link-state adverts not counted. */
  routedFramesSent = 0;
  nowMs = 1_000_000;
  private readonly linked = new Set<string>();
  private readonly queue: { from: NodeId; to: NodeId; text: string | Uint8Array | RouteMessage }[] = [];
  /** Index of the next frame to deliver (a head index: shifting a long array is quadratic). */
  private head = 0;

  /**
   * `codec` false passes frames as objects instead of text: the same router logic, minus JSON, for benches with
   * thousands of routers.
   */
  constructor(ids: readonly NodeId[], options: Partial<RouterOptions> = {}, seed = 1, private readonly codec = true) {
    ids.forEach((id, index) => {
      this.routers.set(id, new Router(id, seededRng(seed * 1000 + index), options));
      this.deliveries.set(id, []);
    });
  }

  router(id: NodeId): Router {
    const router = this.routers.get(id);
    if (router === undefined) throw new Error(`no router ${id}`);
    return router;
  }

  /** Opens a link (both ends learn it) and runs the network until quiet. */
  link(a: NodeId, b: NodeId): void {
    this.linked.add(key(a, b));
    this.apply(a, this.router(a).linkUp(this.nowMs, b));
    this.apply(b, this.router(b).linkUp(this.nowMs, a));
    this.run();
  }

  /** Closes a link; frames in flight on it are lost. */
  unlink(a: NodeId, b: NodeId): void {
    this.linked.delete(key(a, b));
    this.apply(a, this.router(a).linkDown(this.nowMs, b));
    this.apply(b, this.router(b).linkDown(this.nowMs, a));
    this.run();
  }

  /** Opens many links at once (both ends learn them) and then runs the network: cheaper than `link` one by one. */
  linkAll(pairs: readonly (readonly [NodeId, NodeId])[]): void {
    for (const [a, b] of pairs) {
      this.linked.add(key(a, b));
      this.apply(a, this.router(a).linkUp(this.nowMs, b));
      this.apply(b, this.router(b).linkUp(this.nowMs, a));
    }
    this.run();
  }

  /** Links a chain a-b-c-… */
  chain(ids: readonly NodeId[]): void {
    for (let i = 1; i < ids.length; i++) this.link(ids[i - 1] as NodeId, ids[i] as NodeId);
  }

  /** Feeds effects of node `at` into the network. */
  apply(at: NodeId, effects: RouterEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          if (this.linked.has(key(at, effect.to))) {
            this.framesSent++;
            if (effect.message.t === 'r') this.routedFramesSent++;
            this.queue.push({ from: at, to: effect.to, text: this.codec ? encodeRouteMessage(effect.message) : effect.message });
          }
          break;
        case 'deliver':
          this.deliveries.get(at)?.push(effect.delivery);
          break;
        case 'progress':
          this.progress.push({ at, progress: effect.progress });
          break;
        case 'result':
          this.results.set(effect.msgId, effect.result);
          break;
        case 'drop':
          this.drops.push({ at, reason: effect.reason });
          break;
        case 'signal':
          this.signals.push({ at, from: effect.from, body: effect.body, trace: effect.trace });
          break;
        case 'log':
          this.log.push({ at, entry: effect.entry });
          break;
        case 'topology':
          break;
      }
    }
  }

  /** Injects raw text as if `from` had sent it to `to` over their link. */
  inject(from: NodeId, to: NodeId, text: string | Uint8Array): void {
    this.queue.push({ from, to, text });
    this.run();
  }

  /** Delivers queued frames until none are left. */
  run(): void {
    for (let steps = 0; this.head < this.queue.length; steps++) {
      if (steps > 50_000_000) throw new Error('network did not go quiet');
      const frame = this.queue[this.head++];
      if (frame === undefined) break;
      const decoded = typeof frame.text === 'string' || frame.text instanceof Uint8Array ? decodeRouteMessage(frame.text) : { ok: true as const, message: frame.text };
      if (!decoded.ok) {
        this.drops.push({ at: frame.to, reason: `decode:${decoded.error}` });
        continue;
      }
      this.apply(frame.to, this.router(frame.to).receive(this.nowMs, frame.from, decoded.message));
    }
    this.queue.length = 0;
    this.head = 0;
  }

  /** Moves time forward in steps, ticking every router, and runs the network. */
  advance(ms: number, stepMs = 100): void {
    const end = this.nowMs + ms;
    while (this.nowMs < end) {
      this.nowMs = Math.min(end, this.nowMs + stepMs);
      for (const [id, router] of this.routers) this.apply(id, router.tick(this.nowMs));
      this.run();
    }
  }

  /** Sends a unicast from `from`; returns its message ID. */
  send(from: NodeId, to: NodeId, data: string | Uint8Array): string {
    const { msgId, effects } = this.router(from).send(this.nowMs, to, data);
    this.apply(from, effects);
    this.run();
    return msgId;
  }

  /** True when `a` and `b` are linked. */
  isLinked(a: NodeId, b: NodeId): boolean {
    return this.linked.has(key(a, b));
  }
}

function key(a: NodeId, b: NodeId): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
