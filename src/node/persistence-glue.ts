import type { MembershipSnapshot } from '../core';
import { createTableSaver, loadTableSnapshot, tableKey, type TableSaver, type TableSnapshot } from '../persistence/table-store';
import type { Store } from '../persistence/types';
import type { MeshNode } from './mesh-node';

/** The core's snapshot in the stored shape (wall-clock times, as the core keeps them). */
export function toTableSnapshot(snapshot: MembershipSnapshot, nowMs: number): TableSnapshot {
  return { savedAtMs: nowMs, self: { counter: snapshot.selfCounter }, peers: snapshot.peers };
}

/** The stored shape as the core's snapshot. */
export function fromTableSnapshot(snapshot: TableSnapshot): MembershipSnapshot {
  return { selfCounter: snapshot.self.counter, peers: snapshot.peers.map((peer) => ({ ...peer })) };
}

/** Loads the saved table of `nodeId` (stale entries dropped), or undefined; never throws. */
export async function loadSavedTable(store: Store, nodeId: string, nowMs: number, staleAfterMs: number): Promise<MembershipSnapshot | undefined> {
  const loaded = await loadTableSnapshot(store, tableKey(nodeId), { nowMs, staleAfterMs, selfId: nodeId });
  return loaded.status === 'loaded' ? fromTableSnapshot(loaded.snapshot) : undefined;
}

/**
 * Saves the node's table in batches: every change marks it dirty, and the saver writes at most every couple of
 * seconds. Returns the saver (call `flush()` on page hide).
 */
export function persistTable(node: MeshNode, store: Store, onError: (message: string) => void): TableSaver {
  const saver = createTableSaver({
    store,
    key: tableKey(node.id),
    now: () => Date.now(),
    setTimer: (fn, delayMs) => globalThis.setTimeout(fn, delayMs),
    clearTimer: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    onError: (error) => onError(`saving the peer table failed (${error.code})`),
  });
  node.on('changed', () => saver.schedule(() => toTableSnapshot(node.snapshot(), Date.now())));
  return saver;
}
