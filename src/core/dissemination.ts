/**
 * Dissemination: how what this node knows reaches the others. Every `gossipIntervalMs` a push to one random
 * neighbour, which answers with a pull; both carry our own entry, queued news (membership changes first, then
 * heartbeats, each passed on a bounded number of times) and anti-entropy probes. Membership changes are also
 * flooded to every neighbour at once, batched per `floodDelayMs`.
 */
import { NewsQueue } from './news';
import type { MembershipOptions } from './options';
import type { Outbox } from './outbox';
import type { OwnEntry } from './own-entry';
import type { PeerTable } from './peer-table';
import { pickOne, type Rng } from './random';
import { splitEntries, type NodeId, type WireEntry } from './wire';

/** What dissemination needs: it reads the table and the neighbour list, and only ever sends. */
export interface DisseminationDeps {
  readonly selfId: NodeId;
  readonly options: MembershipOptions;
  readonly rng: Rng;
  readonly table: Pick<PeerTable, 'get' | 'toWire' | 'isNewerThan' | 'stalest' | 'sample'>;
  readonly own: Pick<OwnEntry, 'entry'>;
  /** IDs of the open links. */
  readonly neighbours: () => NodeId[];
  readonly out: Pick<Outbox, 'send'>;
}

/** The gossip rounds, the news queue and the flood of membership changes. */
export class Dissemination {
  private readonly news: NewsQueue;
  private nextGossipMs = Infinity;
  private floodAtMs = Infinity;
  /** Changed IDs waiting to be flooded, each with the neighbour it came from (which needs no copy back). */
  private readonly pendingFlood = new Map<NodeId, NodeId | null>();

  constructor(private readonly deps: DisseminationDeps) {
    this.news = new NewsQueue(deps.options.newsTransmits, deps.options.heartbeatTransmits);
  }

  /** Arms the gossip timer at a random phase, so that nodes started together do not push in lockstep. */
  start(nowMs: number): void {
    this.nextGossipMs = nowMs + this.deps.rng.next() * this.deps.options.gossipIntervalMs;
  }

  /** Earliest local time a gossip round or a flood is due. */
  nextWakeMs(): number {
    return Math.min(this.nextGossipMs, this.floodAtMs);
  }

  /** A membership change of `id` (heard from `source`, or found here): queued for pushes, pulls and the flood. */
  changed(id: NodeId, source: NodeId | null, nowMs: number): void {
    this.news.add(id, 'change');
    this.pendingFlood.set(id, source);
    if (this.floodAtMs === Infinity) this.floodAtMs = nowMs + this.deps.options.floodDelayMs;
  }

  /** A newer counter of `id`: passed on in pushes and pulls (never flooded: heartbeats are not news enough). */
  heartbeat(id: NodeId): void {
    this.news.add(id, 'heartbeat');
  }

  /** Pushes to one random neighbour if a round is due; returns true if a round was due. */
  gossipIfDue(nowMs: number): boolean {
    if (nowMs < this.nextGossipMs) return false;
    const target = pickOne(this.deps.neighbours(), this.deps.rng);
    if (target !== undefined) this.deps.out.send(target, { t: 'push', entries: this.buildGossip(nowMs, new Map()) });
    this.nextGossipMs = Math.max(this.nextGossipMs + this.deps.options.gossipIntervalMs, nowMs + 1);
    return true;
  }

  /** Answers a push (already merged) with a pull. */
  answerPush(from: NodeId, pushed: readonly WireEntry[], nowMs: number): void {
    const told = new Map(pushed.map((entry) => [entry.id, entry.counter]));
    // Anti-entropy: whatever the pusher showed us in an older version than ours goes back first.
    const corrections = pushed.filter((entry) => entry.id !== this.deps.selfId && this.deps.table.isNewerThan(entry));
    this.deps.out.send(from, { t: 'pull', entries: this.buildGossip(nowMs, told, corrections.map((entry) => entry.id)) });
  }

  /** Floods the batched changes to every neighbour, if the batch is due. */
  flushIfDue(nowMs: number): void {
    if (nowMs < this.floodAtMs) return;
    const pending = [...this.pendingFlood];
    this.pendingFlood.clear();
    this.floodAtMs = Infinity;
    for (const peer of this.deps.neighbours()) {
      const entries: WireEntry[] = [];
      for (const [id, source] of pending) {
        if (source === peer || id === peer) continue;
        const entry = this.entryFor(id, nowMs);
        if (entry !== undefined) entries.push(entry);
      }
      if (entries.length === 0) continue;
      for (const message of splitEntries('news', entries, this.deps.options.maxMessageBytes)) this.deps.out.send(peer, message);
    }
  }

  /**
   * Own entry, then corrections (newer versions of what the peer just showed us), then news (changes before
   * heartbeats) the peer did not just tell us, then anti-entropy probes: our stalest entries, which a neighbour
   * with newer counters corrects in its answer, and a few random ones. Bounded by `maxEntriesPerGossip`.
   */
  private buildGossip(nowMs: number, told: ReadonlyMap<NodeId, number>, corrections: readonly NodeId[] = []): WireEntry[] {
    const { options, table, rng } = this.deps;
    const entries: WireEntry[] = [this.deps.own.entry()];
    const included = new Set<NodeId>([this.deps.selfId]);
    const include = (id: NodeId): void => {
      const entry = this.entryFor(id, nowMs);
      if (entry !== undefined && !included.has(id)) {
        entries.push(entry);
        included.add(id);
      }
    };
    for (const id of corrections.slice(0, options.maxEntriesPerGossip / 2)) include(id);
    const newsRoom = Math.max(0, options.maxEntriesPerGossip - entries.length - options.sampleEntries);
    for (const id of this.news.take(newsRoom, (candidate) => this.knownTo(candidate, told))) include(id);
    const room = Math.min(options.maxEntriesPerGossip - entries.length, options.sampleEntries);
    const probes = table.stalest(Math.ceil(room / 2), included);
    for (const record of probes) included.add(record.id);
    for (const record of [...probes, ...table.sample(room - probes.length, rng, included)]) {
      entries.push(table.toWire(record, nowMs));
    }
    return entries;
  }

  /** News not worth its room: our own entry (always first anyway), a forgotten record, or what the peer just told us. */
  private knownTo(id: NodeId, told: ReadonlyMap<NodeId, number>): boolean {
    if (id === this.deps.selfId) return true;
    const record = this.deps.table.get(id);
    if (record === undefined) {
      this.news.drop(id);
      return true;
    }
    const theirs = told.get(id);
    return theirs !== undefined && theirs >= record.counter;
  }

  private entryFor(id: NodeId, nowMs: number): WireEntry | undefined {
    if (id === this.deps.selfId) return this.deps.own.entry();
    const record = this.deps.table.get(id);
    return record === undefined ? undefined : this.deps.table.toWire(record, nowMs);
  }
}
