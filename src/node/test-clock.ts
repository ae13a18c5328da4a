/**
 * A manual clock for driver tests (a `Clock`, `src/util/clock.ts`): time moves only when the test
 * calls `advance`, and timers due by then run in time order. No real timers, no sleeps. The wall clock follows
 * the monotonic one at a fixed offset that `jumpWall` moves (someone set the computer's clock).
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
  private wallOffsetMs: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  /** `startMs` is the monotonic start; the wall clock starts at `wallStartMs` (default a fixed date in 2025). */
  constructor(startMs = 0, wallStartMs = 1_750_000_000_000) {
    this.nowMs = startMs;
    this.wallOffsetMs = wallStartMs - startMs;
  }

  now(): number {
    return this.nowMs;
  }

  wallNow(): number {
    return this.nowMs + this.wallOffsetMs;
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

  /** Moves the wall clock by `ms` (either way) without moving monotonic time or running timers. */
  jumpWall(ms: number): void {
    this.wallOffsetMs += ms;
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

  /**
   * Moves time forward by `ms` without running any timer on the way (a suspended or frozen process), then runs
   * what is due, late, in time order: what a page sees when it resumes.
   */
  sleep(ms: number): void {
    this.nowMs += ms;
    this.advance(0);
  }
}

/**
 * One node's view of a shared manual clock with a wall clock of its own: the same monotonic time and timers,
 * and a wall clock the test can move for this node alone (`jumpWall`).
 */
export function wallView(base: ManualClock): Clock & { jumpWall(ms: number): void } {
  let shiftMs = 0;
  return {
    now: () => base.now(),
    wallNow: () => base.wallNow() + shiftMs,
    setTimeout: (fn, delayMs) => base.setTimeout(fn, delayMs),
    clearTimeout: (handle) => base.clearTimeout(handle),
    jumpWall: (ms) => void (shiftMs += ms),
  };
}
