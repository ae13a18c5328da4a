/**
 * The one owner of a link's life in the core: an attempt (dialled or accepted), the open link, and its end,
 * whatever ends it. Every path that ends a link (shedding, rewiring, a dead or stale peer, a refusal at open,
 * leaving, a connect time-out, a close the driver saw) goes through `close`, so the books (overlay, probes, a
 * pending table request, the failure record, observers, the driver) are kept in one place.
 */
import { FailedLinks } from './failed-links';
import type { MembershipStats } from './effects';
import { isInitiator } from './initiator';
import type { Liveness } from './liveness';
import type { MembershipOptions } from './options';
import type { Outbox } from './outbox';
import type { LinkInfo, Overlay } from './overlay';
import type { OwnEntry } from './own-entry';
import type { PeerTable } from './peer-table';
import { jitter, type Rng } from './random';
import type { TableSync } from './table-sync';
import type { MembershipMessage, NodeId } from './wire';

/** Why a link ends. */
export type LinkEnd =
  /** The driver saw the link close, or the attempt fail (`linkDown`). */
  | 'closed'
  /** The attempt did not open within `connectTimeoutMs`. */
  | 'timed-out'
  /** This node ends it: shed, rewired, or the peer was found dead or stale. */
  | 'dropped'
  /** This node turns the link away as it opens (over the hard degree bound), whether or not it expected it. */
  | 'refused'
  /** This node leaves the mesh. */
  | 'left';

interface EndRule {
  /** An attempt that ends this way counts against the peer (score, back-off). */
  readonly failsAttempt: boolean;
  /** An open link that ends this way is reported (`neighbour:down`). */
  readonly reportsDown: boolean;
  /** Whether the driver must be told to close: not when it told us; for a refusal, even with no record. */
  readonly disconnect: 'never' | 'if-known' | 'always';
}

const END_RULES: Readonly<Record<LinkEnd, EndRule>> = Object.freeze({
  closed: { failsAttempt: true, reportsDown: true, disconnect: 'never' },
  'timed-out': { failsAttempt: true, reportsDown: true, disconnect: 'if-known' },
  dropped: { failsAttempt: false, reportsDown: true, disconnect: 'if-known' },
  refused: { failsAttempt: false, reportsDown: true, disconnect: 'always' },
  // A leaving node's goodbye says it all; its observers are done with the mesh.
  left: { failsAttempt: false, reportsDown: false, disconnect: 'if-known' },
});

/** How an open-link report from the driver was taken. */
export type OpenOutcome = 'opened' | 'already-open' | 'refused';

/** What the lifecycle keeps the books of; it is the only writer of the overlay and of the probe list. */
export interface LinkLifecycleDeps {
  readonly selfId: NodeId;
  readonly options: Pick<MembershipOptions, 'maxDegree' | 'inboundSlack' | 'pingIntervalMs'>;
  readonly rng: Rng;
  readonly overlay: Overlay;
  readonly probes: Pick<Liveness, 'add' | 'remove'>;
  readonly table: Pick<PeerTable, 'recordOutcome'>;
  readonly sync: Pick<TableSync, 'forget'>;
  readonly own: Pick<OwnEntry, 'left'>;
  readonly out: Pick<Outbox, 'send' | 'emit' | 'connect' | 'disconnect'>;
  readonly stats: Pick<MembershipStats, 'connectFailures'>;
}

/** Link attempts, opens and ends, with their bookkeeping. */
export class LinkLifecycle {
  /** Peers whose latest attempt failed (for the page's "could not connect" note). */
  readonly failed = new FailedLinks();

  constructor(private readonly deps: LinkLifecycleDeps) {}

  /** Starts an attempt to `peer` (the caller checked the degree bound and the back-off). */
  attempt(peer: NodeId, nowMs: number): void {
    this.deps.overlay.markConnecting(peer, nowMs);
    this.deps.out.connect(peer, isInitiator(this.deps.selfId, peer));
  }

  /** Whether to accept an inbound link from `peer`; if so, it is an attempt from now on. */
  accept(peer: NodeId, nowMs: number): boolean {
    const { overlay } = this.deps;
    if (this.deps.own.left || peer === this.deps.selfId) return false;
    // At the cap, a newcomer is still let in when an old link can make room: first contact must not fail.
    if (!overlay.canAccept(peer) && overlay.sheddable(nowMs).length === 0) return false;
    overlay.markConnecting(peer, nowMs);
    return true;
  }

