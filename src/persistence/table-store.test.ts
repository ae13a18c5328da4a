import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createIdbStoreFactory, createMemoryStoreFactory } from '../adapters/storage';
import {
  loadTableSnapshot,
  MAX_SCANNED_PEERS,
  saveTableSnapshot,
  tableKey,
  type PeerSnapshot,
  type TableSnapshot,
} from './table-store';
import type { Store } from './types';

const NOW_MS = 1_700_000_000_000;
const HOUR_MS = 3_600_000;
const OPTS = { nowMs: NOW_MS, staleAfterMs: HOUR_MS };

/** A 22-character ID from a short name (real IDs are key hashes of 22 characters); other strings stay as given. */
function pid(name: string): string {
  return /^[A-Za-z0-9_-]{1,21}$/.test(name) ? name.padEnd(22, '_') : name;
}

function peer(id: string, overrides: Partial<PeerSnapshot> = {}): PeerSnapshot {
  return {
    id: pid(id),
    counter: 7,
    state: 'alive',
    lastSeenMs: NOW_MS - 1000,
    stateChangedMs: NOW_MS - 5000,
    successes: 3,
    failures: 1,
    ...overrides,
  };
}

function snapshot(peers: PeerSnapshot[], counter = 42): TableSnapshot {
  return { savedAtMs: NOW_MS, self: { counter }, peers };
}

describe('snapshot load/save', () => {
  it('round-trips through IndexedDB with lastSeenMs exactly as saved', async () => {
    const store = createIdbStoreFactory(new IDBFactory()).openStore('node-a');
    const saved = snapshot([
      peer('AAAAAAAAAAAAAAAAAAAAAA', { lastSeenMs: NOW_MS - 1234.5678 }),
      peer('BBBBBBBBBBBBBBBBBBBBBB', { state: 'suspect', lastSeenMs: NOW_MS - HOUR_MS + 1, counter: 2 ** 40 }),
      peer('CCCCCCCCCCCCCCCCCCCCCC', { state: 'dead', lastSeenMs: NOW_MS - 0.25 }),
    ]);
    expect(await saveTableSnapshot(store, tableKey('self'), saved)).toEqual({ ok: true, wrote: true });
    const loaded = await loadTableSnapshot(store, tableKey('self'), OPTS);
    expect(loaded).toEqual({ status: 'loaded', snapshot: saved, droppedPeers: 0 });
  });

  it('drops stale entries, dead tombstones included, and keeps fresh ones', async () => {
    const store = createMemoryStoreFactory().openStore('t');
    const fresh = peer('fresh', { lastSeenMs: NOW_MS - HOUR_MS });
    await saveTableSnapshot(store, 'k', snapshot([
      fresh,
      peer('staleAlive', { lastSeenMs: NOW_MS - HOUR_MS - 1 }),
      peer('staleDead', { state: 'dead', lastSeenMs: NOW_MS - 2 * HOUR_MS }),
    ]));
    const loaded = await loadTableSnapshot(store, 'k', OPTS);
    expect(loaded).toEqual({ status: 'loaded', snapshot: snapshot([fresh]), droppedPeers: 2 });
  });

  it('reports empty, corrupt and unreadable snapshots without throwing', async () => {
    const store = createMemoryStoreFactory().openStore('t');
    expect(await loadTableSnapshot(store, 'none', OPTS)).toEqual({ status: 'empty' });
    const corrupt: unknown[] = [
      'text', 42, null, [], { v: 2, savedAtMs: 1, self: { counter: 1 }, peers: [] },
      { v: 1, savedAtMs: Number.NaN, self: { counter: 1 }, peers: [] },
      { v: 1, savedAtMs: 1, self: null, peers: [] },
      { v: 1, savedAtMs: 1, self: { counter: -1 }, peers: [] },
      { v: 1, savedAtMs: 1, self: { counter: 1 }, peers: { length: 3 } },
    ];
    for (const value of corrupt) {
      await store.set('bad', value);
      expect((await loadTableSnapshot(store, 'bad', OPTS)).status).toBe('corrupt');
    }
    const broken: Store = { ...store, get: () => Promise.reject(new Error('gone')) };
    const result = await loadTableSnapshot(broken, 'k', OPTS);
    expect(result.status === 'error' && result.error.code).toBe('read-failed');
  });

  it('drops invalid, duplicate, own and over-the-cap entries, keeping the rest', async () => {
    const store = createMemoryStoreFactory().openStore('t');
    const good = peer('good');
    const invalid: unknown[] = [
      null, 'peer', peer('bad id!'), peer(''), peer('x'.repeat(65)), { ...peer('short'), id: 'short' },
      { ...peer('nan'), lastSeenMs: Number.NaN }, { ...peer('inf'), stateChangedMs: Infinity },
      { ...peer('neg'), successes: -1 }, { ...peer('frac'), failures: 1.5 }, { ...peer('big'), counter: 2 ** 60 },
      { ...peer('state'), state: 'zombie' }, { ...peer('str'), counter: '7' }, { id: 'missing' },
      { ...peer('negative'), lastSeenMs: -5 },
    ];
    const dupLow = peer('dup', { counter: 1 });
    const dupHigh = peer('dup', { counter: 9 });
    await store.set('k', { v: 1, savedAtMs: NOW_MS, self: { counter: 1 }, peers: [good, ...invalid, dupLow, dupHigh, peer('me')] });
    const loaded = await loadTableSnapshot(store, 'k', { ...OPTS, selfId: pid('me') });
    expect(loaded.status === 'loaded' && loaded.snapshot.peers).toEqual([good, dupHigh]);
    expect(loaded.status === 'loaded' && loaded.droppedPeers).toBe(invalid.length + 2);

    await saveTableSnapshot(store, 'cap', snapshot([1, 5, 3, 4, 2].map((n) => peer(`p${n}`, { lastSeenMs: NOW_MS - n }))));
    const capped = await loadTableSnapshot(store, 'cap', { ...OPTS, maxPeers: 2 });
    expect(capped.status === 'loaded' && capped.snapshot.peers.map((p) => p.id)).toEqual(['p1', 'p2'].map(pid));
  });
});

