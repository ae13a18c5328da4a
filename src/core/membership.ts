import { emptyStats, type Effect, type MembershipEvent, type MembershipStats } from './effects';
import { Liveness } from './liveness';
import { NewsQueue } from './news';
import { resolveOptions, type MembershipOptions } from './options';
import { Overlay } from './overlay';
import { OverlayMaintenance } from './overlay-maintenance';
import { MAX_COUNTER_JUMP, PeerTable, peerScore, type PeerRecord } from './peer-table';
import { jitter, pickOne, type Rng } from './random';
import { MAX_COUNTER, splitEntries, type MembershipMessage, type NodeId, type WireEntry } from './wire';

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
 */
export class Membership {
  /** Resolved options (defaults filled in). */
  readonly options: MembershipOptions;
  /** This node's ID. */
  readonly selfId: NodeId;
  /** Counters for observers and benches. */
  readonly stats: MembershipStats = emptyStats();

  private readonly rng: Rng;
  private readonly table: PeerTable;
  private readonly news: NewsQueue;
  private readonly overlay: Overlay;
  private readonly liveness: Liveness;
  private readonly maintenance: OverlayMaintenance;
  private selfCounter = 0;
  private started = false;
  /** Whether a whole table has arrived since start (until then, every new link asks for one). */
  private synced = false;
  private readonly awaitingSync = new Set<NodeId>();
  private leaving = false;
  private nextGossipMs = Infinity;
  private nextCleanupMs = Infinity;
  private nextHeartbeatMs = Infinity;
  private floodAtMs = Infinity;
  /** Changed IDs waiting to be flooded, each with the neighbour it came from (which needs no copy back). */
  private readonly pendingFlood = new Map<NodeId, NodeId | null>();
  private out: Effect[] = [];

  constructor(init: MembershipInit) {
    this.options = resolveOptions(init.options);
    this.selfId = init.selfId;
    this.rng = init.rng;
    this.table = new PeerTable(this.selfId, this.options);
    this.news = new NewsQueue(this.options.newsTransmits, this.options.heartbeatTransmits);
    this.overlay = new Overlay(this.options);
    this.liveness = new Liveness(this.options);
    this.maintenance = new OverlayMaintenance({
      selfId: this.selfId,
      options: this.options,
      rng: this.rng,
      table: this.table,
      overlay: this.overlay,
      liveness: this.liveness,
      stats: this.stats,
      send: (to, message) => this.send(to, message),
      emit: (event) => this.emit(event),
      push: (effect) => this.out.push(effect),
    });
    if (init.snapshot !== undefined) {
      this.selfCounter = Math.min(MAX_COUNTER - 1, Math.max(0, Math.floor(init.snapshot.selfCounter)));
      for (const record of init.snapshot.peers) this.table.restore(record);
    }
  }

  // ---- inputs -------------------------------------------------------------------------------------------

  /** Starts the timers and dials the bootstrap peers (e.g. the introductions the signaling server gave). */
  start(nowMs: number, bootstrap: readonly NodeId[] = []): Effect[] {
    if (this.started) return this.flush();
    this.started = true;
    // A restart must look newer than anything said before it; a counter lost with storage is recovered by
    // refutation when the node hears its own old entry.
    this.selfCounter = Math.min(MAX_COUNTER - 1, this.selfCounter + 1);
    this.nextGossipMs = nowMs + this.rng.next() * this.options.gossipIntervalMs;
    this.nextCleanupMs = nowMs + this.options.cleanupIntervalMs;
    this.nextHeartbeatMs = nowMs + jitter(this.options.heartbeatIntervalMs, 0.1, this.rng);
    this.maintenance.start(nowMs);
    for (const peer of bootstrap.slice(0, this.maintenance.dialBudget())) this.maintenance.dial(peer, nowMs);
    this.maintenance.wakeBy(nowMs);
    return this.flush();
  }

