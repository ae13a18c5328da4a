import type { NodeId } from './wire';

/** Two priorities of news: membership changes go before heartbeats. */
export type NewsKind = 'change' | 'heartbeat';

/**
 * Recent changes waiting to ride on pushes and pulls, each passed on a bounded number of times (like
 * memberlist's transmit-limited queue). Entries are IDs only: the current record is read when a message is
 * built, so a newer counter simply replaces an older one in place.
 */
export class NewsQueue {
  private readonly changes = new Map<NodeId, number>();
  private readonly heartbeats = new Map<NodeId, number>();

  constructor(
    private readonly changeTransmits: number,
    private readonly heartbeatTransmits: number,
  ) {}

  /** Number of items waiting. */
  get size(): number {
    return this.changes.size + this.heartbeats.size;
  }

  /** Queues `id` (again) with a fresh transmit budget. A change outranks a pending heartbeat of the same ID. */
  add(id: NodeId, kind: NewsKind): void {
    if (kind === 'change') {
      this.heartbeats.delete(id);
      this.changes.delete(id); // re-insert at the end so that fresh news is not starved by old news
      this.changes.set(id, 0);
    } else if (!this.changes.has(id)) {
      this.heartbeats.delete(id);
      this.heartbeats.set(id, 0);
    }
  }

  /**
   * Takes up to `max` IDs, changes first, counting one transmission for each; IDs for which `skip` is true are
   * left untouched (e.g. what the peer just told us). Items that reached their budget leave the queue.
   */
  take(max: number, skip: (id: NodeId) => boolean): NodeId[] {
    const taken: NodeId[] = [];
    this.takeFrom(this.changes, this.changeTransmits, max, skip, taken, false);
    // Heartbeats newest first: when there is more news than room, a fresh counter is worth more than an old one
    // (an old one is superseded soon anyway), and serving old ones first would make every heartbeat late.
    this.takeFrom(this.heartbeats, this.heartbeatTransmits, max, skip, taken, true);
    return taken;
  }

  private takeFrom(
    queue: Map<NodeId, number>,
    budget: number,
    max: number,
    skip: (id: NodeId) => boolean,
    taken: NodeId[],
    newestFirst: boolean,
  ): void {
    if (taken.length >= max) return;
    const ids = newestFirst ? [...queue.keys()].reverse() : queue.keys();
    for (const id of ids) {
      const sent = queue.get(id);
      if (sent === undefined) continue;
      if (taken.length >= max) return;
      if (skip(id)) continue;
      taken.push(id);
      if (sent + 1 >= budget) queue.delete(id);
      else queue.set(id, sent + 1);
    }
  }

  /** Forgets `id` (e.g. the record was removed). */
  drop(id: NodeId): void {
    this.changes.delete(id);
    this.heartbeats.delete(id);
  }
}
