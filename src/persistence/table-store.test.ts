import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createIdbStoreFactory, createMemoryStoreFactory } from '../adapters/storage';
import {
  createTableSaver,
  loadTableSnapshot,
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

/** A store that records every write and can be told to fail. */
function recordingStore(): Store & { writes: unknown[]; failWrites: boolean } {
  const data = new Map<string, unknown>();
  const store = {
    writes: [] as unknown[],
    failWrites: false,
    get: async (key: string) => data.get(key),
    set: async (key: string, value: unknown) => {
      if (store.failWrites) throw new Error('disk on fire');
      store.writes.push(value);
      data.set(key, value);
    },
    update: async () => undefined,
    del: async (key: string) => void data.delete(key),
  };
  return store;
}

/** A virtual clock with timers that fire only when advanced. */
function fakeClock() {
  let nowMs = 0;
  let nextId = 0;
  const timers = new Map<number, { dueMs: number; fn: () => void }>();
  return {
    now: () => nowMs,
    setTimer: (fn: () => void, delayMs: number): unknown => {
      timers.set(++nextId, { dueMs: nowMs + delayMs, fn });
      return nextId;
    },
    clearTimer: (handle: unknown) => void timers.delete(handle as number),
    pendingTimers: () => timers.size,
    advance(ms: number): void {
      const endMs = nowMs + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.dueMs <= endMs).sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
        if (!due) break;
        timers.delete(due[0]);
        nowMs = due[1].dueMs;
        due[1].fn();
      }
      nowMs = endMs;
    },
  };
}

describe('snapshot load/save', () => {
  it('round-trips through IndexedDB with lastSeenMs exactly as saved', async () => {
    const store = createIdbStoreFactory(new IDBFactory()).openStore('node-a');
    const saved = snapshot([
      peer('AAAAAAAAAAAAAAAAAAAAAA', { lastSeenMs: NOW_MS - 1234.5678 }),
      peer('BBBBBBBBBBBBBBBBBBBBBB', { state: 'suspect', lastSeenMs: NOW_MS - HOUR_MS + 1, counter: 2 ** 40 }),
      peer('CCCCCCCCCCCCCCCCCCCCCC', { state: 'dead', lastSeenMs: NOW_MS + 0.25 }),
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
      peer('future', { lastSeenMs: NOW_MS + 2 * HOUR_MS }),
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

describe('createTableSaver', () => {
  function setup(overrides: { debounceMs?: number; maxDelayMs?: number } = {}) {
    const clock = fakeClock();
    const store = recordingStore();
    const errors: unknown[] = [];
    const saver = createTableSaver({
      store, key: 'k', now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer,
      onError: (error) => errors.push(error), ...overrides,
    });
    return { clock, store, saver, errors };
  }

  it('coalesces 100 schedule() calls into one write of the latest snapshot', async () => {
    const { clock, store, saver } = setup({ debounceMs: 2000 });
    let built = 0;
    for (let i = 0; i < 100; i++) {
      saver.schedule(() => (built++, snapshot([], i)));
      clock.advance(10);
    }
    expect(store.writes).toHaveLength(0);
    clock.advance(1999);
    await saver.flush(); // waits for any write in flight; nothing left to write
    expect(store.writes).toHaveLength(1);
    expect(store.writes[0]).toMatchObject({ v: 1, self: { counter: 99 } });
    expect(built).toBe(1);
    clock.advance(60_000);
    expect(await saver.flush()).toEqual({ ok: true, wrote: false });
    expect(store.writes).toHaveLength(1);
  });

  it('writes no later than maxDelayMs under constant change', async () => {
    const { clock, store, saver } = setup({ debounceMs: 2000, maxDelayMs: 10_000 });
    for (let t = 0; t < 25_000; t += 1000) {
      saver.schedule(() => snapshot([], t));
      clock.advance(1000);
      await Promise.resolve();
    }
    saver.dispose();
    await saver.flush();
    expect(store.writes).toHaveLength(2);
  });

  it('flush() writes immediately and cancels the pending timer', async () => {
    const { clock, store, saver } = setup();
    saver.schedule(() => snapshot([peer('a')]));
    expect(await saver.flush()).toEqual({ ok: true, wrote: true });
    expect(store.writes).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(60_000);
    await saver.flush();
    expect(store.writes).toHaveLength(1);
  });

  it('reports failures instead of throwing', async () => {
    const { clock, store, saver, errors } = setup();
    store.failWrites = true;
    saver.schedule(() => snapshot([]));
    clock.advance(2000);
    await saver.flush();
    expect(errors).toMatchObject([{ code: 'write-failed' }]);
    saver.schedule(() => {
      throw new Error('core broke');
    });
    const result = await saver.flush();
    expect(result.ok === false && result.error.code).toBe('snapshot-failed');
  });

  it('never runs two writes at once and ignores schedule() after dispose()', async () => {
    const clock = fakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const releases: Array<() => void> = [];
    const store: Store = {
      ...recordingStore(),
      set: () => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        return new Promise<void>((resolve) => releases.push(() => (inFlight--, resolve())));
      },
    };
    const saver = createTableSaver({ store, key: 'k', now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer });
    saver.schedule(() => snapshot([]));
    const first = saver.flush();
    await expect.poll(() => releases.length).toBe(1);
    saver.schedule(() => snapshot([], 2));
    const second = saver.flush();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(releases).toHaveLength(1);
    releases.shift()?.();
    await first;
    await expect.poll(() => releases.length).toBe(1);
    releases.shift()?.();
    expect(await second).toEqual({ ok: true, wrote: true });
    expect(maxInFlight).toBe(1);

    saver.dispose();
    saver.schedule(() => snapshot([]));
    clock.advance(60_000);
    expect(await saver.flush()).toEqual({ ok: true, wrote: false });
  });
});
