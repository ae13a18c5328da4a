/**
 * Storage adapter: the only importer of idb-keyval. Provides an IndexedDB-backed `StoreFactory` (one database
 * per namespace, reopened when the browser drops the connection), an in-memory one, and `openPersistentStorage`,
 * which probes IndexedDB and falls back to memory with a reason instead of throwing.
 */
import { del, get, keys, promisifyRequest, update, type UseStore } from 'idb-keyval';
import type { PersistentStorage, Store, StorageFallbackCode, StoreFactory } from '../persistence/types';

const DB_PREFIX = 'starmesh:';
const OBJECT_STORE = 'kv';
const PROBE_NAMESPACE = '__probe__';
const PROBE_KEY = 'probe';

/** Timer functions, injected so the probe time-out is testable without real waits. */
export interface ProbeTimers {
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Options of `openPersistentStorage`; every platform object is injectable. */
export interface OpenPersistentStorageOptions {
  /** The IndexedDB factory; `null` means "none". Defaults to `globalThis.indexedDB` when present. */
  indexedDB?: IDBFactory | null;
  /** How long the probe may take before giving up (some private modes never answer `open`). Default 3000. */
  probeTimeoutMs?: number;
  /** Timers for the probe time-out; default `globalThis.setTimeout`/`clearTimeout`. */
  timers?: ProbeTimers;
}

/** Database name for a namespace; encoded so any string is a valid, collision-free name. */
export function databaseName(namespace: string): string {
  return DB_PREFIX + encodeURIComponent(namespace);
}

function errorName(error: unknown): string {
  return error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)
    ? String((error as { name: unknown }).name)
    : 'Error';
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${errorName(error)}: ${message}`;
}

/**
 * An idb-keyval `UseStore` over an injected factory (idb-keyval's own `createStore` reads the global). Like
 * `createStore`, it caches one connection; unlike it, a transaction refused with `InvalidStateError` ("the
 * database connection is closing", Safari, idb-keyval#165) drops the cache and is retried once on a new one.
 */
export function createIdbUseStore(factory: IDBFactory, dbName: string, storeName = OBJECT_STORE): UseStore {
  let connection: Promise<IDBDatabase> | undefined;
  const forget = (which: Promise<IDBDatabase>): void => {
    if (connection === which) connection = undefined;
  };
  const open = (): Promise<IDBDatabase> => {
    if (connection) return connection;
    const request = factory.open(dbName);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    const opened = promisifyRequest(request);
    connection = opened;
    opened.then(
      (db) => {
        db.onclose = () => forget(opened);
        // Another tab upgrading the database: step aside instead of blocking it, reopen lazily.
        db.onversionchange = () => {
          db.close();
          forget(opened);
        };
      },
      () => forget(opened),
    );
    return opened;
  };
  const objectStore = async (mode: IDBTransactionMode, retry: boolean): Promise<IDBObjectStore> => {
    const current = open();
    const db = await current;
    try {
      return db.transaction(storeName, mode).objectStore(storeName);
    } catch (error) {
      // Only a refused transaction is retried: nothing was read or written yet, so retrying is safe.
      if (!retry || errorName(error) !== 'InvalidStateError') throw error;
      forget(current);
      return objectStore(mode, false);
    }
  };
  return async (mode, callback) => callback(await objectStore(mode, true));
}

/**
 * Writes one value and commits at once (`IDBTransaction.commit()`): a write started as the page goes away
 * (`pagehide`) is handed to the database before the document is torn down, instead of waiting for the event
 * loop to come round to the auto-commit.
 */
function putAndCommit(key: string, value: unknown, useStore: UseStore): Promise<void> {
  return useStore('readwrite', (store) => {
    store.put(value, key);
    (store.transaction as { commit?: () => void }).commit?.();
    return promisifyRequest(store.transaction);
  });
}

/** A `Store` over an idb-keyval `UseStore`. */
function idbStore(useStore: UseStore): Store {
  return {
    get: (key) => get<unknown>(key, useStore),
    set: (key, value) => putAndCommit(key, value, useStore),
    keys: async () => (await keys(useStore)).filter((key): key is string => typeof key === 'string'),
    update: (key, fn) => update<unknown>(key, fn, useStore),
    del: (key) => del(key, useStore),
  };
}

/** An IndexedDB-backed factory: one database (`starmesh:<namespace>`) with one object store per namespace. */
export function createIdbStoreFactory(factory: IDBFactory): StoreFactory {
  const stores = new Map<string, Store>();
  return {
    openStore(namespace) {
      let store = stores.get(namespace);
      if (!store) {
        store = idbStore(createIdbUseStore(factory, databaseName(namespace)));
        stores.set(namespace, store);
      }
      return store;
    },
  };
}

/**
 * An in-memory factory with IndexedDB's copy semantics: values are structured-cloned on the way in and out,
 * so callers can neither mutate stored data by accident nor store what IndexedDB would refuse.
 */
export function createMemoryStoreFactory(): StoreFactory {
  const namespaces = new Map<string, Map<string, unknown>>();
  const memoryStore = (data: Map<string, unknown>): Store => ({
    get: async (key) => structuredClone(data.get(key)),
    set: async (key, value) => {
      data.set(key, structuredClone(value));
    },
    update: async (key, fn) => {
      data.set(key, structuredClone(fn(structuredClone(data.get(key)))));
    },
    del: async (key) => {
      data.delete(key);
    },
    keys: async () => [...data.keys()],
  });
  return {
    openStore(namespace) {
      let data = namespaces.get(namespace);
      if (!data) {
        data = new Map();
        namespaces.set(namespace, data);
      }
      return memoryStore(data);
    },
  };
}

function resolveFactory(options: OpenPersistentStorageOptions): IDBFactory | null {
  if ('indexedDB' in options) return options.indexedDB ?? null;
  try {
    // Reading the global can itself throw (SecurityError in sandboxed frames, some privacy settings).
    return (globalThis as { indexedDB?: IDBFactory }).indexedDB ?? null;
  } catch {
    return null;
  }
}

const defaultTimers: ProbeTimers = {
  setTimer: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

class ProbeFailure extends Error {
  constructor(
    readonly code: StorageFallbackCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

async function probe(factory: StoreFactory): Promise<void> {
  const store = factory.openStore(PROBE_NAMESPACE);
  // A fresh nonce per probe, so a value left by an earlier probe cannot pass for this one's read-back.
  const token = { probe: true, nonce: globalThis.crypto.getRandomValues(new Uint32Array(1))[0], bytes: new Uint8Array([1, 2, 3]) };
  try {
    await store.get(PROBE_KEY);
  } catch (error) {
    throw new ProbeFailure('indexeddb-open-failed', describe(error));
  }
  try {
    await store.set(PROBE_KEY, token);
  } catch (error) {
    const quota = errorName(error) === 'QuotaExceededError';
    throw new ProbeFailure(quota ? 'indexeddb-quota' : 'indexeddb-write-failed', describe(error));
  }
  const back = await store.get(PROBE_KEY).catch(() => undefined);
  const nonce = typeof back === 'object' && back !== null ? (back as { nonce?: unknown }).nonce : undefined;
  if (nonce !== token.nonce) throw new ProbeFailure('indexeddb-readback-mismatch', 'probe value not read back');
  await store.del(PROBE_KEY).catch(() => undefined);
}

function withTimeout(work: Promise<void>, timeoutMs: number, timers: ProbeTimers): Promise<void> {
  return new Promise((resolve, reject) => {
    const handle = timers.setTimer(
      () => reject(new ProbeFailure('indexeddb-timeout', `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    work.then(
      () => {
        timers.clearTimer(handle);
        resolve();
      },
      (error: unknown) => {
        timers.clearTimer(handle);
        reject(error);
      },
    );
  });
}

function memoryFallback(code: StorageFallbackCode, reason: string): PersistentStorage {
  const memory = createMemoryStoreFactory();
  return { openStore: (namespace) => memory.openStore(namespace), persistent: false, reasonCode: code, reason };
}

/**
 * Probes IndexedDB (present, opens, writes, reads back) and returns an IndexedDB-backed factory, or an
 * in-memory one with `persistent: false` and the reason (missing, private mode, quota, open failure, time-out).
 * Never throws.
 */
export async function openPersistentStorage(options: OpenPersistentStorageOptions = {}): Promise<PersistentStorage> {
  const factory = resolveFactory(options);
  if (!factory) return memoryFallback('indexeddb-missing', 'indexeddb-missing: no IndexedDB in this context');
  try {
    const idb = createIdbStoreFactory(factory);
    await withTimeout(probe(idb), options.probeTimeoutMs ?? 3000, options.timers ?? defaultTimers);
    return { openStore: (namespace) => idb.openStore(namespace), persistent: true };
  } catch (error) {
    if (error instanceof ProbeFailure) return memoryFallback(error.code, error.message);
    return memoryFallback('indexeddb-open-failed', `indexeddb-open-failed: ${describe(error)}`);
  }
}
