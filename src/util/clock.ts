/**
 * The one clock interface of the drivers: time and timers, injected so that tests move time by hand
 * (`src/node/test-clock.ts`) and nothing reads the real clock behind their back. The pure parts (core, router,
 * mesh machine) take no clock at all: their inputs carry the time.
 *
 * Two kinds of time, never mixed: `now()` is monotonic (it never jumps when somebody sets the computer's clock, a
 * laptop corrects its clock after sleep, or NTP steps it) and runs every interval, time-out and age; `wallNow()` is
 * the wall clock (`Date.now`), used only for what people are shown and for stamps that must outlive the page.
 */

/** Monotonic time in milliseconds, the wall clock, and one-shot timers. */
export interface Clock {
  /** Monotonic milliseconds (`performance.now()`): only differences mean anything. */
  now(): number;
  /** Wall-clock milliseconds since the epoch (`Date.now()`): may jump either way at any moment. */
  wallNow(): number;
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The platform's clock: `performance.now()` (monotonic in browsers and in Node 20), `Date.now()` and the global
 * timers (which Chromium and Node also run on a monotonic clock). Globals are read at call time, so a test that
 * replaces them (Playwright's `page.clock`) is seen.
 */
export function systemClock(): Clock {
  return {
    now: () => globalThis.performance.now(),
    wallNow: () => Date.now(),
    setTimeout: (fn, delayMs) => globalThis.setTimeout(fn, delayMs),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

/**
 * Maps this node's monotonic times to wall-clock times for display, by an offset taken once: what the page shows
 * stays in step with the node's own timeline even if the wall clock jumps later (a jump shifts nothing shown).
 */
export interface DisplayTime {
  /** Wall-clock milliseconds for a monotonic time (±Infinity pass through). */
  toWallMs(monoMs: number): number;
  /** "Now" on the same scale (monotonic now + the offset). */
  nowMs(): number;
}

/** Takes the offset between `clock`'s wall and monotonic time now. */
export function displayTime(clock: Pick<Clock, 'now' | 'wallNow'>): DisplayTime {
  const offsetMs = clock.wallNow() - clock.now();
  return {
    toWallMs: (monoMs) => (Number.isFinite(monoMs) ? Math.round(monoMs + offsetMs) : monoMs),
    nowMs: () => Math.round(clock.now() + offsetMs),
  };
}
