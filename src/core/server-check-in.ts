/**
 * Check-ins with the signaling server after a member left. The server introduces newcomers only to members that
 * hold one of the room's introducer sockets; the mesh cannot tell which members those are, so when every one of
 * them has gone (left, crashed) newcomers would be introduced to nobody of this mesh and form a mesh of their
 * own: an island. Hence, whenever a member is removed, the few members that follow it in ID order go back to the
 * server once: the pool may have room for them now (they refill it), and the server introduces them to whoever
 * holds the pool meanwhile, so a mesh that formed apart is dialled and merged (`OverlayMaintenance.introduced`).
 *
 * Costs nothing at rest (no removal, no check-in). Per removal, `CHECK_IN_SUCCESSORS` members check in, each at
 * most once per pending check-in, so a wave of departures makes no herd. A check-in that gets no answer (server
 * unreachable) is retried with back-off up to `CHECK_IN_RETRY_MAX_MS`, which bounds the time to merge once the
 * server is reachable again.
 *
 * The same check-in also follows a first contact gone wrong: when introductions named members that the table still
 * has never heard of once this node's mesh has sent its table over a link, those members are of another mesh (two
 * newcomers can meet only each other while the members they were introduced to are full). A few such placement
 * checks per node (`PLACEMENT_CHECKS_MAX`, `PLACEMENT_DELAY_MS` after introductions, doubling) and only while linked: at rest, or
 * when every introduced member is listed, they cost nothing.
 */
import type { MembershipOptions } from './options';
import type { Outbox } from './outbox';
import type { PeerTable } from './peer-table';
import { jitter, type Rng } from './random';
import type { NodeId } from './wire';

/** Members after a removed one (in ID order, wrapping) that check in: every node can tell alone whether it is one. */
export const CHECK_IN_SUCCESSORS = 2;
/** Delay before a check-in, ±50 %: departures that come together (a household closing its tabs) make one. */
export const CHECK_IN_DELAY_MS = 3_000;
/** Largest back-off between retries of an unanswered check-in (±50 %). */
export const CHECK_IN_RETRY_MAX_MS = 60_000;
/** Delay from introductions to the check that the table has heard of their members (doubling per check). */
export const PLACEMENT_DELAY_MS = 5_000;
/** Placement checks a node makes in its life at most: a stranger can refuse a link while its links are full. */
export const PLACEMENT_CHECKS_MAX = 3;

/** What the check-in needs: the listed members, and a way to ask the server. */
export interface ServerCheckInDeps {
  readonly selfId: NodeId;
  readonly options: Pick<MembershipOptions, 'retryBaseMs'>;
  readonly rng: Rng;
  readonly table: Pick<PeerTable, 'listedIds' | 'get'>;
  readonly out: Pick<Outbox, 'introduce'>;
  /** True while this node has an open link (an isolated node asks the server anyway). */
  readonly linked: () => boolean;
}

/** One node's check-ins. */
export class ServerCheckIn {
  /** A removal asked for a check-in that is not scheduled yet (it is, at the next tick: removals carry no time). */
  private wanted = false;
  /** When the check-in (or its retry) is due; Infinity when none is pending. */
  private dueMs = Infinity;
  private backoffMs = 0;
  /** Introduced members to find in the table at `placementDueMs`; placement checks made so far. */
  private unplaced: NodeId[] = [];
  private placementDueMs = Infinity;
  private placementChecks = 0;

  constructor(private readonly deps: ServerCheckInDeps) {}

  /** Member `id` was removed (left, dead or stale, by our own finding or by hearsay). */
  memberGone(id: NodeId): void {
    if (isSuccessor(this.deps.selfId, id, this.deps.table.listedIds(), CHECK_IN_SUCCESSORS)) this.wanted = true;
  }

  /** Earliest local time at which `tick` has work (-Infinity: at once). */
  nextWakeMs(): number {
    return this.wanted ? -Infinity : Math.min(this.dueMs, this.placementDueMs);
  }

  /** Schedules a wanted check-in, and asks the server when one is due. */
  tick(nowMs: number): void {
    this.checkPlacement(nowMs);
    if (this.wanted) {
      this.wanted = false;
      // A check-in already pending covers this removal too.
      if (this.dueMs === Infinity) this.dueMs = nowMs + jitter(CHECK_IN_DELAY_MS, 0.5, this.deps.rng);
    }
    if (nowMs < this.dueMs) return;
    this.backoffMs = Math.min(CHECK_IN_RETRY_MAX_MS, Math.max(this.deps.options.retryBaseMs, this.backoffMs * 2));
    // Retried unless answered first (`answered`): the driver reports no failures, only answers.
    this.dueMs = nowMs + jitter(this.backoffMs, 0.5, this.deps.rng);
    this.deps.out.introduce('check-in');
  }

  /** The server answered (any request for introductions): the pending check-in is done. */
  answered(): void {
    this.dueMs = Infinity;
    this.backoffMs = 0;
  }

  /** The server introduced `peers`: unless the table has heard of them all by the check's time, this node checks in. */
  introduced(peers: readonly NodeId[], nowMs: number): void {
    if (this.placementChecks >= PLACEMENT_CHECKS_MAX) return;
    const fresh = peers.filter((peer) => peer !== this.deps.selfId);
    if (fresh.length === 0) return;
    this.unplaced = fresh;
    if (this.placementDueMs === Infinity) {
      // No jitter: the delay runs from this node's own introductions, and the check-in it may lead to is jittered.
      this.placementDueMs = nowMs + PLACEMENT_DELAY_MS * 2 ** this.placementChecks;
    }
  }

  private checkPlacement(nowMs: number): void {
    if (nowMs < this.placementDueMs) return;
    this.placementDueMs = Infinity;
    // Never heard of: a member that left or died meanwhile is known (a tombstone), not of another mesh.
    const unplaced = this.unplaced.filter((peer) => this.deps.table.get(peer) === undefined);
    this.unplaced = [];
    if (unplaced.length === 0 || !this.deps.linked()) return;
    this.placementChecks++;
    this.wanted = true;
  }
}

/**
 * True when fewer than `k` listed members lie strictly between `gone` and `self` in ID order (wrapping): `self`
 * is then one of the `k` members that follow `gone`. O(members), no sorting.
 */
export function isSuccessor(self: NodeId, gone: NodeId, listed: readonly NodeId[], k: number): boolean {
  let between = 0;
  for (const id of listed) {
    if (id === self || id === gone) continue;
    const inside = gone < self ? id > gone && id < self : id > gone || id < self;
    if (inside && ++between >= k) return false;
  }
  return true;
}