  /** Runs every timer that is due at `nowMs`. Call it at `nextWakeMs()` (calling earlier is harmless). */
  tick(nowMs: number): Effect[] {
    if (!this.started || this.leaving) return this.flush();
    this.maintenance.expireAttempts(nowMs);
    this.runProbes(nowMs);
    for (const id of this.table.expiredSuspects(nowMs)) this.declareDead(id, nowMs, null);
    if (nowMs >= this.nextCleanupMs) this.cleanup(nowMs);
    if (nowMs >= this.nextHeartbeatMs) {
      this.selfCounter = Math.min(MAX_COUNTER - 1, this.selfCounter + 1);
      this.nextHeartbeatMs = nowMs + jitter(this.options.heartbeatIntervalMs, 0.1, this.rng);
    }
    if (nowMs >= this.nextGossipMs) {
      this.gossipRound(nowMs);
      this.nextGossipMs = Math.max(this.nextGossipMs + this.options.gossipIntervalMs, nowMs + 1);
      this.maintenance.wakeBy(nowMs);
    }
    this.maintenance.tick(nowMs);
    if (nowMs >= this.floodAtMs) this.flushFlood(nowMs);
    return this.flush();
  }

  /** The next local time at which `tick` has work to do (Infinity when stopped). */
  nextWakeMs(): number {
    if (!this.started || this.leaving) return Infinity;
    return Math.min(
      this.nextGossipMs,
      this.nextCleanupMs,
      this.nextHeartbeatMs,
      this.maintenance.nextWakeMs(),
      this.floodAtMs,
      this.liveness.nextDeadlineMs(),
      this.table.nextSuspicionDeadlineMs(),
      this.overlay.nextAttemptDeadlineMs(),
    );
  }

  /**
   * The local time from which the core asks the signaling server for introductions again, should it still need
   * them (isolated, or an island too small to fill its links); -Infinity before its first request. Set, with
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
    if (this.overlay.get(from) === undefined || this.leaving) {
      this.stats.droppedNotNeighbour++;
      return this.flush();
    }
    this.stats.messagesIn++;
    this.table.observeDirect(from, nowMs);
    if (this.liveness.heardFrom(from, nowMs)) this.table.recordOutcome(from, true);
    switch (message.t) {
      case 'push': {
        const told = new Map(message.entries.map((entry) => [entry.id, entry.counter]));
        this.mergeEntries(nowMs, message.entries, from);
        // Anti-entropy: whatever the pusher showed us in an older version than ours goes back first.
        const corrections = message.entries.filter((entry) => entry.id !== this.selfId && this.table.isNewerThan(entry));
        this.send(from, { t: 'pull', entries: this.buildGossip(nowMs, told, corrections.map((entry) => entry.id)) });
        break;
      }
      case 'sync':
        this.mergeEntries(nowMs, message.entries, from);
        if (message.want) this.sendWholeTable(from, nowMs);
        break;
      case 'table':
        this.mergeEntries(nowMs, message.entries, from);
        if (this.awaitingSync.delete(from)) this.synced = true;
        // A newcomer now knows whom to dial for the rest of its links (signaled through the link it has).
        if (this.overlay.totalCount() < this.options.targetDegree) this.maintenance.wakeBy(nowMs + this.options.floodDelayMs);
        break;
      case 'pull':
      case 'news':
        this.mergeEntries(nowMs, message.entries, from);
        break;
      case 'ping':
        this.send(from, { t: 'ack', nonce: message.nonce });
        break;
      case 'ack':
        break;
      case 'bye': {
        const link = this.overlay.get(from);
        if (link !== undefined) link.expectClose = true;
        if (message.reason === 'leave' && this.table.markDead(from, nowMs)) {
          this.emit({ type: 'peer:remove', id: from, reason: 'left' });
          this.queueChange(from, from, nowMs);
        }
        break;
      }
    }
    this.tellIfDoubted(from, nowMs);
    return this.flush();
  }

  /** Introductions from the signaling server (first contact, or after isolation): dial them. */
  introduce(nowMs: number, peers: readonly NodeId[]): Effect[] {
    if (this.started && !this.leaving) {
      for (const peer of peers.slice(0, this.maintenance.dialBudget())) this.maintenance.dial(peer, nowMs);
    }
    return this.flush();
  }

  /** Whether to accept an inbound link from `peer` (the core's degree bound plus slack for newcomers). */
  acceptLink(nowMs: number, peer: NodeId): boolean {
    if (this.leaving || peer === this.selfId) return false;
    // At the cap, a newcomer is still let in when an old link can make room: first contact must not fail.
    if (!this.overlay.canAccept(peer) && this.overlay.sheddable(nowMs).length === 0) return false;
    this.overlay.markConnecting(peer, nowMs);
    this.maintenance.wakeBy(nowMs + 1);
    return true;
  }

