/**
 * The bounded memories a router keeps about traffic that crossed it: keys already seen (duplicate suppression),
 * the link each origin's frames last came by (reverse paths), and fixed-window counts of relayed signaling per
 * origin and per target. Each is capped, so no peer can grow them without bound; time comes in as arguments.
 */
import type { NodeId } from '../core/wire';

/** Keys with an expiry, oldest first; the oldest goes when over capacity. */
export class SeenKeys {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity: number,
  ) {}

  has(key: string): boolean {
    return this.expiries.has(key);
  }

  /** Remembers `key` until `nowMs + ttlMs`. */
  add(nowMs: number, key: string): void {
    this.expiries.delete(key);
    this.expiries.set(key, nowMs + this.ttlMs);
    if (this.expiries.size > this.capacity) {
      const oldest = this.expiries.keys().next().value;
      if (oldest !== undefined) this.expiries.delete(oldest);
    }
  }

  /** Forgets expired keys. */
  expire(nowMs: number): void {
    for (const [key, expiresMs] of this.expiries) {
      if (expiresMs > nowMs) break; // insertion order is expiry order (the TTL is fixed)
      this.expiries.delete(key);
    }
  }
}

/**
 * The link over which frames from an origin last arrived. Answers a node that is not yet in the link-state
 * database (a newcomer whose advert is still on its way) by the way it came.
 */
export class ReversePaths {
  private readonly paths = new Map<NodeId, { via: NodeId; untilMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity: number,
  ) {}

  learn(nowMs: number, origin: NodeId, via: NodeId): void {
    this.paths.delete(origin);
    this.paths.set(origin, { via, untilMs: nowMs + this.ttlMs });
    if (this.paths.size > this.capacity) {
      const oldest = this.paths.keys().next().value;
      if (oldest !== undefined) this.paths.delete(oldest);
    }
  }

  /** The neighbour frames from `origin` last came by, if that is recent. */
  via(nowMs: number, origin: NodeId): NodeId | undefined {
    const path = this.paths.get(origin);
    return path !== undefined && path.untilMs > nowMs ? path.via : undefined;
  }
}

/** Fixed-window counters: a relay passes on, and a target accepts, a bounded number of signals per origin/target. */
export class SignalAdmission {
  private readonly counts = new Map<string, number>();
  private windowStartMs = -Infinity;

  constructor(private readonly limits: { windowMs: number; perOrigin: number; perTarget: number }) {}

  /** Counts one signal from `origin` to `target`; false (not counted) when either is over its limit. */
  admit(nowMs: number, origin: NodeId, target: NodeId | null): boolean {
    if (nowMs - this.windowStartMs >= this.limits.windowMs) {
      this.counts.clear();
      this.windowStartMs = nowMs;
    }
    const byOrigin = `o|${origin}`;
    const byTarget = `t|${target ?? ''}`;
    const fromOrigin = this.counts.get(byOrigin) ?? 0;
    const toTarget = this.counts.get(byTarget) ?? 0;
    if (fromOrigin >= this.limits.perOrigin || toTarget >= this.limits.perTarget) return false;
    this.counts.set(byOrigin, fromOrigin + 1);
    this.counts.set(byTarget, toTarget + 1);
    return true;
  }
}