describe('loading across a wall-clock jump', () => {
  const saved = (peers: PeerSnapshot[]): TableSnapshot => ({ savedAtMs: NOW_MS, self: { counter: 3 }, peers });

  it('keeps stamps exactly when the wall clock ran on normally since the save', async () => {
    const store = createMemoryStoreFactory().openStore('t');
    await saveTableSnapshot(store, 'k', saved([peer('a', { lastSeenMs: NOW_MS - 4_000 })]));
    const loaded = await loadTableSnapshot(store, 'k', { ...OPTS, nowMs: NOW_MS + 60_000 });
    expect(loaded.status === 'loaded' && loaded.snapshot.peers[0]?.lastSeenMs).toBe(NOW_MS - 4_000);
  });

  it('a clock set back since the save counts no time as passed: ages kept, nothing in the future', async () => {
    const store = createMemoryStoreFactory().openStore('t');
    await saveTableSnapshot(store, 'k', saved([peer('a', { lastSeenMs: NOW_MS - 4_000, stateChangedMs: NOW_MS - 9_000 })]));
    const backMs = NOW_MS - 2 * HOUR_MS;
    const loaded = await loadTableSnapshot(store, 'k', { ...OPTS, nowMs: backMs });
    expect(loaded.status).toBe('loaded');
    if (loaded.status !== 'loaded') return;
    expect(loaded.snapshot.peers[0]).toMatchObject({ lastSeenMs: backMs - 4_000, stateChangedMs: backMs - 9_000 });
    expect(loaded.snapshot.savedAtMs).toBeLessThanOrEqual(backMs);
  });

  it('a stamp after its own save (corrupt) is taken as age 0, never as a future LastSeen', async () => {
    const store = createMemoryStoreFactory().openStore('t');
    await saveTableSnapshot(store, 'k', saved([peer('a', { lastSeenMs: NOW_MS + 5 * HOUR_MS })]));
    const loaded = await loadTableSnapshot(store, 'k', { ...OPTS, nowMs: NOW_MS + 1_000 });
    expect(loaded.status === 'loaded' && loaded.snapshot.peers[0]?.lastSeenMs).toBe(NOW_MS);
  });

  it('a clock set far forward since the save makes every entry stale: none is restored', async () => {
    const store = createMemoryStoreFactory().openStore('t');
    await saveTableSnapshot(store, 'k', saved([peer('a'), peer('b', { state: 'dead' })]));
    const loaded = await loadTableSnapshot(store, 'k', { ...OPTS, nowMs: NOW_MS + 2 * HOUR_MS });
    expect(loaded).toMatchObject({ status: 'loaded', snapshot: { self: { counter: 3 }, peers: [] }, droppedPeers: 2 });
  });
});

describe('loading oversized and slow values', () => {
  it('looks at no more than MAX_SCANNED_PEERS entries of a huge stored array', async () => {
    const store = createMemoryStoreFactory().openStore('t');
    const many = Array.from({ length: MAX_SCANNED_PEERS + 5_000 }, () => peer('same'));
    await store.set('k', { v: 1, savedAtMs: NOW_MS, self: { counter: 1 }, peers: many });
    const loaded = await loadTableSnapshot(store, 'k', OPTS);
    expect(loaded.status === 'loaded' && loaded.droppedPeers).toBe(many.length - 1);
  });

  it('gives up a read that does not answer within the bound', async () => {
    const pending = new Map<number, () => void>();
    let next = 0;
    const timers = { setTimer: (fn: () => void) => (pending.set(++next, fn), next), clearTimer: (h: unknown) => void pending.delete(h as number) };
    const stuck: Store = { ...createMemoryStoreFactory().openStore('t'), get: () => new Promise(() => undefined) };
    const loading = loadTableSnapshot(stuck, 'k', { ...OPTS, timers, timeoutMs: 3_000 });
    expect(pending.size).toBe(1);
    for (const fire of pending.values()) fire();
    const result = await loading;
    expect(result.status === 'error' && result.error.code).toBe('read-timeout');
  });
});
