/**
 * A manual clock for driver tests (a `Clock`, `src/util/clock.ts`): time moves only when the test
 * calls `advance`, and timers due by then run in time order. No real timers, no sleeps.
 */

import type { Clock } from '../util/clock';

interface Pending {
  atMs: number;
  seq: number;
  fn: () => void;
}

/** A clock whose time the test moves. */
export class ManualClock implements Clock {
  private nowMs: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): unknown {
    const seq = ++this.seq;
    this.pending.set(seq, { atMs: this.nowMs + Math.max(0, delayMs), seq, fn });
    return seq;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.pending.delete(handle);
  }

  /** Timers not yet run. */
  get timerCount(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, running every timer due on the way (also those the timers set). */
  advance(ms: number): void {
    const endMs = this.nowMs + ms;
    for (;;) {
      const next = [...this.pending.values()].filter((p) => p.atMs <= endMs).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.pending.delete(next.seq);
      this.nowMs = next.atMs;
      next.fn();
    }
    this.nowMs = endMs;
  }
}
