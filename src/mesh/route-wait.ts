/**
 * Dials that wait for a mesh route. Once a node has a link, its later connections are signaled through the mesh
 * (the server is for first contact only). In a burst of joins the member it wants to dial may have no link yet,
 * or its link-state advert may still be on its way: there is no route, and sending the offer through the server
 * instead would defeat the design. Such a dial waits here until a route appears (checked on every topology change
 * and at the deadline) and is given up after `waitMs`, which the core counts as a failed attempt (back-off, and
 * it dials someone else).
 */
import type { NodeId } from '../core/wire';

/** What the waiting list needs from the driver. */
export interface RouteWaitHost {
  now(): number;
  /**
   * True when the dial may start now: the mesh reaches `peer`, or the dial needs no mesh route (this node has no
   * link yet, so it is a first contact; a sibling tab over BroadcastChannel; a removed peer retried to heal a
   * partition, which no route can reach).
   */
  ready(peer: NodeId): boolean;
  /** Starts the dial (its signaling goes through the mesh). */
  dial(peer: NodeId, initiator: boolean): void;
  /** No route came in time: the attempt failed. */
  giveUp(peer: NodeId): void;
}

/**
 * How long a dial waits for a route. A newcomer's first link opens through the server in about a second on
 * loopback, and its advert then floods in 250 ms plus 50 ms per hop: 5 s leaves room for a loaded machine while
 * staying well inside the core's 15 s connection time-out.
 */
export const ROUTE_WAIT_MS = 5_000;

/** The dials waiting for a route, by peer. */
export class RouteWait {
  private readonly waiting = new Map<NodeId, { initiator: boolean; deadlineMs: number }>();
  /** Dials that had to wait, and those given up for want of a route. */
  readonly counters = { dialsWaitedForRoute: 0, dialsNoRoute: 0 };

  constructor(
    private readonly host: RouteWaitHost,
    private readonly waitMs: number = ROUTE_WAIT_MS,
  ) {}

  /** Dials `peer` now if it is ready, else waits for a route. */
  dialOrWait(peer: NodeId, initiator: boolean): void {
    if (this.host.ready(peer)) {
      this.host.dial(peer, initiator);
      return;
    }
    if (this.waiting.has(peer)) return;
    this.counters.dialsWaitedForRoute++;
    this.waiting.set(peer, { initiator, deadlineMs: this.host.now() + this.waitMs });
  }

  /** The attempt ended some other way (the core gave up, or the peer's own dial opened a link). */
  cancel(peer: NodeId): void {
    this.waiting.delete(peer);
  }

  /** Dials every waiting peer the mesh reaches now; gives up on those whose wait is over. */
  check(): void {
    const nowMs = this.host.now();
    for (const [peer, wait] of [...this.waiting]) {
      if (this.host.ready(peer)) {
        this.waiting.delete(peer);
        this.host.dial(peer, wait.initiator);
      } else if (nowMs >= wait.deadlineMs) {
        this.waiting.delete(peer);
        this.counters.dialsNoRoute++;
        this.host.giveUp(peer);
      }
    }
  }

  /** Earliest deadline (Infinity when nothing waits). */
  nextWakeMs(): number {
    let wake = Infinity;
    for (const wait of this.waiting.values()) wake = Math.min(wake, wait.deadlineMs);
    return wake;
  }

  /** Forgets everything (the node stops). */
  clear(): void {
    this.waiting.clear();
  }
}
