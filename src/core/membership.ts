import { Dissemination } from './dissemination';
import { emptyStats, type Effect, type MembershipStats } from './effects';
import { EntryMerge } from './entry-merge';
import { FailureDetector } from './failure-detector';
import { LinkLifecycle } from './link-lifecycle';
import { Liveness } from './liveness';
import { LocalHealth } from './local-health';
import { resolveOptions, type MembershipOptions } from './options';
import { Outbox } from './outbox';
import { Overlay } from './overlay';
import { OverlayMaintenance } from './overlay-maintenance';
import { OwnEntry } from './own-entry';
import { PeerTable, peerScore, type PeerRecord } from './peer-table';
import type { Rng } from './random';
import { ServerCheckIn } from './server-check-in';
import { TableSync } from './table-sync';
import type { MembershipMessage, NodeId } from './wire';

/** How to build a membership core. */
export interface MembershipInit {
  selfId: NodeId;
  /** The only source of randomness the core uses. */
  rng: Rng;
  options?: Partial<MembershipOptions>;
  /** Restored state (after a reload): the node's own counter and its saved peer records. */
  snapshot?: MembershipSnapshot;
}

/** The part of the state worth persisting across reloads. */
export interface MembershipSnapshot {
  selfCounter: number;
  peers: PeerRecord[];
}

/** A read-only view of one peer for observers. */
export interface PeerView extends Readonly<PeerRecord> {
  score: number;
  neighbour: boolean;
}

/**
 * The membership protocol of one node as a pure state machine: time comes in as `nowMs` arguments, randomness
 * through the injected `Rng`, messages through `receive`, transport news through `linkUp`/`linkDown`; every call
 * returns the effects to carry out. Nothing here touches clocks, timers, sockets or storage.
 *
 * Protocol in brief: push-pull gossip with one random neighbour per `gossipIntervalMs` carrying news (membership
 * changes, then heartbeats) and a small random sample; membership changes are also flooded to all neighbours at
 * once; a new link starts with a whole-table sync; neighbours are probed SWIM-style with retries and a
 * refutable suspicion; LastSeen only moves on evidence; tombstones stop resurrections.
 *
 * This class wires the parts and dispatches inputs to them; each part gets only the collaborators it needs:
 * `OwnEntry` (own counter), `Dissemination` (gossip rounds, news, flood), `EntryMerge` (gossip into the table),
 * `TableSync` (whole tables over new links), `FailureDetector` (probes, suspicion, removals), `LinkLifecycle`
 * (every link's attempt, open and end) and `OverlayMaintenance` (whom to link with).
 */
export class Membership {
  /** Resolved options (defaults filled in). */
  readonly options: MembershipOptions;
  /** This node's ID. */
  readonly selfId: NodeId;
  /** Counters for observers and benches. */
  readonly stats: MembershipStats = emptyStats();

  private readonly table: PeerTable;
  private readonly overlay: Overlay;
  private readonly out: Outbox;
  private readonly own: OwnEntry;
  private readonly spread: Dissemination;
  private readonly merging: EntryMerge;
  private readonly sync: TableSync;
  private readonly links: LinkLifecycle;
  private readonly failures: FailureDetector;
  private readonly maintenance: OverlayMaintenance;
  private readonly checkIn: ServerCheckIn;
  private readonly health: LocalHealth;
  private started = false;
  private nextCleanupMs = Infinity;

  constructor(init: MembershipInit) {
    const options = (this.options = resolveOptions(init.options));
    const selfId = (this.selfId = init.selfId);
    const { rng } = init;
    const stats = this.stats;
    const table = (this.table = new PeerTable(selfId, options));
    const overlay = (this.overlay = new Overlay(options));
    const probes = new Liveness(options);
    // Any removal (our own finding or hearsay) may have taken the mesh's last introducer: see `ServerCheckIn`.
    const out = (this.out = new Outbox(stats, (event) => {
      if (event.type === 'peer:remove') this.checkIn.memberGone(event.id);
    }));
    const own = (this.own = new OwnEntry(selfId, options, rng));
    const neighbours = (): NodeId[] => overlay.openPeers();
    const spread = (this.spread = new Dissemination({ selfId, options, rng, table, own, neighbours, out }));
    const isNeighbour = (peer: NodeId): boolean => overlay.get(peer)?.state === 'open';
    this.merging = new EntryMerge({ selfId, table, own, spread, isNeighbour, out, stats });
    const sync = (this.sync = new TableSync({ options, table, own, out }));
    const links = (this.links = new LinkLifecycle({ selfId, options, rng, overlay, probes, table, sync, own, out, stats }));
    const health = (this.health = new LocalHealth({ options, rng, own, probes, table, sync, neighbours, out, stats }));
    this.failures = new FailureDetector({ table, probes, spread, links, out, stats, health });
    this.maintenance = new OverlayMaintenance({ selfId, options, rng, table, overlay, links, out });
    this.checkIn = new ServerCheckIn({ selfId, options, rng, table, out, linked: () => overlay.openCount() > 0 });
    if (init.snapshot !== undefined) {
      own.restore(init.snapshot.selfCounter);
      for (const record of init.snapshot.peers) table.restore(record);
    }
  }

