/**
 * Overlay maintenance: whom this node links with, and when. Keeps the degree between target and maximum (random
 * replacements, best of three by score), sheds excess links, retries removed peers now and then (partition
 * healing), rewires one old link now and then (so the overlay does not keep the shape of its join order), asks
 * the signaling server for introductions only when isolated, and dials an introduced member it never heard of
 * (another mesh of the room: the link merges the two). It decides; `LinkLifecycle` carries attempts and closes
 * out and keeps the books.
 *
 * A node with links never polls the server: its first link brings it the whole table of its mesh, so whatever it
 * does not know belongs to another mesh, which only the server can introduce. A room smaller than the target
 * degree is complete once every member is linked, and asks nothing either; meshes that formed apart meet through
 * the check-ins after removals (`server-check-in.ts`) and introducer rejoins (driver).
 */
import type { LinkLifecycle } from './link-lifecycle';
import type { MembershipOptions } from './options';
import type { Outbox } from './outbox';
import type { OverlayView } from './overlay';
import { peerScore, type PeerTable } from './peer-table';
import { jitter, type Rng } from './random';
import type { NodeId } from './wire';

/** What maintenance needs: it reads the table and the overlay, and acts through the link lifecycle. */
export interface OverlayMaintenanceDeps {
  readonly selfId: NodeId;
  readonly options: MembershipOptions;
  readonly rng: Rng;
  readonly table: Pick<PeerTable, 'sample' | 'get'>;
  readonly overlay: OverlayView;
  readonly links: Pick<LinkLifecycle, 'attempt' | 'shed'>;
  readonly out: Pick<Outbox, 'introduce'>;
}

/** The overlay side of one membership core. */
export class OverlayMaintenance {
  private nextMaintainMs = Infinity;
  private nextRetryDeadMs = Infinity;
  private nextRewireMs = Infinity;
  /** When an isolated node may next ask for introductions, and the current back-off. */
  private nextIntroductionMs = -Infinity;
  private introductionBackoffMs = 0;
  /** Periodic rewiring on (the driver turns it off when the browser's connection budget runs low). */
  private rewiring = true;
  /** Members dialled because the server introduced them and the table did not know them: their links merge meshes. */
  private readonly strangers = new Set<NodeId>();

  constructor(private readonly deps: OverlayMaintenanceDeps) {}

  /** Arms the periodic timers (retry of removed peers, rewiring). */
  start(nowMs: number): void {
    const { options, rng } = this.deps;
    this.nextRetryDeadMs = nowMs + jitter(options.retryDeadIntervalMs, 0.5, rng);
    this.nextRewireMs = options.rewireIntervalMs > 0 ? nowMs + jitter(options.rewireIntervalMs, 0.5, rng) : Infinity;
  }

  /** Earliest local time at which `tick` has work. */
  nextWakeMs(): number {
    return Math.min(this.nextRetryDeadMs, this.nextRewireMs, this.nextMaintainMs);
  }

  /** Maintenance is due no later than `atMs`. */
  wakeBy(atMs: number): void {
    this.nextMaintainMs = Math.min(this.nextMaintainMs, atMs);
  }

  /**
   * The local time from which the core asks the signaling server for introductions again, should it still be
   * isolated; -Infinity before its first request.
   */
  introductionDueMs(): number {
    return this.nextIntroductionMs;
  }

  /** Turns periodic rewiring off or on again (repairs and replacements go on either way). */
  setRewiring(enabled: boolean): void {
    this.rewiring = enabled;
  }

  /**
   * A link opened: the next isolation starts its introduction back-off afresh. True when the peer was a stranger
   * dialled from introductions (the link joins two meshes: whole tables go both ways, see `TableSync`).
   */
  linkOpened(peer: NodeId): boolean {
    this.introductionBackoffMs = 0;
    return this.strangers.delete(peer);
  }

  /** A link or attempt ended: a stranger's attempt is over. */
  linkClosed(peer: NodeId): void {
    this.strangers.delete(peer);
  }

  /**
   * Introductions from the signaling server (first contact, after isolation, a check-in or an introducer's
   * rejoin): dials them within the budget, and one member the table has never heard of even when the links are
   * full. Such a member cannot be of this mesh (a link brings the whole table), so it is of a mesh that formed
   * apart: one link between the two merges their tables, and the overlay sheds an old link later if need be.
   */
  introduced(peers: readonly NodeId[], nowMs: number): void {
    const { selfId, overlay, table } = this.deps;
    // A first contact is no merge: a node without links knows nobody, and its budget covers its first dials.
    const linked = overlay.openCount() > 0;
    const isStranger = (peer: NodeId): boolean => linked && peer !== selfId && table.get(peer) === undefined;
    for (const peer of peers.slice(0, this.dialBudget())) this.dialIntroduced(peer, isStranger(peer), nowMs);
    if (!linked || peers.some((peer) => this.strangers.has(peer))) return;
    const stranger = peers.find((peer) => isStranger(peer) && overlay.canDial(peer, nowMs));
    if (stranger === undefined) return;
    if (!this.makeRoom(nowMs)) return;
    this.dialIntroduced(stranger, true, nowMs);
  }

  /** Dials an introduction; a stranger's link is remembered as one that joins two meshes. */
  private dialIntroduced(peer: NodeId, stranger: boolean, nowMs: number): void {
    if (stranger) this.strangers.add(peer);
    this.dial(peer, nowMs);
    if (this.deps.overlay.get(peer) === undefined) this.strangers.delete(peer);
  }


