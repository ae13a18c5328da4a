/**
 * Merging gossiped entries into the peer table: what changed is reported to observers and handed to
 * dissemination; doubts about this node are refuted; a neighbour that others doubt is told directly.
 */
import type { Dissemination } from './dissemination';
import type { MembershipStats } from './effects';
import type { Outbox } from './outbox';
import type { OwnEntry } from './own-entry';
import type { PeerRecord, PeerTable } from './peer-table';
import type { NodeId, WireEntry } from './wire';

/** What merging needs: the table to merge into, our own entry (to refute), and where changes go. */
export interface EntryMergeDeps {
  readonly selfId: NodeId;
  readonly table: Pick<PeerTable, 'get' | 'merge' | 'toWire'>;
  readonly own: Pick<OwnEntry, 'counter' | 'refuteIfDoubted'>;
  readonly spread: Pick<Dissemination, 'changed' | 'heartbeat'>;
  /** True if the link to `peer` is open. */
  readonly isNeighbour: (peer: NodeId) => boolean;
  readonly out: Pick<Outbox, 'send' | 'emit'>;
  readonly stats: Pick<MembershipStats, 'refutations'>;
}

/** Applies what peers say to the table (precedence rules live in `PeerTable.merge`). */
export class EntryMerge {
  constructor(private readonly deps: EntryMergeDeps) {}

  /**
   * Merges gossiped entries from `from`; what changed is reported and flooded (but not back to `from`). A
   * newcomer's first whole table floods nowhere: its only link is the one the table came from.
   */
  merge(nowMs: number, entries: readonly WireEntry[], from: NodeId): void {
    const { table, spread } = this.deps;
    for (const entry of entries) {
      if (entry.id === this.deps.selfId) {
        this.mergeOwn(entry, nowMs);
        continue;
      }
      const before = table.get(entry.id)?.state;
      const outcome = table.merge(entry, nowMs);
      if (outcome === 'heartbeat') spread.heartbeat(entry.id);
      if (outcome !== 'new' && outcome !== 'state') continue;
      this.reportChange(entry.id, before, entry.state);
      spread.changed(entry.id, from, nowMs);
      // A neighbour reported dead keeps its link: if it is alive it hears the news from us and refutes; if it
      // is not, our own probes close the link.
      if (entry.state === 'dead' && this.deps.isNeighbour(entry.id)) this.tellIfDoubted(entry.id, nowMs);
    }
  }

  /** A neighbour that others suspect or declared dead is told directly, so it can refute at once. */
  tellIfDoubted(peer: NodeId, nowMs: number): void {
    const record = this.deps.table.get(peer);
    if (record !== undefined && record.state !== 'alive') {
      this.deps.out.send(peer, { t: 'news', entries: [this.deps.table.toWire(record, nowMs)] });
    }
  }

  private mergeOwn(entry: WireEntry, nowMs: number): void {
    if (!this.deps.own.refuteIfDoubted(entry)) return;
    this.deps.stats.refutations++;
    this.deps.out.emit({ type: 'self:refute', counter: this.deps.own.counter });
    this.deps.spread.changed(this.deps.selfId, null, nowMs);
  }

  private reportChange(id: NodeId, before: PeerRecord['state'] | undefined, after: PeerRecord['state']): void {
    const { out } = this.deps;
    if (after === 'dead') out.emit({ type: 'peer:remove', id, reason: 'dead' });
    else if (after === 'suspect') out.emit({ type: before === undefined || before === 'dead' ? 'peer:join' : 'peer:suspect', id });
    else out.emit({ type: before === 'suspect' ? 'peer:alive' : 'peer:join', id });
  }
}
