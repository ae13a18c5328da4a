import type { MembershipOptions } from './options';
import { MAX_COUNTER_JUMP } from './peer-table';
import { jitter, type Rng } from './random';
import { MAX_COUNTER, type NodeId, type WireEntry } from './wire';

/**
 * This node's own entry: the counter only it advances (every `heartbeatIntervalMs`, after a restart, and to
 * refute a doubt about itself), and whether it has left the mesh. Far-away nodes keep it listed because they keep
 * hearing newer counters, and nothing anybody else says can make it older.
 */
export class OwnEntry {
  private value = 0;
  private nextHeartbeatMs = Infinity;
  private hasLeft = false;

  constructor(
    private readonly selfId: NodeId,
    private readonly options: Pick<MembershipOptions, 'heartbeatIntervalMs'>,
    private readonly rng: Rng,
  ) {}

  /** The counter (heartbeat/incarnation). */
  get counter(): number {
    return this.value;
  }

  /** True once the node has left the mesh on purpose: from then on the core does nothing. */
  get left(): boolean {
    return this.hasLeft;
  }

  /** Takes the counter saved before a reload (clamped; the restart then steps above it). */
  restore(savedCounter: number): void {
    this.value = Math.min(MAX_COUNTER - 1, Math.max(0, Math.floor(savedCounter)));
  }

  /** Starts heartbeats. */
  start(nowMs: number): void {
    // A restart must look newer than anything said before it; a counter lost with storage is recovered by
    // refutation when the node hears its own old entry.
    this.advance();
    this.nextHeartbeatMs = nowMs + jitter(this.options.heartbeatIntervalMs, 0.1, this.rng);
  }

  /** Advances the counter when a heartbeat is due. */
  tick(nowMs: number): void {
    if (nowMs < this.nextHeartbeatMs) return;
    this.advance();
    this.nextHeartbeatMs = nowMs + jitter(this.options.heartbeatIntervalMs, 0.1, this.rng);
  }

  /** Advances the counter now, out of turn (back from a gap: refutes what others concluded meanwhile). */
  bump(): void {
    if (!this.hasLeft) this.advance();
  }

  /** When the next heartbeat is due. */
  nextWakeMs(): number {
    return this.nextHeartbeatMs;
  }

  /** The entry as gossip: alive, at the current counter, evidence of now. */
  entry(): WireEntry {
    return { id: this.selfId, counter: this.value, state: 'alive', ageSec: 0 };
  }

  /** The entry that announces a departure (the same counter, dead). */
  goodbye(): WireEntry {
    return { id: this.selfId, counter: this.value, state: 'dead', ageSec: 0 };
  }

  /**
   * Someone gossiped our own entry. A worse state at or above our counter (a suspicion, a death notice), or a
   * higher counter than ours (we restarted without storage), is refuted by stepping above it; returns true then.
   * An implausible jump is a forgery or corruption and is ignored, as anywhere else.
   */
  refuteIfDoubted(entry: WireEntry): boolean {
    const doubted = entry.state !== 'alive' && entry.counter >= this.value;
    const outrun = entry.state === 'alive' && entry.counter > this.value;
    if ((!doubted && !outrun) || entry.counter - this.value > MAX_COUNTER_JUMP || this.hasLeft) return false;
    this.value = Math.min(MAX_COUNTER - 1, entry.counter + 1);
    return true;
  }

  /** The node leaves the mesh. */
  leave(): void {
    this.hasLeft = true;
  }

  private advance(): void {
    this.value = Math.min(MAX_COUNTER - 1, this.value + 1);
  }
}