  /** The link to `peer` is open (in either direction): sync whole tables, start probing. */
  linkUp(nowMs: number, peer: NodeId): Effect[] {
    if (this.leaving || peer === this.selfId) {
      this.out.push({ type: 'disconnect', to: peer });
      return this.flush();
    }
    const wasOpen = this.overlay.get(peer)?.state === 'open';
    // The hard bound holds whatever raced: attempts in both directions can complete at the same moment.
    if (!wasOpen && this.overlay.openCount() >= this.options.maxDegree + this.options.inboundSlack) {
      this.overlay.remove(peer);
      this.send(peer, { t: 'bye', reason: 'trim' });
      this.out.push({ type: 'disconnect', to: peer });
      return this.flush();
    }
    this.overlay.markOpen(peer, nowMs);
    if (wasOpen) return this.flush();
    this.liveness.add(peer, nowMs, this.rng.next() * this.options.pingIntervalMs);
    this.maintenance.linkOpened();
    this.table.recordOutcome(peer, true);
    this.emit({ type: 'neighbour:up', id: peer });
    // Whole tables cross a new link only where they are news: to a node that has not synced since it started,
    // and from a peer we had removed (most likely the far side of a healed partition). A peer we never heard
    // of is a newcomer: its hello carries all it has worth knowing.
    const want = !this.synced || this.table.get(peer)?.state === 'dead';
    if (want) this.awaitingSync.add(peer);
    this.send(peer, { t: 'sync', entries: [this.selfEntry()], want });
    return this.flush();
  }

  private sendWholeTable(peer: NodeId, nowMs: number): void {
    const entries = [this.selfEntry(), ...this.table.all().map((record) => this.table.toWire(record, nowMs))];
    for (const message of splitEntries('table', entries, this.options.maxMessageBytes)) this.send(peer, message);
  }

  /** The link to `peer` closed, or the attempt to open it failed. */
  linkDown(nowMs: number, peer: NodeId): Effect[] {
    const link = this.overlay.remove(peer);
    if (link === undefined) return this.flush();
    this.liveness.remove(peer);
    this.awaitingSync.delete(peer);
    if (link.state === 'connecting') {
      this.maintenance.connectFailed(peer, nowMs);
    } else {
      this.emit({ type: 'neighbour:down', id: peer });
      // An unannounced close (a closed tab, a dead network) is a reason to suspect; the peer can refute.
      if (!link.expectClose && !this.leaving && this.table.suspect(peer, nowMs)) {
        this.emit({ type: 'peer:suspect', id: peer });
        this.queueChange(peer, null, nowMs);
      }
    }
    this.maintenance.wakeBy(nowMs);
    return this.flush();
  }

  /** Leaves the mesh on purpose: neighbours learn it at once and spread it, instead of waiting for time-outs. */
  leave(_nowMs: number): Effect[] {
    if (this.leaving) return this.flush();
    const goodbye: WireEntry = { id: this.selfId, counter: this.selfCounter, state: 'dead', ageSec: 0 };
    for (const peer of this.overlay.openPeers()) {
      // The bye goes first: it names the reason ('left'); the news after it is for gossip that arrives late.
      this.send(peer, { t: 'bye', reason: 'leave' });
      this.send(peer, { t: 'news', entries: [goodbye] });
    }
    for (const peer of this.overlay.allPeers()) {
      this.overlay.remove(peer);
      this.out.push({ type: 'disconnect', to: peer });
    }
    this.leaving = true;
    return this.flush();
  }

  // ---- views ----------------------------------------------------------------------------------------------

  /** The node's own counter (heartbeat/incarnation). */
  get counter(): number {
    return this.selfCounter;
  }

  /** Every record, tombstones included, with score and neighbour flag. */
  peers(): PeerView[] {
    return this.table.all().map((record) => ({
      ...record,
      score: peerScore(record),
      neighbour: this.overlay.get(record.id)?.state === 'open',
    }));
  }

  /** IDs listed as members (alive or suspect), never the node itself. */
  members(): NodeId[] {
    return this.table.listedIds();
  }

  /** IDs of open links. */
  neighbours(): NodeId[] {
    return this.overlay.openPeers();
  }

