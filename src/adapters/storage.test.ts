import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createIdbStoreFactory,
  createMemoryStoreFactory,
  openPersistentStorage,
  type ProbeTimers,
} from './storage';
import type { StoreFactory } from '../persistence/types';

/** A factory that records every open request, so a test can reach (and close) the connections. */
function recordingFactory(): { factory: IDBFactory; requests: IDBOpenDBRequest[]; real: IDBFactory } {
  const real = new IDBFactory();
  const requests: IDBOpenDBRequest[] = [];
  const factory = {
    open: (name: string) => {
      const request = real.open(name);
      requests.push(request);
      return request;
    },
  } as unknown as IDBFactory;
  return { factory, requests, real };
}

/** Timers that fire only when the test says so. */
function manualTimers(): ProbeTimers & { fire(): void; count(): number } {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    setTimer: (fn) => (pending.set(++next, fn), next),
    clearTimer: (handle) => void pending.delete(handle as number),
    fire: () => [...pending.values()].forEach((fn) => fn()),
    count: () => pending.size,
  };
}

function contract(name: string, make: () => StoreFactory): void {
  describe(`${name} store`, () => {
    it('gets, sets, updates and deletes, with namespaces kept apart', async () => {
      const factory = make();
      const a = factory.openStore('a');
      const b = factory.openStore('b');
      expect(await a.get('k')).toBeUndefined();
      await a.set('k', { n: 1, bytes: new Uint8Array([1, 2]) });
      expect(await a.get('k')).toEqual({ n: 1, bytes: new Uint8Array([1, 2]) });
      expect(await b.get('k')).toBeUndefined();
      await a.update('k', (old) => ({ n: ((old as { n: number }).n ?? 0) + 1 }));
      expect(await a.get('k')).toEqual({ n: 2 });
      expect(await factory.openStore('a').get('k')).toEqual({ n: 2 });
      await a.del('k');
      await a.del('absent');
      expect(await a.get('k')).toBeUndefined();
    });

    it('stores copies, and refuses what structured clone refuses', async () => {
      const store = make().openStore('c');
      const value = { list: [1] };
      await store.set('k', value);
      value.list.push(2);
      expect(await store.get('k')).toEqual({ list: [1] });
      await expect(store.set('f', { f: () => 1 })).rejects.toThrow();
    });
  });
}

contract('IndexedDB', () => createIdbStoreFactory(new IDBFactory()));
contract('memory', () => createMemoryStoreFactory());

describe('IndexedDB connection recovery', () => {
  it('reopens when the cached connection was closed under it (idb-keyval#165)', async () => {
    const { factory, requests } = recordingFactory();
    const store = createIdbStoreFactory(factory).openStore('r');
    await store.set('k', 1);
    expect(requests).toHaveLength(1);
    requests[0]?.result.close(); // as Safari does: no close event, the next transaction throws InvalidStateError
    expect(await store.get('k')).toBe(1);
    expect(requests).toHaveLength(2);
  });

  it('steps aside when another tab opens a higher version, and reopens on the next use', async () => {
    const { factory, requests, real } = recordingFactory();
    const store = createIdbStoreFactory(factory).openStore('r');
    await store.set('k', 1);
    const ours = requests[0]!.result;
    // Another tab's upgrade: it is blocked for as long as this connection stays open.
    const upgrade = real.open(ours.name, ours.version + 1);
    let blocked = false;
    upgrade.onblocked = () => (blocked = true);
    const theirs = await new Promise<IDBDatabase>((resolve, reject) => {
      upgrade.onsuccess = () => resolve(upgrade.result);
      upgrade.onerror = () => reject(upgrade.error);
    });
    expect(blocked, 'the other tab was blocked').toBe(false);
    expect(theirs.version).toBe(ours.version + 1);
    theirs.close();
    expect(await store.get('k')).toBe(1);
    await store.set('k', 2);
    expect(await store.get('k')).toBe(2);
    expect(requests).toHaveLength(2);
  });
});

describe('openPersistentStorage', () => {
  afterEach(() => vi.restoreAllMocks());

  it('uses IndexedDB when it works', async () => {
    const idb = new IDBFactory();
    const storage = await openPersistentStorage({ indexedDB: idb });
    expect(storage).toMatchObject({ persistent: true });
    expect(storage.reason).toBeUndefined();
    await storage.openStore('x').set('k', 'v');
    expect(await createIdbStoreFactory(idb).openStore('x').get('k')).toBe('v');
  });

  it('falls back to memory when IndexedDB is missing', async () => {
    const storage = await openPersistentStorage({ indexedDB: null });
    expect(storage).toMatchObject({ persistent: false, reasonCode: 'indexeddb-missing' });
    await storage.openStore('x').set('k', 'v');
    expect(await storage.openStore('x').get('k')).toBe('v');
  });

  it('falls back to memory when open throws', async () => {
    const throwing = {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    } as unknown as IDBFactory;
    const storage = await openPersistentStorage({ indexedDB: throwing });
    expect(storage).toMatchObject({ persistent: false, reasonCode: 'indexeddb-open-failed' });
    expect(storage.reason).toContain('SecurityError');
    await storage.openStore('x').set('k', 1);
    expect(await storage.openStore('x').get('k')).toBe(1);
  });

  it('falls back to memory when open fails asynchronously (private mode)', async () => {
    const failing = {
      open: () => {
        const request = { error: new DOMException('A mutation operation was attempted', 'InvalidStateError') } as {
          error: DOMException;
          onerror?: () => void;
        };
        queueMicrotask(() => request.onerror?.());
        return request;
      },
    } as unknown as IDBFactory;
    const storage = await openPersistentStorage({ indexedDB: failing });
    expect(storage).toMatchObject({ persistent: false, reasonCode: 'indexeddb-open-failed' });
  });

  it('falls back to memory when open never answers', async () => {
    const hanging = { open: () => ({}) } as unknown as IDBFactory;
    const timers = manualTimers();
    const pending = openPersistentStorage({ indexedDB: hanging, timers, probeTimeoutMs: 500 });
    expect(timers.count()).toBe(1);
    timers.fire();
    expect(await pending).toMatchObject({ persistent: false, reasonCode: 'indexeddb-timeout' });
  });

  it('falls back to memory when the quota is exhausted', async () => {
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    const timers = manualTimers();
    const storage = await openPersistentStorage({ indexedDB: new IDBFactory(), timers });
    expect(storage).toMatchObject({ persistent: false, reasonCode: 'indexeddb-quota' });
    expect(timers.count()).toBe(0);
  });
});
