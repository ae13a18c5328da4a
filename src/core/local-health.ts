/**
 * Local health (after Lifeguard): a node cannot tell a gap in its own timers from others' silence. When an input
 * arrives well after the core's own schedule said it must run (`lateWakeMs` or more past `nextWakeMs()`), the
 * node itself was away: the machine was suspended, the page frozen or its timers throttled, the CPU starved.
 * Nothing it failed to hear in that gap is evidence against anyone, so before it suspects or expires anybody it
 *
 * - advances its own counter (others may have suspected or removed it meanwhile: the newer counter refutes that
 *   wherever it arrives, and brings it back where it was removed);
 * - probes every neighbour afresh (open probes whose deadlines passed in the gap are discarded, not failed);
 * - pulls a whole table from one neighbour (newer counters of everyone the others kept hearing from);
 * - postpones every suspicion it holds by the lateness (a suspect's time runs only while this node is awake);
 * - and for a grace period of one full probe (`pingTimeoutMs × pingAttempts`) sweeps nobody as stale and takes
 *   an unannounced link close as no reason to suspect (the far side most likely gave up on this node);
 * - and beyond that grace, until it has proof that its own network works again (an `ack` to a ping it sent since
 *   waking, or a link that opens after it), it judges nobody: a failed probe is no suspicion, a suspect's
 *   time does not run out, nobody is swept as stale. Measured in real tabs: a tab whose process was stopped until
 *   the others removed it found, on waking, links the others had closed and pings nobody answered, and removed all
 *   three live peers as dead before it rejoined. A node that hears from nobody is the likelier failure. The hold
 *   is bounded by `staleAfterMs`, so a node whose whole mesh really went away still clears its table in time.
 *
 * Pure: the lateness is computed from the times passed in, so the unit tests drive it with explicit times.
 */
import type { MembershipStats } from './effects';
import type { Liveness } from './liveness';
import type { MembershipOptions } from './options';
import type { Outbox } from './outbox';
import type { OwnEntry } from './own-entry';
import type { PeerTable } from './peer-table';
import { pickOne, type Rng } from './random';
import type { TableSync } from './table-sync';
import type { NodeId } from './wire';

/** What local health touches when the node was away. */
export interface LocalHealthDeps {
  readonly options: Pick<MembershipOptions, 'lateWakeMs' | 'pingTimeoutMs' | 'pingAttempts' | 'staleAfterMs'>;
  readonly rng: Rng;
  readonly own: Pick<OwnEntry, 'bump'>;
  readonly probes: Pick<Liveness, 'restartAll'>;
  readonly table: Pick<PeerTable, 'postponeSuspicions'>;
  readonly sync: Pick<TableSync, 'pull'>;
  readonly neighbours: () => NodeId[];
  readonly out: Pick<Outbox, 'send' | 'emit'>;
  readonly stats: Pick<MembershipStats, 'lateWakes'>;
}

/** Notices this node's own gaps and makes up for them. */
export class LocalHealth {
  private graceUntilMs = -Infinity;
  /**
   * When this node last made up for a gap: whatever fell due before then is covered, so the inputs that follow
   * before the overdue tick runs (messages queued while the page was frozen) do not count the same gap again.
   */
  private caughtUpAtMs = -Infinity;
  /** Until when, at most, judgements wait for proof of contact (-Infinity once proven, or when not away). */
  private awaitingContactUntilMs = -Infinity;
  /**
   * The nonce of the first ping sent on waking: nonces only grow (`Liveness`), so an `ack` to this or any later
   * nonce answers a ping sent after the gap, and is that proof. Acks to older pings may have waited out the gap.
   */
  private wakeNonceFloor = Infinity;

  constructor(private readonly deps: LocalHealthDeps) {}

  /**
   * Checks an input at `nowMs` against the time the core was due (`dueMs`, its `nextWakeMs()` before the input).
   * Returns the lateness when it was late enough to count (and has made up for it), else 0.
   */
  check(nowMs: number, dueMs: number): number {
    const { options } = this.deps;
    const lateMs = nowMs - Math.max(dueMs, this.caughtUpAtMs);
    if (options.lateWakeMs <= 0 || !Number.isFinite(lateMs) || lateMs < options.lateWakeMs) return 0;
    this.caughtUpAtMs = nowMs;
    this.deps.stats.lateWakes++;
    this.graceUntilMs = nowMs + options.pingTimeoutMs * options.pingAttempts;
    this.deps.own.bump();
    this.deps.table.postponeSuspicions(lateMs);
    this.awaitingContactUntilMs = nowMs + options.staleAfterMs;
    this.wakeNonceFloor = Infinity;
    for (const { peer, nonce } of this.deps.probes.restartAll(nowMs)) {
      this.wakeNonceFloor = Math.min(this.wakeNonceFloor, nonce);
      this.deps.out.send(peer, { t: 'ping', nonce });
    }
    const source = pickOne(this.deps.neighbours(), this.deps.rng);
    if (source !== undefined) this.deps.sync.pull(source);
    this.deps.out.emit({ type: 'self:late', lateMs: Math.round(lateMs) });
    return lateMs;
  }

  /** An `ack` with `nonce` arrived: if it answers a ping sent since waking, this node's network works again. */
  acked(nonce: number, nowMs: number): void {
    if (nonce >= this.wakeNonceFloor) this.contact(nowMs);
  }

  /** A link opened: a handshake just crossed the network both ways, so this node's network works again. */
  contact(nowMs: number): void {
    if (this.awaitingContactUntilMs <= nowMs) return;
    // What the hold kept back falls due now: that is not lateness of this node's timers.
    this.caughtUpAtMs = Math.max(this.caughtUpAtMs, nowMs);
    this.awaitingContactUntilMs = -Infinity;
    this.wakeNonceFloor = Infinity;
  }

  /**
   * True while decisions that silence would justify wait: right after the node came back, and then until it has
   * proof of contact (see the file comment).
   */
  holdsJudgement(nowMs: number): boolean {
    return nowMs < this.graceUntilMs || nowMs < this.awaitingContactUntilMs;
  }

  /** When a hold ends by itself (-Infinity when none is running): judgements due before then wait for it. */
  holdEndMs(): number {
    return Math.max(this.graceUntilMs, this.awaitingContactUntilMs);
  }
}