  /** One peer's record with score and neighbour flag, if known. */
  peer(id: NodeId): PeerView | undefined {
    const record = this.table.get(id);
    return record === undefined
      ? undefined
      : { ...record, score: peerScore(record), neighbour: this.overlay.get(id)?.state === 'open' };
  }

  /** True if `id` is currently listed (alive or suspect). */
  lists(id: NodeId): boolean {
    return this.table.isListed(id);
  }

  /** A copy of the state worth persisting. */
  snapshot(): MembershipSnapshot {
    return { selfCounter: this.selfCounter, peers: this.table.all().map((record) => ({ ...record })) };
  }

  // ---- gossip ---------------------------------------------------------------------------------------------

  private selfEntry(): WireEntry {
    return { id: this.selfId, counter: this.selfCounter, state: 'alive', ageSec: 0 };
  }

  private entryFor(id: NodeId, nowMs: number): WireEntry | undefined {
    if (id === this.selfId) return this.selfEntry();
    const record = this.table.get(id);
    return record === undefined ? undefined : this.table.toWire(record, nowMs);
  }

  /**
   * Own entry, then corrections (newer versions of what the peer just showed us), then news (changes before
   * heartbeats) the peer did not just tell us, then anti-entropy probes: our stalest entries, which a neighbour
   * with newer counters corrects in its answer, and a few random ones. Bounded by `maxEntriesPerGossip`.
   */
  private buildGossip(nowMs: number, told: ReadonlyMap<NodeId, number>, corrections: readonly NodeId[] = []): WireEntry[] {
    const entries: WireEntry[] = [this.selfEntry()];
    const included = new Set<NodeId>([this.selfId]);
    for (const id of corrections.slice(0, this.options.maxEntriesPerGossip / 2)) {
      const entry = this.entryFor(id, nowMs);
      if (entry !== undefined && !included.has(id)) {
        entries.push(entry);
        included.add(id);
      }
    }
    const newsRoom = Math.max(0, this.options.maxEntriesPerGossip - entries.length - this.options.sampleEntries);
    const newsIds = this.news.take(newsRoom, (id) => {
      if (id === this.selfId) return true;
      const record = this.table.get(id);
      if (record === undefined) {
        this.news.drop(id);
        return true;
      }
      const theirs = told.get(id);
      return theirs !== undefined && theirs >= record.counter;
    });
    for (const id of newsIds) {
      const entry = this.entryFor(id, nowMs);
      if (entry !== undefined && !included.has(id)) {
        entries.push(entry);
        included.add(id);
      }
    }
    const room = Math.min(this.options.maxEntriesPerGossip - entries.length, this.options.sampleEntries);
    const probes = this.table.stalest(Math.ceil(room / 2), included);
    for (const record of probes) included.add(record.id);
    for (const record of [...probes, ...this.table.sample(room - probes.length, this.rng, included)]) {
      entries.push(this.table.toWire(record, nowMs));
    }
    return entries;
  }

  private gossipRound(nowMs: number): void {
    const target = pickOne(this.overlay.openPeers(), this.rng);
    if (target !== undefined) this.send(target, { t: 'push', entries: this.buildGossip(nowMs, new Map()) });
  }

  /**
   * Merges gossiped entries; what changed is reported and flooded. (A newcomer's first whole table floods
   * nowhere: its only link is the one the table came from.)
   */
  private mergeEntries(nowMs: number, entries: readonly WireEntry[], from: NodeId): void {
    for (const entry of entries) {
      if (entry.id === this.selfId) {
        this.mergeSelf(entry, nowMs);
        continue;
      }
      const before = this.table.get(entry.id)?.state;
      const outcome = this.table.merge(entry, nowMs);
      if (outcome === 'heartbeat') this.news.add(entry.id, 'heartbeat');
      if (outcome !== 'new' && outcome !== 'state') continue;
      this.reportChange(entry.id, before, entry.state);
      this.queueChange(entry.id, from, nowMs);
      // A neighbour reported dead keeps its link: if it is alive it hears the news from us and refutes; if it
      // is not, our own probes close the link.
      if (entry.state === 'dead' && this.overlay.get(entry.id)?.state === 'open') this.tellIfDoubted(entry.id, nowMs);
    }
  }

