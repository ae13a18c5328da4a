/**
 * Peer-table snapshots: saving them in batches (many changes, one write) and loading them back with every
 * field checked, since stored data may be corrupted or written by another version. Errors are returned as
 * values or passed to a callback, never thrown. Times are wall-clock milliseconds (they must mean the same thing
 * after a reload, so the driver should stamp them with `Date.now()`, not `performance.now()`).
 */
import type { PeerRecord } from '../core/peer-table';
import { isNodeId, MAX_COUNTER, type NodeId, type PeerState } from '../core/wire';
import type { Store } from './types';

/** One peer as saved: exactly the core's record, so nothing is lost or renamed between them. */
export type PeerSnapshot = PeerRecord;

/** A node's peer table as saved: plain JSON-able data, produced and consumed by the membership core. */
export interface TableSnapshot {
  savedAtMs: number;
  self: { counter: number };
  peers: PeerSnapshot[];
}

/** Version tag written beside the snapshot; another version loads as `corrupt`. */
export const TABLE_SNAPSHOT_VERSION = 1;
/** Default cap on peers loaded from one snapshot. */
export const MAX_SNAPSHOT_PEERS = 10_000;

/** Store key of a node's snapshot (one per node ID). */
export function tableKey(nodeId: NodeId): string {
  return `table:${nodeId}`;
}

/** Stable error codes of the table store. */
export type TableStoreErrorCode = 'snapshot-failed' | 'write-failed' | 'read-failed';

/** An error of the table store, with the underlying cause. */
export interface TableStoreError {
  code: TableStoreErrorCode;
  cause: unknown;
}

/** Outcome of one save: `wrote` is false when nothing was pending. */
export type SaveResult = { ok: true; wrote: boolean } | { ok: false; error: TableStoreError };

/** Outcome of a load; `droppedPeers` counts entries removed as invalid, duplicate, stale or over the cap. */
export type LoadTableResult =
  | { status: 'loaded'; snapshot: TableSnapshot; droppedPeers: number }
  | { status: 'empty' }
  | { status: 'corrupt'; reason: string }
  | { status: 'error'; error: TableStoreError };

/** Options of `loadTableSnapshot`. */
export interface LoadTableOptions {
  /** Current wall-clock time. */
  nowMs: number;
  /** Entries (tombstones too) last seen longer ago than this are dropped; also bounds how far in the future. */
  staleAfterMs: number;
  /** Cap on peers returned (the most recently seen are kept). Default `MAX_SNAPSHOT_PEERS`. */
  maxPeers?: number;
  /** The loading node's own ID, dropped if it appears among the peers. */
  selfId?: NodeId;
}

const STATES: ReadonlySet<unknown> = new Set<PeerState>(['alive', 'suspect', 'dead']);

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isCount(value: unknown, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/** Returns a clean copy of one stored peer entry, or null when any field is invalid. */
export function parsePeerSnapshot(value: unknown): PeerSnapshot | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const { id, counter, state, lastSeenMs, stateChangedMs, successes, failures } = v;
  if (!isNodeId(id) || !isCount(counter, MAX_COUNTER) || !STATES.has(state)) return null;
  if (!isTime(lastSeenMs) || !isTime(stateChangedMs) || !isCount(successes) || !isCount(failures)) return null;
  return { id, counter, state: state as PeerState, lastSeenMs, stateChangedMs, successes, failures };
}

/** Keeps valid, fresh, unique entries (the highest counter wins among duplicates), at most `maxPeers`. */
function cleanPeers(raw: readonly unknown[], options: LoadTableOptions): PeerSnapshot[] {
  const oldestMs = options.nowMs - options.staleAfterMs;
  // A LastSeen far in the future is a corrupted value or a clock jump; it would otherwise never go stale.
  const newestMs = options.nowMs + options.staleAfterMs;
  const byId = new Map<NodeId, PeerSnapshot>();
  for (const item of raw) {
    const peer = parsePeerSnapshot(item);
    if (!peer || peer.id === options.selfId || peer.lastSeenMs < oldestMs || peer.lastSeenMs > newestMs) continue;
    const known = byId.get(peer.id);
    if (!known || peer.counter > known.counter) byId.set(peer.id, peer);
  }
  const peers = [...byId.values()];
  const maxPeers = options.maxPeers ?? MAX_SNAPSHOT_PEERS;
  if (peers.length <= maxPeers) return peers;
  return peers.sort((a, b) => b.lastSeenMs - a.lastSeenMs).slice(0, Math.max(0, maxPeers));
}

