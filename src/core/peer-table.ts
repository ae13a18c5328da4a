import type { MembershipOptions } from './options';
import { randomInt, type Rng } from './random';
import { isNodeId, MAX_COUNTER, type NodeId, type PeerState, type WireEntry } from './wire';

/** What one node knows about one peer. Times are this node's local milliseconds. */
export interface PeerRecord {
  readonly id: NodeId;
  /** Highest counter heard; only the peer itself advances it. */
  counter: number;
  state: PeerState;
  /** Local time of the latest *evidence* the peer was alive (its own message, or a newer counter). */
  lastSeenMs: number;
  /** Local time the state last changed (starts suspicion and tombstone clocks). */
  stateChangedMs: number;
  /** Successful probes and connections, for the score. */
  successes: number;
  /** Failed probes and connections, for the score. */
  failures: number;
}

/** How a merged entry changed the table; only `new` and `state` are membership news worth flooding. */
export type MergeOutcome = 'ignored' | 'new' | 'heartbeat' | 'state' | 'tombstone';

/** Why a peer left the table's listed set. */
export type RemovalReason = 'dead' | 'stale' | 'left';

const STATE_RANK: Record<PeerState, number> = { alive: 0, suspect: 1, dead: 2 };

/** Largest counter step believed in one message: a bigger jump is a forged or corrupt counter, not a heartbeat. */
export const MAX_COUNTER_JUMP = 2 ** 24;

/**
 * Score in (0, 1) from a peer's history: Laplace's rule of succession, so a new peer starts at 0.5 and one
 * failure among many successes barely moves it.
 */
export function peerScore(record: Pick<PeerRecord, 'successes' | 'failures'>): number {
  return (record.successes + 1) / (record.successes + record.failures + 2);
}

/** A saved record is only trusted if it could have come from this table (storage may be stale or corrupt). */
function isRestorable(record: PeerRecord): boolean {
  return (
    isNodeId(record.id) &&
    Number.isSafeInteger(record.counter) && record.counter >= 0 && record.counter < MAX_COUNTER &&
    Object.hasOwn(STATE_RANK, record.state) &&
    Number.isFinite(record.lastSeenMs) && Number.isFinite(record.stateChangedMs)
  );
}

/**
 * The peer table: at most one record per ID, never the node's own ID. Records keep LastSeen as evidence, not
 * hearsay: re-hearing an old counter never refreshes it, and tombstones keep stale gossip from resurrecting
 * removed peers. Holds an array beside the map so that random samples cost O(sample), not O(table).
 */
export class PeerTable {
  private readonly records = new Map<NodeId, PeerRecord>();
  private readonly order: NodeId[] = [];
  private readonly position = new Map<NodeId, number>();
  /** IDs in state `suspect`, kept apart so that suspicion deadlines cost O(suspects), not O(table). */
  private readonly suspects = new Set<NodeId>();

  constructor(
    private readonly selfId: NodeId,
    private readonly options: MembershipOptions,
  ) {}

  /** Number of records, tombstones included. */
  get size(): number {
    return this.order.length;
  }

  /** The record for `id`, if any. */
  get(id: NodeId): PeerRecord | undefined {
    return this.records.get(id);
  }

  /** All records (do not mutate the result's order). */
  all(): readonly PeerRecord[] {
    return this.order.map((id) => this.records.get(id) as PeerRecord);
  }

  /** IDs of peers currently listed as members (alive or suspect). */
  listedIds(): NodeId[] {
    return this.order.filter((id) => this.records.get(id)?.state !== 'dead');
  }

  /** True if `id` is listed as a member (alive or suspect). */
  isListed(id: NodeId): boolean {
    const record = this.records.get(id);
    return record !== undefined && record.state !== 'dead';
  }

  /** A record as gossip: the age of our evidence is a duration, so the receiver never reads our clock. */
  toWire(record: PeerRecord, nowMs: number): WireEntry {
    const ageSec = Math.max(0, Math.floor((nowMs - record.lastSeenMs) / 1000));
    return { id: record.id, counter: record.counter, state: record.state, ageSec };
  }

