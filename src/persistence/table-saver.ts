/**
 * Batched saving of the peer table: many changes, one write, and every change on disk within about a second
 * (`maxDelayMs`), so that a tab closed right after it learned something keeps it. Errors are passed to callbacks,
 * never thrown; the page shows them ("not persisted: …") while the node goes on in memory.
 */
import { saveTableSnapshot, type SaveResult, type TableSnapshot, type TableStoreError } from './table-store';
import type { Store } from './types';

/** Default quiet time after the last change before writing. */
export const SAVE_DEBOUNCE_MS = 250;
/** Default longest wait of a change before it is written, however busy the table. */
export const SAVE_MAX_DELAY_MS = 1_000;

/** Injected clock and timers of the saver. */
export interface TableSaverOptions {
  store: Store;
  key: string;
  /** Quiet time after the last `schedule()` before writing. Default `SAVE_DEBOUNCE_MS`. */
  debounceMs?: number;
  /** Longest a scheduled change waits, however busy the table. Default `SAVE_MAX_DELAY_MS`. */
  maxDelayMs?: number;
  /** Monotonic milliseconds (the batching must not care about wall-clock jumps). */
  now: () => number;
  setTimer: (fn: () => void, delayMs: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** Called with every timer-driven or `flushNow` write that failed (`flush()` returns its result instead). */
  onError?: (error: TableStoreError) => void;
  /** Called after every write that succeeded (a problem reported before is over). */
  onWritten?: () => void;
}

/** Batches snapshot writes: many `schedule()` calls, one write. */
export interface TableSaver {
  /** Marks the table changed; `snapshotFn` is called once, at write time (the latest one given wins). */
  schedule(snapshotFn: () => TableSnapshot): void;
  /** Writes the pending snapshot now, after any write in flight. Never rejects. */
  flush(): Promise<SaveResult>;
  /**
   * Starts writing the pending snapshot synchronously, without waiting for a write in flight: for `pagehide` and
   * `visibilitychange` to hidden, when the page may be gone before a queued write would start. IndexedDB runs
   * readwrite transactions on one store in the order they were created, so this newer write still lands last.
   */
  flushNow(): void;
  /** Cancels the timer and ignores later `schedule()` calls; does not write (call `flush()` first). */
  dispose(): void;
}

/**
 * Creates a saver that writes once per quiet period of `debounceMs` after the last change, and never more than
 * `maxDelayMs` after the first unsaved one. Timer-driven writes never overlap (`flushNow` may, see there).
 */
export function createTableSaver(options: TableSaverOptions): TableSaver {
  const debounceMs = options.debounceMs ?? SAVE_DEBOUNCE_MS;
  const maxDelayMs = options.maxDelayMs ?? SAVE_MAX_DELAY_MS;
  let pending: (() => TableSnapshot) | undefined;
  let firstPendingMs: number | undefined;
  let timer: { handle: unknown } | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let disposed = false;

  const cancelTimer = (): void => {
    if (timer) options.clearTimer(timer.handle);
    timer = undefined;
  };

  /** Takes the pending snapshot (if any) and starts its write at once; the store call happens synchronously. */
  const writePending = (): Promise<SaveResult> => {
    const snapshotFn = pending;
    pending = undefined;
    firstPendingMs = undefined;
    if (!snapshotFn) return Promise.resolve({ ok: true, wrote: false });
    let snapshot: TableSnapshot;
    try {
      snapshot = snapshotFn();
    } catch (cause) {
      return Promise.resolve({ ok: false, error: { code: 'snapshot-failed', cause } });
    }
    return saveTableSnapshot(options.store, options.key, snapshot);
  };

  const report = (result: SaveResult): void => {
    try {
      if (result.ok) {
        if (result.wrote) options.onWritten?.();
      } else {
        options.onError?.(result.error);
      }
    } catch {
      // A failing callback must not become an unhandled rejection.
    }
  };

  // Queued behind the previous write, so two timer-driven writes of the same key never race.
  const enqueue = (): Promise<SaveResult> => {
    const result = chain.then(writePending);
    chain = result;
    return result;
  };

  const onTimer = (): void => {
    timer = undefined;
    void enqueue().then(report);
  };

  return {
    schedule(snapshotFn) {
      if (disposed) return;
      pending = snapshotFn;
      const nowMs = options.now();
      firstPendingMs ??= nowMs;
      const dueMs = Math.min(nowMs + debounceMs, firstPendingMs + maxDelayMs);
      cancelTimer();
      timer = { handle: options.setTimer(onTimer, Math.max(0, dueMs - nowMs)) };
    },
    flush() {
      cancelTimer();
      return enqueue().then((result) => (report(result), result));
    },
    flushNow() {
      cancelTimer();
      const result = writePending();
      // Later queued writes wait for this one too.
      chain = Promise.all([chain, result]);
      void result.then(report);
    },
    dispose() {
      disposed = true;
      pending = undefined;
      firstPendingMs = undefined;
      cancelTimer();
    },
  };
}
