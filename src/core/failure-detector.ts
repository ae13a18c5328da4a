/**
 * Failure detection (SWIM with one counter): neighbours are probed (`Liveness`); a neighbour silent through
 * every attempt, or whose link closed without a word, becomes *suspect* and can refute; a suspect that does not
 * is removed after `suspicionTimeoutMs`; a listed peer without evidence for `staleAfterMs` is removed as stale;
 * a peer that says it leaves is removed at once. Every removal is flooded, and the link to a removed peer closes.
 */
import type { Dissemination } from './dissemination';
import type { MembershipStats } from './effects';
import type { LinkLifecycle } from './link-lifecycle';
import type { LocalHealth } from './local-health';
import type { Liveness } from './liveness';
import type { Outbox } from './outbox';
import type { PeerTable } from './peer-table';
import type { NodeId } from './wire';

/** What failure detection needs: it changes peer states and scores, closes links to the dead, and reports. */
export interface FailureDetectorDeps {
  readonly table: Pick<
    PeerTable,
    'get' | 'observeDirect' | 'recordOutcome' | 'suspect' | 'markDead' | 'expiredSuspects' | 'nextSuspicionDeadlineMs' | 'sweep'
  >;
  readonly probes: Pick<Liveness, 'due' | 'heardFrom' | 'nextDeadlineMs'>;
  readonly spread: Pick<Dissemination, 'changed'>;
  readonly links: Pick<LinkLifecycle, 'close'>;
  readonly out: Pick<Outbox, 'send' | 'emit'>;
  readonly stats: Pick<MembershipStats, 'probesFailed'>;
  /** Whether this node's own judgements wait (it was away and has no proof of contact yet: `local-health.ts`). */
  readonly health: Pick<LocalHealth, 'holdsJudgement' | 'holdEndMs'>;
}

/** Probes, suspicions and removals. */
export class FailureDetector {
  constructor(private readonly deps: FailureDetectorDeps) {}

  /** A message from neighbour `peer`: the strongest evidence there is, and an answer to any open probe. */
  heardFrom(peer: NodeId, nowMs: number): void {
    this.deps.table.observeDirect(peer, nowMs);
    if (this.deps.probes.heardFrom(peer, nowMs)) this.deps.table.recordOutcome(peer, true);
  }

  /** Sends the pings that are due, suspects neighbours whose probe failed, removes suspects whose time ran out. */
  tick(nowMs: number): void {
    this.runProbes(nowMs);
    if (this.deps.health.holdsJudgement(nowMs)) return;
    for (const id of this.deps.table.expiredSuspects(nowMs)) this.declareDead(id, nowMs);
  }

  /** Earliest local time a probe or a suspicion needs a tick. */
  nextWakeMs(): number {
    const suspicionMs = Math.max(this.deps.table.nextSuspicionDeadlineMs(), this.deps.health.holdEndMs());
    return Math.min(this.deps.probes.nextDeadlineMs(), suspicionMs);
  }

  /** The link to `peer` closed without a `bye` (a closed tab, a dead network): a reason to suspect, refutable. */
  closedUnannounced(peer: NodeId, nowMs: number): void {
    this.suspect(peer, nowMs);
  }

  /** `peer` said it leaves (`bye leave`): removed at once, reason `left`. */
  peerLeft(peer: NodeId, nowMs: number): void {
    if (!this.deps.table.markDead(peer, nowMs)) return;
    this.deps.out.emit({ type: 'peer:remove', id: peer, reason: 'left' });
    this.deps.spread.changed(peer, peer, nowMs);
  }

  /** The periodic clean-up: listed peers without evidence for `staleAfterMs` are removed (reason `stale`). */
  sweepStale(nowMs: number): void {
    for (const id of this.deps.table.sweep(nowMs)) {
      this.deps.out.emit({ type: 'peer:remove', id, reason: 'stale' });
      this.deps.spread.changed(id, null, nowMs);
      this.deps.links.close(id, nowMs, 'dropped');
    }
  }

  private runProbes(nowMs: number): void {
    const { table, probes, links } = this.deps;
    const actions = probes.due(nowMs);
    for (const { peer, nonce } of actions.pings) this.deps.out.send(peer, { t: 'ping', nonce });
    if (this.deps.health.holdsJudgement(nowMs)) {
      // Back from a gap with no proof of contact: the silence is this node's, not the neighbour's (see
      // `local-health.ts`), so nobody is suspected. But a link that carried no ping through every attempt is of no
      // use (most likely the far side closed it while this node was away, and the close never arrived): it goes,
      // quietly, so that a node left with none asks the server for introductions and finds its way back.
      for (const peer of actions.failed) {
        this.deps.stats.probesFailed++;
        links.close(peer, nowMs, 'dropped');
      }
      return;
    }
    for (const peer of actions.failed) {
      this.deps.stats.probesFailed++;
      table.recordOutcome(peer, false);
      // Already removed by others' word: our own silence confirms it, so the link goes.
      if (table.get(peer)?.state === 'dead') links.close(peer, nowMs, 'dropped');
      this.suspect(peer, nowMs);
    }
  }

  private suspect(peer: NodeId, nowMs: number): void {
    if (!this.deps.table.suspect(peer, nowMs)) return;
    this.deps.out.emit({ type: 'peer:suspect', id: peer });
    this.deps.spread.changed(peer, null, nowMs);
  }

  private declareDead(id: NodeId, nowMs: number): void {
    if (!this.deps.table.markDead(id, nowMs)) return;
    this.deps.out.emit({ type: 'peer:remove', id, reason: 'dead' });
    this.deps.spread.changed(id, null, nowMs);
    this.deps.links.close(id, nowMs, 'dropped');
  }
}