  /** Up to `count` distinct random records (any state), skipping IDs in `exclude`. */
  sample(count: number, rng: Rng, exclude: ReadonlySet<NodeId>): PeerRecord[] {
    const picked: PeerRecord[] = [];
    const chosen = new Set<NodeId>();
    // Rejection sampling with a bounded number of tries: cheap when the table is large, exact enough when small.
    for (let tries = 0; picked.length < count && tries < count * 4 && this.order.length > 0; tries++) {
      const id = this.order[randomInt(rng, this.order.length)] as NodeId;
      if (chosen.has(id) || exclude.has(id)) continue;
      chosen.add(id);
      picked.push(this.records.get(id) as PeerRecord);
    }
    return picked;
  }

  /**
   * Up to `count` listed records with the oldest LastSeen, skipping `exclude`: the entries most likely to have
   * missed an update, sent as probes so that a neighbour with a newer counter corrects them. O(table · count).
   */
  stalest(count: number, exclude: ReadonlySet<NodeId>): PeerRecord[] {
    const oldest: PeerRecord[] = [];
    if (count <= 0) return oldest;
    for (const record of this.records.values()) {
      if (record.state === 'dead' || exclude.has(record.id)) continue;
      if (oldest.length === count && record.lastSeenMs >= (oldest[count - 1] as PeerRecord).lastSeenMs) continue;
      let i = Math.min(oldest.length, count - 1);
      oldest[i] = record;
      while (i > 0 && (oldest[i - 1] as PeerRecord).lastSeenMs > record.lastSeenMs) {
        oldest[i] = oldest[i - 1] as PeerRecord;
        oldest[--i] = record;
      }
    }
    return oldest;
  }

  /** True when our record of `entry.id` is newer than `entry` (so the sender would learn from ours). */
  isNewerThan(entry: WireEntry): boolean {
    const held = this.records.get(entry.id);
    if (held === undefined) return false;
    return held.counter > entry.counter || (held.counter === entry.counter && STATE_RANK[held.state] > STATE_RANK[entry.state]);
  }

  /**
   * Merges one gossiped entry. Precedence follows SWIM with a single owner-advanced counter: a higher counter
   * wins; at an equal counter the worse state wins (alive < suspect < dead); anything else is ignored, so old
   * counters never refresh LastSeen and never undo a removal.
   */
  merge(entry: WireEntry, nowMs: number): MergeOutcome {
    if (entry.id === this.selfId) return 'ignored';
    const evidenceMs = nowMs - entry.ageSec * 1000;
    const held = this.records.get(entry.id);
    if (held === undefined) return this.mergeUnknown(entry, nowMs, evidenceMs);
    if (entry.counter > held.counter) {
      if (entry.counter - held.counter > MAX_COUNTER_JUMP) return 'ignored';
      const stateChanged = held.state !== entry.state;
      held.counter = entry.counter;
      // A newer counter proves the peer was alive when it made it, even inside a suspicion or death notice.
      held.lastSeenMs = Math.max(held.lastSeenMs, Math.min(nowMs, evidenceMs));
      if (!stateChanged) return 'heartbeat';
      this.setState(held, entry.state, nowMs);
      return 'state';
    }
    if (entry.counter === held.counter && STATE_RANK[entry.state] > STATE_RANK[held.state]) {
      this.setState(held, entry.state, nowMs);
      return 'state';
    }
    return 'ignored';
  }

  private mergeUnknown(entry: WireEntry, nowMs: number, evidenceMs: number): MergeOutcome {
    // Evidence already older than the stale limit would be removed at the next cleanup: never add it.
    if (entry.state !== 'dead' && nowMs - evidenceMs >= this.options.staleAfterMs) return 'ignored';
    if (!this.makeRoom()) return 'ignored';
    this.insert({
      id: entry.id,
      counter: entry.counter,
      state: entry.state,
      lastSeenMs: evidenceMs,
      stateChangedMs: nowMs,
      successes: 0,
      failures: 0,
    });
    return entry.state === 'dead' ? 'tombstone' : 'new';
  }

  /** A message arrived from the peer itself: the strongest evidence there is. */
  observeDirect(id: NodeId, nowMs: number): void {
    const record = this.records.get(id);
    if (record !== undefined && record.state !== 'dead') record.lastSeenMs = nowMs;
  }

