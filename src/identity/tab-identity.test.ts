import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openPersistentStorage } from '../adapters/storage';
import type { PersistentStorage } from '../persistence/types';
import { generateKeyPair, verifySignature } from './keys';
import {
  IDENTITY_NAMESPACE,
  loadTabIdentity,
  SLOT_LOCK_PREFIX,
  SLOT_SESSION_KEY,
  type LockManagerLike,
  type SessionStorageLike,
} from './tab-identity';

/**
 * Web Locks for one origin: a held name refuses `ifAvailable` requests until the holding page goes away; a
 * request with a signal waits for it until the signal aborts.
 */
class FakeLocks implements LockManagerLike {
  readonly held = new Set<string>();
  private readonly waiting = new Map<string, Array<() => void>>();
  async request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => unknown) {
    if (this.held.has(name)) {
      if (options.ifAvailable === true || options.signal === undefined) return callback(null);
      const signal = options.signal;
      await new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        this.waiting.set(name, [...(this.waiting.get(name) ?? []), resolve]);
      });
    }
    this.held.add(name);
    return callback({ name, mode: 'exclusive' });
  }
  /** The page holding `name` is unloaded (reload or close): the browser releases its lock. */
  release(name: string): void {
    this.held.delete(name);
    const next = this.waiting.get(name)?.shift();
    next?.();
  }
}

/** A tab's sessionStorage; `copy()` is what duplicating the tab does. */
class FakeSession implements SessionStorageLike {
  constructor(private readonly data = new Map<string, string>()) {}
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
  copy(): FakeSession {
    return new FakeSession(new Map(this.data));
  }
}

function slotOf(session: SessionStorageLike): string {
  return session.getItem(SLOT_SESSION_KEY) ?? '';
}

/** One browser profile: a shared IndexedDB and lock manager. Each call of `storage()` is a fresh page's view. */
function browser() {
  const idb = new IDBFactory();
  const locks = new FakeLocks();
  return {
    locks,
    storage: () => openPersistentStorage({ indexedDB: idb }),
    /** Unloads a tab: releases its slot lock. */
    unload: (session: SessionStorageLike) => locks.release(SLOT_LOCK_PREFIX + slotOf(session)),
  };
}

