/**
 * Peers this node tried to link with and could not: the latest attempt (either direction) failed or timed out and
 * no link has opened since. Pages use it to say "could not connect to N peers" — the usual cause behind real NATs
 * is a missing TURN server, and without this the failure is only a counter. Bounded: the oldest failure is
 * forgotten first.
 */
import type { NodeId } from './wire';

/** Most peers remembered (a room's worth; older failures matter less than recent ones). */
export const MAX_FAILED_LINKS = 64;

/** The failed-link record of one node. */
export class FailedLinks {
  /** Peer → local time of its latest failed attempt (insertion order = age order). */
  private readonly failedAtMs = new Map<NodeId, number>();

  /** An attempt with `peer` failed at `nowMs`. */
  failed(peer: NodeId, nowMs: number): void {
    this.failedAtMs.delete(peer);
    this.failedAtMs.set(peer, nowMs);
    if (this.failedAtMs.size > MAX_FAILED_LINKS) {
      const oldest = this.failedAtMs.keys().next().value;
      if (oldest !== undefined) this.failedAtMs.delete(oldest);
    }
  }

  /** A link with `peer` opened: it is reachable after all. */
  opened(peer: NodeId): void {
    this.failedAtMs.delete(peer);
  }

  /** Peers whose latest attempt failed within `windowMs` before `nowMs`, except those `linked` says have a link. */
  recent(nowMs: number, windowMs: number, linked: (peer: NodeId) => boolean): NodeId[] {
    const out: NodeId[] = [];
    for (const [peer, atMs] of this.failedAtMs) if (nowMs - atMs <= windowMs && !linked(peer)) out.push(peer);
    return out.sort();
  }
}