  // ---- inputs -------------------------------------------------------------------------------------------

  /** Starts the timers and dials the bootstrap peers (e.g. the introductions the signaling server gave). */
  start(nowMs: number, bootstrap: readonly NodeId[] = []): Effect[] {
    if (this.started) return this.out.flush();
    this.started = true;
    // The order of these calls is the order the random source is drawn from: part of a seed's run.
    this.spread.start(nowMs);
    this.nextCleanupMs = nowMs + this.options.cleanupIntervalMs;
    this.own.start(nowMs);
    this.maintenance.start(nowMs);
    for (const peer of bootstrap.slice(0, this.maintenance.dialBudget())) this.maintenance.dial(peer, nowMs);
    this.checkIn.introduced(bootstrap, nowMs);
    this.maintenance.wakeBy(nowMs);
    return this.out.flush();
  }

  /** Runs every timer that is due at `nowMs`. Call it at `nextWakeMs()` (calling earlier is harmless). */
  tick(nowMs: number): Effect[] {
    if (!this.started || this.own.left) return this.out.flush();
    this.noticeLateness(nowMs);
    if (this.links.expireAttempts(nowMs)) this.maintenance.wakeBy(nowMs);
    this.failures.tick(nowMs);
    // Right after a gap in this node's own timers, and until it has proof of contact, nobody is swept as stale.
    if (nowMs >= this.nextCleanupMs && !this.health.holdsJudgement(nowMs)) {
      this.nextCleanupMs = nowMs + this.options.cleanupIntervalMs;
      this.failures.sweepStale(nowMs);
      this.links.pruneBackoff((peer) => this.table.get(peer) !== undefined);
    }
    this.own.tick(nowMs);
    if (this.spread.gossipIfDue(nowMs)) this.maintenance.wakeBy(nowMs);
    this.maintenance.tick(nowMs);
    this.checkIn.tick(nowMs);
    this.spread.flushIfDue(nowMs);
    return this.out.flush();
  }

  /** The next local time at which `tick` has work to do (Infinity when stopped). */
  nextWakeMs(): number {
    if (!this.started || this.own.left) return Infinity;
    return Math.min(
      this.spread.nextWakeMs(),
      Math.max(this.nextCleanupMs, this.health.holdEndMs()),
      this.own.nextWakeMs(),
      this.maintenance.nextWakeMs(),
      this.checkIn.nextWakeMs(),
      this.failures.nextWakeMs(),
      this.links.nextWakeMs(),
    );
  }

  /**
   * The local time from which the core asks the signaling server for introductions again, should it still be
   * isolated; -Infinity before its first request. Set, with
   * back-off and jitter, whenever it asks, so the driver can tell when a failed request will be retried.
   */
  introductionDueMs(): number {
    return this.maintenance.introductionDueMs();
  }

  /**
   * Turns periodic rewiring off (or on again). The driver turns it off when the browser's lifetime budget of peer
   * connections runs low, so that what is left goes to replacing lost links rather than to mixing the overlay.
   */
  setRewiring(enabled: boolean): void {
    this.maintenance.setRewiring(enabled);
  }

  /** Handles one decoded message that arrived over the (authenticated) link from `from`. */
  receive(nowMs: number, from: NodeId, message: MembershipMessage): Effect[] {
    if (this.overlay.get(from) === undefined || this.own.left) {
      this.stats.droppedNotNeighbour++;
      return this.out.flush();
    }
    this.stats.messagesIn++;
    this.noticeLateness(nowMs);
    this.failures.heardFrom(from, nowMs);
    this.dispatch(nowMs, from, message);
    this.merging.tellIfDoubted(from, nowMs);
    return this.out.flush();
  }

  /**
   * Introductions from the signaling server (first contact, after isolation, a check-in, an introducer's rejoin):
   * dial them, and a member never heard of even with full links (it is of another mesh). Any answer ends a
   * pending check-in.
   */
  introduce(nowMs: number, peers: readonly NodeId[]): Effect[] {
    if (this.started && !this.own.left) {
      this.noticeLateness(nowMs);
      this.checkIn.answered();
      this.maintenance.introduced(peers, nowMs);
      this.checkIn.introduced(peers, nowMs);
    }
    return this.out.flush();
  }

  /** Whether to accept an inbound link from `peer` (the core's degree bound plus slack for newcomers). */
  acceptLink(nowMs: number, peer: NodeId): boolean {
    if (!this.links.accept(peer, nowMs)) return false;
    this.maintenance.wakeBy(nowMs + 1);
    return true;
  }