describe('loadTabIdentity', () => {
  it('keeps the ID across a reload', async () => {
    const b = browser();
    const session = new FakeSession();
    const first = await loadTabIdentity({ storage: await b.storage(), sessionStorage: session, locks: b.locks, generate: () => generateKeyPair() });
    expect(first).toMatchObject({ restored: false, persistent: true });
    expect(first.keyPair.privateKey.extractable).toBe(false);

    b.unload(session);
    const again = await loadTabIdentity({ storage: await b.storage(), sessionStorage: session, locks: b.locks, generate: () => generateKeyPair() });
    expect(again).toMatchObject({ restored: true, persistent: true });
    expect(again.identity.id).toBe(first.identity.id);
    const data = new Uint8Array([1, 2, 3]);
    expect(await verifySignature(first.identity.publicKey, await again.identity.sign(data), data)).toBe(true);
  });

  it('a reload whose old document still holds the slot waits for it and keeps the ID; a duplicate waits out the bound and gets a new one', async () => {
    const b = browser();
    const session = new FakeSession();
    const storage = await b.storage();
    const load = (from: SessionStorageLike, slotWaitMs: number) =>
      loadTabIdentity({ storage, sessionStorage: from, locks: b.locks, generate: () => generateKeyPair(), slotWaitMs });
    const first = await load(session, 0);
    // The reloaded document starts while the old one still holds the lock; the old one goes a moment later.
    const reloaded = load(session, 5_000);
    setTimeout(() => b.unload(session), 50);
    expect((await reloaded).identity.id).toBe(first.identity.id);
    expect(await reloaded).toMatchObject({ restored: true, persistent: true });
    // A duplicate (same sessionStorage, original alive) that also waits: the lock never comes, so a new slot.
    const duplicate = session.copy();
    const second = await load(duplicate, 100);
    expect(second.identity.id).not.toBe(first.identity.id);
    expect(slotOf(duplicate)).not.toBe(slotOf(session));
  });

  it('gives a duplicated tab a new ID while the original keeps its own', async () => {
    const b = browser();
    const original = new FakeSession();
    const storage = await b.storage();
    const load = (session: SessionStorageLike) =>
      loadTabIdentity({ storage, sessionStorage: session, locks: b.locks, generate: () => generateKeyPair() });
    const first = await load(original);
    const duplicate = original.copy();
    const second = await load(duplicate);
    expect(second).toMatchObject({ restored: false, persistent: true });
    expect(second.identity.id).not.toBe(first.identity.id);
    expect(slotOf(duplicate)).not.toBe(slotOf(original));

    b.unload(original);
    b.unload(duplicate);
    expect((await load(original)).identity.id).toBe(first.identity.id);
    expect((await load(duplicate)).identity.id).toBe(second.identity.id);
  });

  it('makes an in-memory identity when IndexedDB, sessionStorage or locks are missing', async () => {
    const b = browser();
    const memory = await openPersistentStorage({ indexedDB: null });
    const cases: Array<[PersistentStorage, SessionStorageLike | undefined, LockManagerLike | undefined]> = [
      [memory, new FakeSession(), b.locks],
      [await b.storage(), undefined, b.locks],
      [await b.storage(), new FakeSession(), undefined],
    ];
    for (const [storage, sessionStorage, locks] of cases) {
      const result = await loadTabIdentity({ storage, sessionStorage, locks, generate: () => generateKeyPair() });
      expect(result).toMatchObject({ restored: false, persistent: false });
      expect(result.reason).toBeTruthy();
    }
  });

  it('replaces a corrupted stored key with a new persistent one, without throwing', async () => {
    const b = browser();
    const session = new FakeSession();
    const storage = await b.storage();
    const load = () => loadTabIdentity({ storage, sessionStorage: session, locks: b.locks, generate: () => generateKeyPair() });
    const first = await load();
    const other = await generateKeyPair();
    const key = `slot:${slotOf(session)}`;
    const corruptions: unknown[] = [
      'garbage',
      null,
      { v: 1, id: first.identity.id, keyPair: { publicKey: 'pk', privateKey: 7 } },
      { v: 1, id: first.identity.id, keyPair: { publicKey: { type: 'public', algorithm: {}, usages: [] }, privateKey: { type: 'private', algorithm: {}, usages: [] } } },
      { v: 1, id: first.identity.id, keyPair: other }, // ID does not match the key
      { v: 1, id: first.identity.id, keyPair: { publicKey: first.keyPair.publicKey, privateKey: other.privateKey } },
      { v: 9, id: first.identity.id, keyPair: first.keyPair },
    ];
    let previous = first.identity.id;
    for (const corrupt of corruptions) {
      await storage.openStore(IDENTITY_NAMESPACE).set(key, corrupt);
      b.unload(session);
      const result = await load();
      expect(result).toMatchObject({ restored: false, persistent: true });
      expect(result.identity.id).not.toBe(previous);
      expect(slotOf(session)).toBe(key.slice('slot:'.length));
      b.unload(session);
      expect((await load()).identity.id).toBe(result.identity.id); // the replacement was saved
      previous = result.identity.id;
    }
  });

  it('survives failing storage, sessionStorage and lock manager', async () => {
    const b = browser();
    const real = await b.storage();
    const broken: PersistentStorage = {
      persistent: true,
      openStore: () => ({ ...real.openStore('x'), get: () => Promise.reject(new Error('io')), set: () => Promise.reject(new Error('io')) }),
    };
    const throwingSession: SessionStorageLike = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    const refusingLocks: LockManagerLike = { request: () => Promise.reject(new DOMException('no', 'SecurityError')) };
    const generate = () => generateKeyPair();
    const results = [
      await loadTabIdentity({ storage: broken, sessionStorage: new FakeSession(), locks: b.locks, generate }),
      await loadTabIdentity({ storage: real, sessionStorage: throwingSession, locks: b.locks, generate }),
      await loadTabIdentity({ storage: real, sessionStorage: new FakeSession(), locks: refusingLocks, generate }),
    ];
    for (const result of results) expect(result).toMatchObject({ restored: false, persistent: false });
  });
});

describe('platform types', () => {
  it('accepts the DOM LockManager and Storage as they are', () => {
    const fromDom = (nav: Navigator, storage: Storage): [LockManagerLike, SessionStorageLike] => [nav.locks, storage];
    expect(typeof fromDom).toBe('function');
  });
});
