/**
 * Between the node's table and its stored form. The core keeps its times on the monotonic clock, which starts
 * again with every page; the store keeps wall-clock stamps, computed at save time as "the wall clock now minus
 * the age" (so a wall-clock jump during the session shifts nothing stored). A load re-bases them on the load's
 * wall clock (`table-store.ts`: ages only, a clock set back between save and load counts as no time passed) and
 * maps them onto the new page's monotonic clock.
 */
import type { MembershipSnapshot } from '../core';
import type { PeerRecord } from '../core/peer-table';
import { createTableSaver, type TableSaver } from '../persistence/table-saver';
import { loadTableSnapshot, tableKey, type LoadTableResult, type LoadTimers, type TableSnapshot } from '../persistence/table-store';
import type { Store } from '../persistence/types';
import type { Clock } from '../util/clock';
import type { MeshNode } from './mesh-node';

/** One moment read from both clocks. */
export interface ClockReading {
  monoMs: number;
  wallMs: number;
}

/** Reads both clocks at once. */
export function readClocks(clock: Pick<Clock, 'now' | 'wallNow'>): ClockReading {
  return { monoMs: clock.now(), wallMs: clock.wallNow() };
}

/** The core's snapshot (monotonic times) in the stored shape (wall-clock stamps of the moment `at`). */
export function toTableSnapshot(snapshot: MembershipSnapshot, at: ClockReading): TableSnapshot {
  // Ages are never negative, so no stamp lies after `savedAtMs`.
  const stamp = (monoMs: number): number => Math.round(at.wallMs - Math.max(0, at.monoMs - monoMs));
  const peers = snapshot.peers.map((peer): PeerRecord => ({ ...peer, lastSeenMs: stamp(peer.lastSeenMs), stateChangedMs: stamp(peer.stateChangedMs) }));
  return { savedAtMs: Math.round(at.wallMs), self: { counter: snapshot.selfCounter }, peers };
}

/**
 * A loaded (validated, re-based: no stamp after `at.wallMs`) stored table as the core's snapshot on the
 * monotonic clock of `at`: each time is `at.monoMs` minus its age.
 */
export function fromTableSnapshot(snapshot: TableSnapshot, at: ClockReading): MembershipSnapshot {
  const mono = (wallMs: number): number => at.monoMs - Math.max(0, at.wallMs - wallMs);
  return {
    selfCounter: snapshot.self.counter,
    peers: snapshot.peers.map((peer) => ({ ...peer, lastSeenMs: mono(peer.lastSeenMs), stateChangedMs: mono(peer.stateChangedMs) })),
  };
}

/** What a load gives the node: the core's snapshot, the stored one as loaded (for display), or why nothing. */
export type SavedTable =
  | { status: 'loaded'; snapshot: MembershipSnapshot; stored: TableSnapshot; droppedPeers: number }
  | { status: 'empty' }
  | { status: 'unusable'; reason: string };

/** Loads the saved table of `nodeId` (validated, stale entries dropped, bounded in time); never throws. */
export async function loadSavedTable(
  store: Store,
  nodeId: string,
  options: { clock: Pick<Clock, 'now' | 'wallNow'>; staleAfterMs: number; timers?: LoadTimers; timeoutMs?: number },
): Promise<SavedTable> {
  const { clock, staleAfterMs, timers, timeoutMs } = options;
  const loaded: LoadTableResult = await loadTableSnapshot(store, tableKey(nodeId), {
    nowMs: clock.wallNow(), staleAfterMs, selfId: nodeId,
    ...(timers !== undefined ? { timers } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  switch (loaded.status) {
    case 'loaded': {
      // Read both clocks after the (slow) read, and re-base on this same moment: ages stay exact.
      const at = readClocks(clock);
      const stored: TableSnapshot = { ...loaded.snapshot, peers: loaded.snapshot.peers.map((peer) => ({ ...peer })) };
      return { status: 'loaded', snapshot: fromTableSnapshot(loaded.snapshot, at), stored, droppedPeers: loaded.droppedPeers };
    }
    case 'empty':
      return loaded;
    case 'corrupt':
      return { status: 'unusable', reason: `stored table corrupt (${loaded.reason})` };
    case 'error':
      return { status: 'unusable', reason: `stored table unreadable (${loaded.error.code})` };
  }
}

/** What `persistTable` reports. */
export interface PersistReports {
  /** A write failed: the node goes on in memory; `message` says why, for the page. */
  onError(message: string): void;
  /** A write succeeded (a reported problem is over). */
  onWritten(): void;
}

/**
 * Saves the node's table in batches, each change within about a second (`table-saver.ts`), stamped with both of
 * `clock`'s clocks. Returns the saver (the browser entry calls `flushNow()` on page hide).
 */
export function persistTable(node: MeshNode, store: Store, clock: Clock, reports: PersistReports): TableSaver {
  const saver = createTableSaver({
    store,
    key: tableKey(node.id),
    now: () => clock.now(),
    setTimer: (fn, delayMs) => clock.setTimeout(fn, delayMs),
    clearTimer: (handle) => clock.clearTimeout(handle),
    onError: (error) => reports.onError(`saving the peer table failed (${describeCause(error.cause) ?? error.code})`),
    onWritten: () => reports.onWritten(),
  });
  node.on('changed', () => saver.schedule(() => toTableSnapshot(node.snapshot(), readClocks(clock))));
  return saver;
}

/** A DOMException's name (QuotaExceededError, InvalidStateError, NotFoundError…), the most telling part. */
function describeCause(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null || !('name' in cause)) return undefined;
  const name = String((cause as { name: unknown }).name);
  return name === 'Error' ? undefined : name;
}
