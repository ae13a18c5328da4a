import type { MembershipOptions } from './options';
import type { NodeId } from './wire';

/** One link of this node: being set up, or open (a data channel that can carry messages). */
export interface LinkInfo {
  readonly peer: NodeId;
  state: 'connecting' | 'open';
  /** Local time the link was requested (connecting) or opened (open). */
  sinceMs: number;
  /** Set when the other side announced a deliberate close, so that the close raises no suspicion. */
  expectClose: boolean;
}

interface Backoff {
  failures: number;
  retryAtMs: number;
}

/**
 * The bounded set of neighbours: which links exist, which are being set up, and the back-off for peers whose
 * connection attempts failed. Pure bookkeeping: `LinkLifecycle` is its only writer, the other parts of the core
 * read it through `OverlayView`.
 */
export class Overlay {
  private readonly links = new Map<NodeId, LinkInfo>();
  private readonly backoff = new Map<NodeId, Backoff>();

  constructor(private readonly options: MembershipOptions) {}

  /** The link to `peer`, if any. */
  get(peer: NodeId): Readonly<LinkInfo> | undefined {
    return this.links.get(peer);
  }

  /** IDs of open links (the neighbours). */
  openPeers(): NodeId[] {
    const peers: NodeId[] = [];
    for (const link of this.links.values()) if (link.state === 'open') peers.push(link.peer);
    return peers;
  }

  /** IDs of every link, open or being set up. */
  allPeers(): NodeId[] {
    return [...this.links.keys()];
  }

  /** Count of open links. */
  openCount(): number {
    let count = 0;
    for (const link of this.links.values()) if (link.state === 'open') count++;
    return count;
  }

  /** Count of all links, open or being set up. */
  totalCount(): number {
    return this.links.size;
  }

  /** True if a new inbound link fits: within the maximum degree plus the slack kept for newcomers. */
  canAccept(peer: NodeId): boolean {
    return this.links.has(peer) || this.links.size < this.options.maxDegree + this.options.inboundSlack;
  }

  /** True if an outbound attempt to `peer` is allowed now (no link yet, back-off over). */
  canDial(peer: NodeId, nowMs: number): boolean {
    if (this.links.has(peer)) return false;
    const wait = this.backoff.get(peer);
    return wait === undefined || nowMs >= wait.retryAtMs;
  }

  /** Records a connection attempt. */
  markConnecting(peer: NodeId, nowMs: number): void {
    if (!this.links.has(peer)) this.links.set(peer, { peer, state: 'connecting', sinceMs: nowMs, expectClose: false });
  }

  /** Records an open link; a success clears the peer's back-off. */
  markOpen(peer: NodeId, nowMs: number): void {
    this.links.set(peer, { peer, state: 'open', sinceMs: nowMs, expectClose: false });
    this.backoff.delete(peer);
  }

  /** The other side announced that it closes the link on purpose: its close raises no suspicion. */
  markExpectClose(peer: NodeId): void {
    const link = this.links.get(peer);
    if (link !== undefined) link.expectClose = true;
  }

  /** Forgets a link; returns what it was. */
  remove(peer: NodeId): LinkInfo | undefined {
    const link = this.links.get(peer);
    this.links.delete(peer);
    return link;
  }

  /** A failed attempt: exponential back-off with the random factor given by the caller (0.5–1.5 typical). */
  recordFailure(peer: NodeId, nowMs: number, jitterFactor: number): void {
    const failures = (this.backoff.get(peer)?.failures ?? 0) + 1;
    const delayMs = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (failures - 1) * jitterFactor);
    this.backoff.set(peer, { failures, retryAtMs: nowMs + delayMs });
  }

  /** Attempts still connecting after the connect time-out. */
  expiredAttempts(nowMs: number): NodeId[] {
    const expired: NodeId[] = [];
    for (const link of this.links.values()) {
      if (link.state === 'connecting' && nowMs - link.sinceMs >= this.options.connectTimeoutMs) expired.push(link.peer);
    }
    return expired;
  }

  /** Earliest time a connecting attempt times out, or Infinity. */
  nextAttemptDeadlineMs(): number {
    let earliest = Infinity;
    for (const link of this.links.values()) {
      if (link.state === 'connecting') earliest = Math.min(earliest, link.sinceMs + this.options.connectTimeoutMs);
    }
    return earliest;
  }

  /** Open links old enough to be shed without stranding a newcomer. */
  sheddable(nowMs: number): NodeId[] {
    const peers: NodeId[] = [];
    for (const link of this.links.values()) {
      if (link.state === 'open' && nowMs - link.sinceMs >= this.options.minLinkAgeMs) peers.push(link.peer);
    }
    return peers;
  }

  /** Drops back-off records of peers that are gone from the table, keeping memory bounded. */
  pruneBackoff(keep: (peer: NodeId) => boolean): void {
    for (const peer of this.backoff.keys()) if (!keep(peer)) this.backoff.delete(peer);
  }
}

/** The reading side of the overlay, for the parts of the core that decide but do not keep the books. */
export type OverlayView = Pick<
  Overlay,
  'get' | 'openPeers' | 'allPeers' | 'openCount' | 'totalCount' | 'canAccept' | 'canDial' | 'expiredAttempts' | 'nextAttemptDeadlineMs' | 'sheddable'
>;
