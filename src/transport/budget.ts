/**
 * Guards against exhausting the browser's per-tab RTCPeerConnection quota: Chromium refuses the
 * 500th connection constructed in a tab's lifetime, even after a reload. The lifetime budget counts
 * every link constructed; the attempt limiter stops one remote peer from burning that budget.
 */

/** The part of `Storage` (e.g. `sessionStorage`) the budget uses. */
export interface BudgetStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Options for `createConnectionBudget`. */
export interface ConnectionBudgetOptions {
  /** Connections allowed in this context's lifetime; keep a margin below Chromium's 500. */
  lifetimeLimit?: number;
  /** Where the count survives reloads (browser: `sessionStorage`); in memory when absent. */
  storage?: BudgetStorage;
  /** Storage key for the count. */
  storageKey?: string;
}

/** A lifetime counter of constructed peer connections. */
export interface ConnectionBudget {
  /** Takes one slot; false (and nothing taken) when the budget is exhausted. */
  tryAcquire(): boolean;
  /** Marks the budget as spent, e.g. after the browser refused a connection. */
  markExhausted(): void;
  /** Slots used so far. */
  used(): number;
  /** Slots left. */
  remaining(): number;
}

/** Default lifetime limit: a margin of 50 below Chromium's hard limit of 500. */
export const DEFAULT_LIFETIME_LIMIT = 450;
const DEFAULT_STORAGE_KEY = 'starmesh:rtc-connections-used';

function parseCount(text: string | null): number {
  if (text === null || !/^\d{1,9}$/.test(text)) return 0;
  return Number(text);
}

/** Creates a lifetime connection budget; several instances sharing one storage key share the count. */
export function createConnectionBudget(options: ConnectionBudgetOptions = {}): ConnectionBudget {
  const limit = Math.max(0, Math.floor(options.lifetimeLimit ?? DEFAULT_LIFETIME_LIMIT));
  const storage = options.storage;
  const key = options.storageKey ?? DEFAULT_STORAGE_KEY;
  let usedInMemory = 0;

  const read = (): number => {
    if (storage === undefined) return usedInMemory;
    try {
      // Never go below what this instance has seen, even if storage was cleared or is failing.
      return Math.max(usedInMemory, parseCount(storage.getItem(key)));
    } catch {
      return usedInMemory;
    }
  };
  const write = (count: number): void => {
    usedInMemory = count;
    if (storage === undefined) return;
    try {
      storage.setItem(key, String(count));
    } catch {
      // Quota or privacy mode: the in-memory count still protects this page load.
    }
  };

  return {
    tryAcquire() {
      const count = read();
      if (count >= limit) return false;
      write(count + 1);
      return true;
    },
    markExhausted() {
      write(Math.max(read(), limit));
    },
    used: read,
    remaining: () => Math.max(0, limit - read()),
  };
}

/** Options for `createAttemptLimiter`. */
export interface AttemptLimiterOptions {
  /** Attempts allowed per remote peer within `windowMs`. */
  maxAttempts?: number;
  /** Sliding window length in milliseconds. */
  windowMs?: number;
  /** Clock in milliseconds (injected for tests). */
  now: () => number;
  /** Most peers tracked at once; new peers are refused while the table is full of recent ones. */
  maxTrackedPeers?: number;
}

/** Per-remote-peer connection attempt limiter (sliding window). */
export interface AttemptLimiter {
  /** Records an attempt towards `peerId`; false (nothing recorded) when over the limit. */
  tryAttempt(peerId: string): boolean;
  /** Attempts counted for `peerId` within the current window. */
  attemptsFor(peerId: string): number;
}

/** Default: 5 attempts per peer per 10 minutes. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Default window: 10 minutes. */
export const DEFAULT_ATTEMPT_WINDOW_MS = 10 * 60 * 1000;
const DEFAULT_MAX_TRACKED_PEERS = 1024;

/** Creates a per-peer attempt limiter with an injected clock. */
export function createAttemptLimiter(options: AttemptLimiterOptions): AttemptLimiter {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const windowMs = options.windowMs ?? DEFAULT_ATTEMPT_WINDOW_MS;
  const maxTracked = options.maxTrackedPeers ?? DEFAULT_MAX_TRACKED_PEERS;
  const attemptsAtMs = new Map<string, number[]>();

  const recent = (peerId: string, nowMs: number): number[] => {
    const times = (attemptsAtMs.get(peerId) ?? []).filter((t) => nowMs - t < windowMs);
    if (times.length === 0) attemptsAtMs.delete(peerId);
    else attemptsAtMs.set(peerId, times);
    return times;
  };
  const pruneAll = (nowMs: number): void => {
    for (const peerId of [...attemptsAtMs.keys()]) recent(peerId, nowMs);
  };

  return {
    tryAttempt(peerId) {
      const nowMs = options.now();
      const times = recent(peerId, nowMs);
      if (times.length >= maxAttempts) return false;
      if (times.length === 0 && attemptsAtMs.size >= maxTracked) {
        pruneAll(nowMs);
        if (attemptsAtMs.size >= maxTracked) return false;
      }
      attemptsAtMs.set(peerId, [...times, nowMs]);
      return true;
    },
    attemptsFor: (peerId) => recent(peerId, options.now()).length,
  };
}
