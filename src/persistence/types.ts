/**
 * Storage seams for Starmesh: a tiny async key-value store, opened per namespace. The IndexedDB and in-memory
 * implementations live in `src/adapters/storage.ts`; everything else depends only on these types.
 */

/**
 * A small async key-value store. Values read back are `unknown` on purpose: stored data may be corrupted or
 * written by another version, so callers validate everything they get. Methods reject on I/O failure.
 */
export interface Store {
  /** The stored value, or `undefined` when the key is absent. */
  get(key: string): Promise<unknown>;
  /** Stores a structured-cloneable value (plain data, `CryptoKey`, typed arrays). */
  set(key: string, value: unknown): Promise<void>;
  /** Atomic read-modify-write (one readwrite transaction in IndexedDB); `fn` receives the untrusted old value. */
  update(key: string, fn: (oldValue: unknown) => unknown): Promise<void>;
  /** Removes the key; removing an absent key is not an error. */
  del(key: string): Promise<void>;
  /** Every key (housekeeping lists slots and tables with it). */
  keys(): Promise<string[]>;
}

/** Opens namespaced stores: the same namespace always sees the same data, different namespaces never collide. */
export interface StoreFactory {
  openStore(namespace: string): Store;
}

/** Stable codes for why storage fell back to memory. */
export type StorageFallbackCode =
  | 'indexeddb-missing'
  | 'indexeddb-open-failed'
  | 'indexeddb-timeout'
  | 'indexeddb-quota'
  | 'indexeddb-write-failed'
  | 'indexeddb-readback-mismatch';

/** A store factory plus whether its data survives a reload; when it does not, `reason` says why. */
export interface PersistentStorage extends StoreFactory {
  /** True when backed by IndexedDB (best effort: Chrome commits with `relaxed` durability). */
  persistent: boolean;
  /** Stable code of the fallback cause, when `persistent` is false. */
  reasonCode?: StorageFallbackCode;
  /** Human-readable fallback cause (starts with `reasonCode`), when `persistent` is false. */
  reason?: string;
}