/** Validates a stored value as a snapshot; returns the snapshot and the number of dropped peers, or a reason. */
export function parseTableSnapshot(
  value: unknown,
  options: LoadTableOptions,
): { snapshot: TableSnapshot; droppedPeers: number } | string {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const { v, savedAtMs, self, peers } = value as Record<string, unknown>;
  if (v !== TABLE_SNAPSHOT_VERSION) return 'unknown version';
  if (!isTime(savedAtMs)) return 'bad savedAtMs';
  if (typeof self !== 'object' || self === null) return 'bad self';
  const selfCounter = (self as Record<string, unknown>)['counter'];
  if (!isCount(selfCounter, MAX_COUNTER)) return 'bad self counter';
  if (!Array.isArray(peers)) return 'bad peers';
  const clean = cleanPeers(peers, options);
  return {
    snapshot: { savedAtMs, self: { counter: selfCounter }, peers: clean },
    droppedPeers: peers.length - clean.length,
  };
}

/**
 * Loads and validates a snapshot: invalid entries, duplicates and entries last seen more than `staleAfterMs`
 * ago are dropped; surviving LastSeen values are returned exactly as saved. Never throws.
 */
export async function loadTableSnapshot(store: Store, key: string, options: LoadTableOptions): Promise<LoadTableResult> {
  let value: unknown;
  try {
    value = await store.get(key);
  } catch (cause) {
    return { status: 'error', error: { code: 'read-failed', cause } };
  }
  if (value === undefined) return { status: 'empty' };
  const parsed = parseTableSnapshot(value, options);
  if (typeof parsed === 'string') return { status: 'corrupt', reason: parsed };
  return { status: 'loaded', ...parsed };
}

/** Writes one snapshot now (stored with a version tag). Never throws. */
export async function saveTableSnapshot(store: Store, key: string, snapshot: TableSnapshot): Promise<SaveResult> {
  try {
    // Only the known fields: anything else the caller attached could make the structured clone fail.
    const { savedAtMs, self, peers } = snapshot;
    await store.set(key, { v: TABLE_SNAPSHOT_VERSION, savedAtMs, self: { counter: self.counter }, peers });
    return { ok: true, wrote: true };
  } catch (cause) {
    return { ok: false, error: { code: 'write-failed', cause } };
  }
}

/** Injected clock and timers of the saver. */
export interface TableSaverOptions {
  store: Store;
  key: string;
  /** Quiet time after the last `schedule()` before writing. Default 2000. */
  debounceMs?: number;
  /** Longest a scheduled change waits, however busy the table. Default 10000. */
  maxDelayMs?: number;
  now: () => number;
  setTimer: (fn: () => void, delayMs: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** Called with the result of every timer-driven write that failed (flush() returns its result instead). */
  onError?: (error: TableStoreError) => void;
}

/** Batches snapshot writes: many `schedule()` calls, one write. */
export interface TableSaver {
  /** Marks the table changed; `snapshotFn` is called once, at write time (the latest one given wins). */
  schedule(snapshotFn: () => TableSnapshot): void;
  /** Writes the pending snapshot now (e.g. on `pagehide`), after any write in flight. Never rejects. */
  flush(): Promise<SaveResult>;
  /** Cancels the timer and ignores later `schedule()` calls; does not write (call `flush()` first). */
  dispose(): void;
}

/**
 * Creates a saver that writes at most once per quiet period of `debounceMs` after the last change, and never
 * more than `maxDelayMs` after the first unsaved one. Writes never overlap.
 */
export function createTableSaver(options: TableSaverOptions): TableSaver {
  const debounceMs = options.debounceMs ?? 2000;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  let pending: (() => TableSnapshot) | undefined;
  let firstPendingMs: number | undefined;
  let timer: { handle: unknown } | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let disposed = false;

  const cancelTimer = (): void => {
    if (timer) options.clearTimer(timer.handle);
    timer = undefined;
  };

  const writePending = async (): Promise<SaveResult> => {
    const snapshotFn = pending;
    pending = undefined;
    firstPendingMs = undefined;
    if (!snapshotFn) return { ok: true, wrote: false };
    let snapshot: TableSnapshot;
    try {
      snapshot = snapshotFn();
    } catch (cause) {
      return { ok: false, error: { code: 'snapshot-failed', cause } };
    }
    return saveTableSnapshot(options.store, options.key, snapshot);
  };

  // Queued behind the previous write, so two writes of the same key never race.
  const enqueue = (): Promise<SaveResult> => {
    const result = chain.then(writePending);
    chain = result;
    return result;
  };

  const onTimer = (): void => {
    timer = undefined;
    void enqueue().then((result) => {
      if (result.ok) return;
      try {
        options.onError?.(result.error);
      } catch {
        // A failing error callback must not become an unhandled rejection.
      }
    });
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
      return enqueue();
    },
    dispose() {
      disposed = true;
      pending = undefined;
      firstPendingMs = undefined;
      cancelTimer();
    },
  };
}
