/**
 * The one clock interface of the drivers: time and timers, injected so that tests move time by hand
 * (`src/node/test-clock.ts`) and nothing reads the real clock behind their back. The pure parts (core, router,
 * mesh machine) take no clock at all: their inputs carry the time.
 */

/** Time in milliseconds and one-shot timers. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The platform's clock: `Date.now` and the global timers. */
export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimeout: (fn, delayMs) => globalThis.setTimeout(fn, delayMs),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}