  /** The link to `peer` is open (in either direction): sync whole tables, start probing. */
  linkUp(nowMs: number, peer: NodeId): Effect[] {
    this.noticeLateness(nowMs);
    if (this.links.open(peer, nowMs) === 'opened') {
      this.health.contact(nowMs);
      this.sync.linkOpened(peer, nowMs, this.maintenance.linkOpened(peer));
    }
    return this.out.flush();
  }

  /** The link to `peer` closed, or the attempt to open it failed. */
  linkDown(nowMs: number, peer: NodeId): Effect[] {
    this.noticeLateness(nowMs);
    const link = this.links.close(peer, nowMs, 'closed');
    this.maintenance.linkClosed(peer);
    if (link === undefined) return this.out.flush();
    // Just back from a gap, a silent close most likely means the far side gave up on us: no reason to suspect it.
    const suspicious = link.state === 'open' && !link.expectClose && !this.own.left && !this.health.holdsJudgement(nowMs);
    if (suspicious) this.failures.closedUnannounced(peer, nowMs);
    this.maintenance.wakeBy(nowMs);
    return this.out.flush();
  }

  /** Leaves the mesh on purpose: neighbours learn it at once and spread it, instead of waiting for time-outs. */
  leave(nowMs: number): Effect[] {
    if (this.own.left) return this.out.flush();
    // The bye goes first: it names the reason ('left'); the news after it is for gossip that arrives late.
    this.links.closeAll(nowMs, [{ t: 'bye', reason: 'leave' }, { t: 'news', entries: [this.own.goodbye()] }]);
    this.own.leave();
    return this.out.flush();
  }

  // ---- views ----------------------------------------------------------------------------------------------

  /** The node's own counter (heartbeat/incarnation). */
  get counter(): number {
    return this.own.counter;
  }

  /** Every record, tombstones included, with score and neighbour flag. */
  peers(): PeerView[] {
    return this.table.all().map((record) => this.view(record));
  }

  /** IDs listed as members (alive or suspect), never the node itself. */
  members(): NodeId[] {
    return this.table.listedIds();
  }

  /** IDs of open links. */
  neighbours(): NodeId[] {
    return this.overlay.openPeers();
  }

  /**
   * Peers whose latest link attempt failed (ICE found no path, or it timed out) and that have no link now. A
   * failure counts until a retry succeeds or for one full back-off period (`retryMaxMs` plus a connect time-out),
   * so a peer retried at the slowest pace stays listed between its attempts.
   */
  unreachablePeers(nowMs: number): NodeId[] {
    const windowMs = this.options.retryMaxMs + this.options.connectTimeoutMs;
    return this.links.failed.recent(nowMs, windowMs, (peer) => this.overlay.get(peer)?.state === 'open');
  }

  /** One peer's record with score and neighbour flag, if known. */
  peer(id: NodeId): PeerView | undefined {
    const record = this.table.get(id);
    return record === undefined ? undefined : this.view(record);
  }

  /** True if `id` is currently listed (alive or suspect). */
  lists(id: NodeId): boolean {
    return this.table.isListed(id);
  }

  /** A copy of the state worth persisting. */
  snapshot(): MembershipSnapshot {
    return { selfCounter: this.own.counter, peers: this.table.all().map((record) => ({ ...record })) };
  }

  // ---- internals --------------------------------------------------------------------------------------------

  /** Before any input is handled: was this node itself away (its timers far behind)? See `local-health.ts`. */
  private noticeLateness(nowMs: number): void {
    if (this.started && !this.own.left) this.health.check(nowMs, this.nextWakeMs());
  }

  /** Hands one message from a neighbour to the part it is for; every entry-carrying message is merged first. */
  private dispatch(nowMs: number, from: NodeId, message: MembershipMessage): void {
    switch (message.t) {
      case 'push':
        this.merging.merge(nowMs, message.entries, from);
        this.spread.answerPush(from, message.entries, nowMs);
        break;
      case 'sync':
        this.merging.merge(nowMs, message.entries, from);
        if (message.want) this.sync.sendWholeTable(from, nowMs);
        break;
      case 'table':
        this.merging.merge(nowMs, message.entries, from);
        this.sync.tableArrived(from);
        // A newcomer now knows whom to dial for the rest of its links (signaled through the link it has).
        if (this.overlay.totalCount() < this.options.targetDegree) this.maintenance.wakeBy(nowMs + this.options.floodDelayMs);
        break;
      case 'pull':
      case 'news':
        this.merging.merge(nowMs, message.entries, from);
        break;
      case 'ping':
        this.out.send(from, { t: 'ack', nonce: message.nonce });
        break;
      case 'ack':
        this.health.acked(message.nonce, nowMs);
        break;
      case 'bye':
        this.links.expectClose(from);
        if (message.reason === 'leave') this.failures.peerLeft(from, nowMs);
        break;
    }
  }

  private view(record: PeerRecord): PeerView {
    return { ...record, score: peerScore(record), neighbour: this.overlay.get(record.id)?.state === 'open' };
  }
}