  /** Marks a listed peer suspect at its current counter (our own probe failed). Returns true if it changed. */
  suspect(id: NodeId, nowMs: number): boolean {
    const record = this.records.get(id);
    if (record === undefined || record.state !== 'alive') return false;
    this.setState(record, 'suspect', nowMs);
    return true;
  }

  /** Turns a listed peer into a tombstone at its current counter. Returns true if it changed. */
  markDead(id: NodeId, nowMs: number): boolean {
    const record = this.records.get(id);
    if (record === undefined || record.state === 'dead') return false;
    this.setState(record, 'dead', nowMs);
    return true;
  }

  /** Counts a success or failure toward the peer's score. */
  recordOutcome(id: NodeId, success: boolean): void {
    const record = this.records.get(id);
    if (record === undefined) return;
    if (success) record.successes++;
    else record.failures++;
  }

  /** Suspects whose suspicion time-out ran out at `nowMs`. */
  expiredSuspects(nowMs: number): NodeId[] {
    const due: NodeId[] = [];
    for (const id of this.suspects) {
      const record = this.records.get(id) as PeerRecord;
      if (nowMs - record.stateChangedMs >= this.options.suspicionTimeoutMs) due.push(id);
    }
    return due;
  }

  /**
   * Moves every current suspicion's start `byMs` later: this node was away that long (its timers stalled), and
   * a suspect's time to refute runs only while the node that suspects it is awake.
   */
  postponeSuspicions(byMs: number): void {
    for (const id of this.suspects) (this.records.get(id) as PeerRecord).stateChangedMs += byMs;
  }

  /** Earliest local time a current suspicion runs out, or Infinity. */
  nextSuspicionDeadlineMs(): number {
    let earliest = Infinity;
    for (const id of this.suspects) {
      const record = this.records.get(id) as PeerRecord;
      earliest = Math.min(earliest, record.stateChangedMs + this.options.suspicionTimeoutMs);
    }
    return earliest;
  }

  /**
   * The periodic clean-up: listed peers without evidence for `staleAfterMs` become tombstones (returned), and
   * tombstones older than `tombstoneTtlMs` are forgotten. By then every copy of the peer's last counter carries an
   * age beyond the stale limit, so forgetting cannot let it come back.
   */
  sweep(nowMs: number): NodeId[] {
    const staled: NodeId[] = [];
    for (const record of [...this.records.values()]) {
      if (record.state === 'dead') {
        if (nowMs - record.stateChangedMs >= this.options.tombstoneTtlMs) this.remove(record.id);
      } else if (nowMs - record.lastSeenMs >= this.options.staleAfterMs) {
        this.setState(record, 'dead', nowMs);
        staled.push(record.id);
      }
    }
    return staled;
  }

  /** Restores a record from a snapshot (persistence across reloads); invalid or own IDs are ignored. */
  restore(record: PeerRecord): void {
    if (!isRestorable(record) || record.id === this.selfId || this.records.has(record.id) || !this.makeRoom()) return;
    this.insert({ ...record });
  }

  private makeRoom(): boolean {
    if (this.order.length < this.options.maxTableEntries) return true;
    // Full: forget the oldest tombstone; never evict a listed member to make room for hearsay.
    let oldest: PeerRecord | undefined;
    for (const record of this.records.values()) {
      if (record.state === 'dead' && (oldest === undefined || record.stateChangedMs < oldest.stateChangedMs)) oldest = record;
    }
    if (oldest === undefined) return false;
    this.remove(oldest.id);
    return true;
  }

  private setState(record: PeerRecord, state: PeerState, nowMs: number): void {
    record.state = state;
    record.stateChangedMs = nowMs;
    if (state === 'suspect') this.suspects.add(record.id);
    else this.suspects.delete(record.id);
  }

  private insert(record: PeerRecord): void {
    if (record.state === 'suspect') this.suspects.add(record.id);
    this.records.set(record.id, record);
    this.position.set(record.id, this.order.length);
    this.order.push(record.id);
  }

  private remove(id: NodeId): void {
    const index = this.position.get(id);
    if (index === undefined) return;
    const last = this.order.pop() as NodeId;
    if (last !== id) {
      this.order[index] = last;
      this.position.set(last, index);
    }
    this.position.delete(id);
    this.records.delete(id);
    this.suspects.delete(id);
  }
}