  /** The driver reports the link to `peer` open (in either direction). */
  open(peer: NodeId, nowMs: number): OpenOutcome {
    const { overlay, options, out } = this.deps;
    if (this.deps.own.left || peer === this.deps.selfId) {
      // A link this node never wanted (it has left, or it is itself): turned away, nothing was booked for it.
      out.disconnect(peer);
      return 'refused';
    }
    const wasOpen = overlay.get(peer)?.state === 'open';
    // The hard bound holds whatever raced: attempts in both directions can complete at the same moment.
    if (!wasOpen && overlay.openCount() >= options.maxDegree + options.inboundSlack) {
      out.send(peer, { t: 'bye', reason: 'trim' });
      this.close(peer, nowMs, 'refused');
      return 'refused';
    }
    overlay.markOpen(peer, nowMs);
    this.failed.opened(peer);
    if (wasOpen) return 'already-open';
    // The first probe at a random phase, so that links opened together are not probed in lockstep.
    this.deps.probes.add(peer, nowMs, this.deps.rng.next() * options.pingIntervalMs);
    this.deps.table.recordOutcome(peer, true);
    out.emit({ type: 'neighbour:up', id: peer });
    return 'opened';
  }

  /** The peer said `bye`: the close that follows is deliberate. */
  expectClose(peer: NodeId): void {
    this.deps.overlay.markExpectClose(peer);
  }

  /** Sheds an open link: the peer hears why (`bye trim`, so it suspects nothing), then the link closes. */
  shed(peer: NodeId, nowMs: number): void {
    this.deps.out.send(peer, { t: 'bye', reason: 'trim' });
    this.close(peer, nowMs, 'dropped');
  }

  /** Says `farewell` over every open link, then closes every link (this node leaves the mesh). */
  closeAll(nowMs: number, farewell: readonly MembershipMessage[]): void {
    for (const peer of this.deps.overlay.openPeers()) for (const message of farewell) this.deps.out.send(peer, message);
    for (const peer of this.deps.overlay.allPeers()) this.close(peer, nowMs, 'left');
  }

  /** Ends the link to `peer`, if any, as `end` says (see `END_RULES`); returns what the link was. */
  close(peer: NodeId, nowMs: number, end: LinkEnd): Readonly<LinkInfo> | undefined {
    const rule = END_RULES[end];
    const link = this.deps.overlay.remove(peer);
    this.deps.probes.remove(peer);
    this.deps.sync.forget(peer);
    if (link?.state === 'connecting' && rule.failsAttempt) this.attemptFailed(peer, nowMs);
    if (link?.state === 'open' && rule.reportsDown) this.deps.out.emit({ type: 'neighbour:down', id: peer });
    if (rule.disconnect === 'always' || (rule.disconnect === 'if-known' && link !== undefined)) this.deps.out.disconnect(peer);
    return link;
  }

  /** Ends the attempts that did not open within `connectTimeoutMs`; returns true if there were any. */
  expireAttempts(nowMs: number): boolean {
    const expired = this.deps.overlay.expiredAttempts(nowMs);
    for (const peer of expired) this.close(peer, nowMs, 'timed-out');
    return expired.length > 0;
  }

  /** Earliest local time an attempt times out. */
  nextWakeMs(): number {
    return this.deps.overlay.nextAttemptDeadlineMs();
  }

  /** Forgets the back-off of peers that `keep` rejects (gone from the table), keeping memory bounded. */
  pruneBackoff(keep: (peer: NodeId) => boolean): void {
    this.deps.overlay.pruneBackoff(keep);
  }

  /** A failed attempt: the peer's score drops and it is backed off from (exponentially, with jitter). */
  private attemptFailed(peer: NodeId, nowMs: number): void {
    this.deps.stats.connectFailures++;
    this.failed.failed(peer, nowMs);
    this.deps.table.recordOutcome(peer, false);
    this.deps.overlay.recordFailure(peer, nowMs, jitter(1, 0.5, this.deps.rng));
  }
}
