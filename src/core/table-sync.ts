/**
 * Whole-table transfer over a new link. Whole tables cross a link only where they are news: to a node that has
 * not synced since it started, and from a peer we had removed (most likely the far side of a healed partition).
 * A peer we never heard of is a newcomer: its hello carries all it has worth knowing.
 */
import type { MembershipOptions } from './options';
import type { Outbox } from './outbox';
import type { OwnEntry } from './own-entry';
import type { PeerTable } from './peer-table';
import { splitEntries, type NodeId, type WireEntry } from './wire';

/** What table transfer needs: it reads the table and our own entry, and only ever sends. */
export interface TableSyncDeps {
  readonly options: Pick<MembershipOptions, 'maxMessageBytes'>;
  readonly table: Pick<PeerTable, 'get' | 'all' | 'toWire'>;
  readonly own: Pick<OwnEntry, 'entry'>;
  readonly out: Pick<Outbox, 'send'>;
}

/** The hello (`sync`) on every new link, and the whole table (`table`, in chunks) when asked for. */
export class TableSync {
  /** Whether a whole table has arrived since start (until then, every new link asks for one). */
  private synced = false;
  /** Peers asked for their whole table over a link that is still open. */
  private readonly awaiting = new Set<NodeId>();

  constructor(private readonly deps: TableSyncDeps) {}

  /**
   * A link to `peer` opened: say hello with our own entry, and ask for its whole table where that is news. A link
   * that joins two meshes (`merging`: this node dialled a member of another mesh) carries whole tables both ways:
   * ours goes unasked, after the hello, so the far side floods every member of ours as news to its mesh.
   */
  linkOpened(peer: NodeId, nowMs: number, merging = false): void {
    const want = merging || !this.synced || this.deps.table.get(peer)?.state === 'dead';
    if (want) this.awaiting.add(peer);
    this.deps.out.send(peer, { t: 'sync', entries: [this.deps.own.entry()], want });
    if (merging) this.sendWholeTable(peer, nowMs);
  }

  /** Asks neighbour `peer` for its whole table (with our own entry, which tells it we are alive). */
  pull(peer: NodeId): void {
    this.awaiting.add(peer);
    this.deps.out.send(peer, { t: 'sync', entries: [this.deps.own.entry()], want: true });
  }

  /** The peer asked for our whole table: own entry and every record, tombstones included, ≤ 16 KiB per chunk. */
  sendWholeTable(peer: NodeId, nowMs: number): void {
    const { table, options } = this.deps;
    const entries: WireEntry[] = [this.deps.own.entry(), ...table.all().map((record) => table.toWire(record, nowMs))];
    for (const message of splitEntries('table', entries, options.maxMessageBytes)) this.deps.out.send(peer, message);
  }

  /** (Part of) a whole table arrived from `peer`; if we had asked for it, this node has synced. */
  tableArrived(peer: NodeId): void {
    if (this.awaiting.delete(peer)) this.synced = true;
  }

  /** The link to `peer` ended: a table still owed over it will not come. */
  forget(peer: NodeId): void {
    this.awaiting.delete(peer);
  }
}