  /** Runs what is due: retry of a removed peer, rewiring, then degree maintenance. */
  tick(nowMs: number): void {
    if (nowMs >= this.nextRetryDeadMs) this.retryDead(nowMs);
    if (nowMs >= this.nextRewireMs) this.rewire(nowMs);
    if (nowMs >= this.nextMaintainMs) this.maintain(nowMs);
  }

  /**
   * Attempts that may start now: up to the target degree once a link is open (those are signaled through the
   * mesh), but only `firstContacts` while none is (those go through the server, which is for first contact only).
   */
  dialBudget(): number {
    const { options, overlay } = this.deps;
    const room = options.targetDegree - overlay.totalCount();
    if (overlay.openCount() > 0) return Math.max(0, room);
    return Math.max(0, Math.min(room, options.firstContacts - overlay.totalCount()));
  }

  /** Starts a connection attempt to `peer` (within the degree bound and its back-off). */
  dial(peer: NodeId, nowMs: number): void {
    const { selfId, overlay, options } = this.deps;
    if (peer === selfId || !overlay.canDial(peer, nowMs)) return;
    if (overlay.totalCount() >= options.maxDegree) return;
    this.deps.links.attempt(peer, nowMs);
  }

  /**
   * Keeps the degree between target and maximum: dials replacements (best score among three random
   * candidates, so good peers are preferred without making the overlay less random) and sheds excess links
   * that are old enough.
   */
  private maintain(nowMs: number): void {
    const { options, overlay, table, rng } = this.deps;
    this.nextMaintainMs = Infinity;
    const deficit = Math.min(options.targetDegree - overlay.totalCount(), this.dialBudget());
    if (deficit > 0) {
      const pool = table.sample(deficit * 6, rng, new Set()).filter((record) => record.state === 'alive' && overlay.canDial(record.id, nowMs));
      for (let slot = 0; slot < deficit && pool.length > 0; slot++) {
        // Best of (up to) three by score; only the chosen one leaves the pool, so small tables still fill every slot.
        let bestIndex = 0;
        for (let i = 1; i < Math.min(3, pool.length); i++) {
          if (peerScore(pool[i] as (typeof pool)[number]) > peerScore(pool[bestIndex] as (typeof pool)[number])) bestIndex = i;
        }
        const [best] = pool.splice(bestIndex, 1);
        if (best !== undefined) this.dial(best.id, nowMs);
      }
      // Isolated: back to the server. A node with a link never asks (its mesh's table came over that link).
      if (overlay.totalCount() === 0) this.askForIntroductions(nowMs);
      if (overlay.totalCount() < options.targetDegree) this.wakeBy(nowMs + options.gossipIntervalMs / 4);
    }
    const excess = overlay.openCount() - options.maxDegree;
    if (excess > 0) {
      const sheddable = overlay.sheddable(nowMs);
      for (let i = 0; i < excess && sheddable.length > 0; i++) {
        const index = Math.floor(rng.next() * sheddable.length);
        const [peer] = sheddable.splice(index, 1);
        if (peer === undefined) break;
        this.deps.links.shed(peer, nowMs);
      }
      if (overlay.openCount() > options.maxDegree) this.wakeBy(nowMs + options.minLinkAgeMs / 2);
    }
  }

  private askForIntroductions(nowMs: number): void {
    if (nowMs < this.nextIntroductionMs) {
      this.wakeBy(this.nextIntroductionMs);
      return;
    }
    const { options, rng } = this.deps;
    this.introductionBackoffMs = Math.min(options.retryMaxMs, Math.max(options.retryBaseMs / 2, this.introductionBackoffMs * 2));
    this.nextIntroductionMs = nowMs + jitter(this.introductionBackoffMs, 0.5, rng);
    this.deps.out.introduce('isolated');
  }

  /**
   * Retries one removed peer now and then (with the usual back-off): a removed peer that is in fact alive, such
   * as the far side of a healed partition, is found again and the two sides' tables merge.
   */
  private retryDead(nowMs: number): void {
    const { options, overlay, table, rng } = this.deps;
    this.nextRetryDeadMs = nowMs + jitter(options.retryDeadIntervalMs, 0.5, rng);
    if (overlay.totalCount() >= options.maxDegree) return;
    const candidate = table.sample(8, rng, new Set()).find((record) => record.state === 'dead' && overlay.canDial(record.id, nowMs));
    if (candidate !== undefined) this.dial(candidate.id, nowMs);
  }

  /**
   * Rewiring: now and then a node whose links are full swaps one random old link (goodbye, `trim`) for a link
   * to a random member it is not linked with. Without it the overlay keeps the shape of its join order.
   */
  private rewire(nowMs: number): void {
    const { options, overlay, table, rng } = this.deps;
    this.nextRewireMs = nowMs + jitter(options.rewireIntervalMs, 0.5, rng);
    if (!this.rewiring || overlay.openCount() < options.targetDegree) return;
    const candidate = table
      .sample(8, rng, new Set())
      .find((record) => record.state === 'alive' && overlay.get(record.id) === undefined && overlay.canDial(record.id, nowMs));
    if (candidate === undefined) return;
    if (!this.makeRoom(nowMs)) return;
    this.dial(candidate.id, nowMs);
  }

  /** At the degree bound, sheds one random sheddable link so that one more dial fits; false when none can go. */
  private makeRoom(nowMs: number): boolean {
    const { options, overlay, rng } = this.deps;
    if (overlay.totalCount() < options.maxDegree) return true;
    const sheddable = overlay.sheddable(nowMs);
    const old = sheddable[Math.floor(rng.next() * sheddable.length)];
    if (old === undefined) return false;
    this.deps.links.shed(old, nowMs);
    return true;
  }
}
