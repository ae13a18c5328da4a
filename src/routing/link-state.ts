/**
 * The link-state database: every member's latest neighbour list, as flooded by that member. From it the router
 * derives hop distances and next hops; the page draws it as the topology graph.
 *
 * Only edges that both ends advertise are used for routing: one member lying about links it lacks cannot pull
 * traffic towards itself through nodes that never linked with it.
 */
import type { NodeId } from '../core/wire';
import type { LinkAdvert } from './route-wire';

interface Stored {
  seq: number;
  neighbours: NodeId[];
  receivedAtMs: number;
}

/** Distances (in hops) from every reachable node to one target. */
export type DistanceMap = ReadonlyMap<NodeId, number>;

/** Largest number of cached distance maps (one per recent target). */
const DISTANCE_CACHE_SIZE = 32;

/** Adverts by origin, plus a cache of hop distances that is dropped whenever the graph changes. */
export class LinkStateDb {
  private readonly adverts = new Map<NodeId, Stored>();
  private readonly distanceCache = new Map<NodeId, DistanceMap>();
  private versionCounter = 0;

  constructor(
    private readonly selfId: NodeId,
    /** Largest number of origins held (bounds memory whatever peers send). */
    private readonly maxOrigins: number,
  ) {}

  /** Bumped on every change; lets observers (the page) know the graph moved. */
  get version(): number {
    return this.versionCounter;
  }

  /** Number of origins held. */
  get size(): number {
    return this.adverts.size;
  }

  /**
   * Stores `advert` if it is newer than what is held for its origin. Returns true when stored (so the caller
   * floods it on), false for an old or duplicate advert, or when the table is full of other origins.
   */
  apply(nowMs: number, advert: LinkAdvert): boolean {
    const held = this.adverts.get(advert.origin);
    if (held !== undefined && held.seq >= advert.seq) return false;
    if (held === undefined && this.adverts.size >= this.maxOrigins) return false;
    this.adverts.set(advert.origin, { seq: advert.seq, neighbours: advert.neighbours.slice(), receivedAtMs: nowMs });
    this.changed();
    return true;
  }

  /** The held advert of `origin`, if any. */
  get(origin: NodeId): LinkAdvert | undefined {
    const held = this.adverts.get(origin);
    return held === undefined ? undefined : { origin, seq: held.seq, neighbours: held.neighbours.slice() };
  }

  /** Every held advert (for a newcomer's first sync). */
  all(): LinkAdvert[] {
    return [...this.adverts].map(([origin, held]) => ({ origin, seq: held.seq, neighbours: held.neighbours.slice() }));
  }

  /** Forgets `origin` (it left or was removed from the membership). */
  forget(origin: NodeId): void {
    if (this.adverts.delete(origin)) this.changed();
  }

  /** Forgets adverts not renewed since `cutoffMs` (their origins stopped refreshing: gone, or cut off). */
  expire(cutoffMs: number): NodeId[] {
    const gone: NodeId[] = [];
    for (const [origin, held] of this.adverts) {
      if (origin !== this.selfId && held.receivedAtMs < cutoffMs) gone.push(origin);
    }
    for (const origin of gone) this.adverts.delete(origin);
    if (gone.length > 0) this.changed();
    return gone;
  }

  /** Neighbour lists by origin, as advertised (for drawing; includes one-sided claims). */
  topology(): Record<NodeId, NodeId[]> {
    const out: Record<NodeId, NodeId[]> = Object.create(null) as Record<NodeId, NodeId[]>;
    for (const [origin, held] of this.adverts) out[origin] = held.neighbours.slice();
    return out;
  }

  /** True when both `a` and `b` advertise the link between them. */
  hasEdge(a: NodeId, b: NodeId): boolean {
    return (this.adverts.get(a)?.neighbours.includes(b) ?? false) && (this.adverts.get(b)?.neighbours.includes(a) ?? false);
  }

  /** Hop distances to `target` over confirmed (two-sided) edges; breadth-first, cached until the graph changes. */
  distancesTo(target: NodeId): DistanceMap {
    const cached = this.distanceCache.get(target);
    if (cached !== undefined) return cached;
    const distances = new Map<NodeId, number>([[target, 0]]);
    let frontier: NodeId[] = [target];
    for (let hops = 1; frontier.length > 0; hops++) {
      const next: NodeId[] = [];
      for (const node of frontier) {
        for (const other of this.adverts.get(node)?.neighbours ?? []) {
          if (distances.has(other) || !this.hasEdge(node, other)) continue;
          distances.set(other, hops);
          next.push(other);
        }
      }
      frontier = next;
    }
    if (this.distanceCache.size >= DISTANCE_CACHE_SIZE) {
      const oldest = this.distanceCache.keys().next().value;
      if (oldest !== undefined) this.distanceCache.delete(oldest);
    }
    this.distanceCache.set(target, distances);
    return distances;
  }

  private changed(): void {
    this.versionCounter++;
    this.distanceCache.clear();
  }
}
