/**
 * Peer-table snapshots: saving them in batches (many changes, one write) and loading them back with every
 * field checked, since stored data may be corrupted or written by another version. Errors are returned as
 * values or passed to a callback, never thrown.
 *
 * Stored times are wall-clock milliseconds (they must mean something after a reload, when the monotonic clock
 * has started again), stamped at save time as "the save's wall-clock time minus the age" (`persistence-glue.ts`).
 * The wall clock may have jumped between save and load, so a load trusts only ages: each entry's age at the save
 * (`savedAtMs` minus its stamp, never negative) plus the time since the save (never negative, so a clock set back
 * cannot produce LastSeen values in the future). Loaded stamps are re-based on the load's wall clock.
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
/** Stored peer entries looked at, at most (the rest are dropped unread): bounds the CPU a corrupt value costs. */
export const MAX_SCANNED_PEERS = 2 * MAX_SNAPSHOT_PEERS;
/** Default bound of a load: a read that takes longer (a huge value, a stuck database) is given up. */
export const LOAD_TIMEOUT_MS = 3_000;

/** Store key of a node's snapshot (one per node ID). */
export function tableKey(nodeId: NodeId): string {
  return `table:${nodeId}`;
}

/** Stable error codes of the table store. */
export type TableStoreErrorCode = 'snapshot-failed' | 'write-failed' | 'read-failed' | 'read-timeout';

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

/** Timers for the load's time-out. */
export interface LoadTimers {
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Options of `loadTableSnapshot`. */
export interface LoadTableOptions {
  /** Current wall-clock time: loaded stamps are re-based on it. */
  nowMs: number;
  /** Entries (tombstones too) whose evidence is older than this at load are dropped. */
  staleAfterMs: number;
  /** Cap on peers returned (the most recently seen are kept). Default `MAX_SNAPSHOT_PEERS`. */
  maxPeers?: number;
  /** The loading node's own ID, dropped if it appears among the peers. */
  selfId?: NodeId;
  /** Give up a read slower than this (default `LOAD_TIMEOUT_MS`); needs `timers`, else reads are not bounded. */
  timeoutMs?: number;
  timers?: LoadTimers;
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

/**
 * Keeps valid, fresh, unique entries (the highest counter wins among duplicates), at most `maxPeers`, re-based:
 * each stamp becomes `nowMs - age`, its age being its age at the save plus the (clamped) time since the save.
 */
function cleanPeers(raw: readonly unknown[], savedAtMs: number, options: LoadTableOptions): PeerSnapshot[] {
  // A save "in the future" means the wall clock was set back since: count no time as passed, rather than negative.
  const sinceSaveMs = Math.max(0, options.nowMs - savedAtMs);
  const rebase = (stampMs: number): number => options.nowMs - sinceSaveMs - Math.max(0, savedAtMs - stampMs);
  const byId = new Map<NodeId, PeerSnapshot>();
  for (const item of raw.slice(0, MAX_SCANNED_PEERS)) {
    const stored = parsePeerSnapshot(item);
    if (!stored || stored.id === options.selfId) continue;
    const peer = { ...stored, lastSeenMs: rebase(stored.lastSeenMs), stateChangedMs: rebase(stored.stateChangedMs) };
    if (options.nowMs - peer.lastSeenMs > options.staleAfterMs) continue;
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
  const clean = cleanPeers(peers, savedAtMs, options);
  return {
    snapshot: { savedAtMs: Math.min(savedAtMs, options.nowMs), self: { counter: selfCounter }, peers: clean },
    droppedPeers: peers.length - clean.length,
  };
}

/**
 * Loads and validates a snapshot: invalid entries, duplicates and entries whose evidence is older than
 * `staleAfterMs` are dropped; the rest are re-based on `nowMs` (exactly as saved when the wall clock ran forward
 * normally since the save). A read slower than `timeoutMs` is given up. Never throws.
 */
export async function loadTableSnapshot(store: Store, key: string, options: LoadTableOptions): Promise<LoadTableResult> {
  let value: unknown;
  try {
    value = await withTimeout(store.get(key), options);
  } catch (cause) {
    return { status: 'error', error: { code: cause === READ_TIMEOUT ? 'read-timeout' : 'read-failed', cause } };
  }
  if (value === undefined) return { status: 'empty' };
  const parsed = parseTableSnapshot(value, options);
  if (typeof parsed === 'string') return { status: 'corrupt', reason: parsed };
  return { status: 'loaded', ...parsed };
}

const READ_TIMEOUT = new Error('the stored table took too long to read');

function withTimeout<T>(work: Promise<T>, options: LoadTableOptions): Promise<T> {
  const timers = options.timers;
  if (timers === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const handle = timers.setTimer(() => reject(READ_TIMEOUT), options.timeoutMs ?? LOAD_TIMEOUT_MS);
    work.then(
      (value) => (timers.clearTimer(handle), resolve(value)),
      (error: unknown) => (timers.clearTimer(handle), reject(error)),
    );
  });
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