  /** Hearing our own entry with a worse state (or a higher counter) at or above our counter: refute it. */
  private mergeSelf(entry: WireEntry, nowMs: number): void {
    const doubted = entry.state !== 'alive' && entry.counter >= this.selfCounter;
    const outrun = entry.state === 'alive' && entry.counter > this.selfCounter;
    if ((!doubted && !outrun) || entry.counter - this.selfCounter > MAX_COUNTER_JUMP || this.leaving) return;
    this.selfCounter = Math.min(MAX_COUNTER - 1, entry.counter + 1);
    this.stats.refutations++;
    this.emit({ type: 'self:refute', counter: this.selfCounter });
    this.queueChange(this.selfId, null, nowMs);
  }

  private reportChange(id: NodeId, before: PeerRecord['state'] | undefined, after: PeerRecord['state']): void {
    if (after === 'dead') this.emit({ type: 'peer:remove', id, reason: 'dead' });
    else if (after === 'suspect') this.emit({ type: before === undefined || before === 'dead' ? 'peer:join' : 'peer:suspect', id });
    else this.emit({ type: before === 'suspect' ? 'peer:alive' : 'peer:join', id });
  }

  /** Queues a membership change for pushes/pulls and for the batched flood to all neighbours. */
  private queueChange(id: NodeId, source: NodeId | null, nowMs: number): void {
    this.news.add(id, 'change');
    this.pendingFlood.set(id, source);
    if (this.floodAtMs === Infinity) this.floodAtMs = nowMs + this.options.floodDelayMs;
  }

  private flushFlood(nowMs: number): void {
    const pending = [...this.pendingFlood];
    this.pendingFlood.clear();
    this.floodAtMs = Infinity;
    for (const peer of this.overlay.openPeers()) {
      const entries: WireEntry[] = [];
      for (const [id, source] of pending) {
        if (source === peer || id === peer) continue;
        const entry = this.entryFor(id, nowMs);
        if (entry !== undefined) entries.push(entry);
      }
      if (entries.length === 0) continue;
      for (const message of splitEntries('news', entries, this.options.maxMessageBytes)) this.send(peer, message);
    }
  }

  /** A neighbour that others suspect or declared dead is told directly, so it can refute at once. */
  private tellIfDoubted(peer: NodeId, nowMs: number): void {
    const record = this.table.get(peer);
    if (record !== undefined && record.state !== 'alive') {
      this.send(peer, { t: 'news', entries: [this.table.toWire(record, nowMs)] });
    }
  }

  // ---- liveness -------------------------------------------------------------------------------------------

  private runProbes(nowMs: number): void {
    const actions = this.liveness.due(nowMs);
    for (const { peer, nonce } of actions.pings) this.send(peer, { t: 'ping', nonce });
    for (const peer of actions.failed) {
      this.stats.probesFailed++;
      this.table.recordOutcome(peer, false);
      if (this.table.get(peer)?.state === 'dead') this.maintenance.dropLink(peer);
      if (this.table.suspect(peer, nowMs)) {
        this.emit({ type: 'peer:suspect', id: peer });
        this.queueChange(peer, null, nowMs);
      }
    }
  }

  private declareDead(id: NodeId, nowMs: number, source: NodeId | null): void {
    if (!this.table.markDead(id, nowMs)) return;
    this.emit({ type: 'peer:remove', id, reason: 'dead' });
    this.queueChange(id, source, nowMs);
    this.maintenance.dropLink(id);
  }

  private cleanup(nowMs: number): void {
    this.nextCleanupMs = nowMs + this.options.cleanupIntervalMs;
    for (const id of this.table.sweep(nowMs)) {
      this.emit({ type: 'peer:remove', id, reason: 'stale' });
      this.queueChange(id, null, nowMs);
      this.maintenance.dropLink(id);
    }
    this.overlay.pruneBackoff((peer) => this.table.get(peer) !== undefined);
  }

  // ---- output ---------------------------------------------------------------------------------------------

  private send(to: NodeId, message: MembershipMessage): void {
    this.stats.messagesOut++;
    this.out.push({ type: 'send', to, message });
  }

  private emit(event: MembershipEvent): void {
    this.out.push({ type: 'event', event });
  }

  private flush(): Effect[] {
    const effects = this.out;
    this.out = [];
    return effects;
  }
}
