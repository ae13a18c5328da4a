/**
 * Per-tab identity: each tab is its own node, a reload keeps the tab's ID, a duplicated tab gets a new one.
 *
 * sessionStorage holds the tab's slot name; it survives a reload but is also copied into a duplicated tab. So
 * the tab claims its slot with a Web Lock held for the page's lifetime: a duplicate finds the lock taken and
 * mints a new slot. A reload is the exception: the old document may still hold the lock while the new one starts
 * (Chrome releases it when the old document is torn down, which can come after the new one runs its first
 * scripts, seen on a loaded machine), so a reloaded page waits a bounded time for its own slot. The non-extractable key pair is stored in IndexedDB under the slot (structured clone keeps
 * a non-extractable `CryptoKey` usable). All platform objects are injected; `defaultTabPlatform` reads globals.
 */
import { identityFromKeyPair, verifySignature, type KeyIdentity } from './keys';
import type { PersistentStorage, Store } from '../persistence/types';

/** sessionStorage key holding the tab's slot name. */
export const SLOT_SESSION_KEY = 'starmesh-slot';
/** Prefix of the Web Lock name claiming a slot. */
export const SLOT_LOCK_PREFIX = 'starmesh-id:';
/** Store namespace for identity records. */
export const IDENTITY_NAMESPACE = 'identity';

const SLOT_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const RECORD_VERSION = 1;
const MAX_SLOT_ATTEMPTS = 3;
/** A reloaded page's wait for its old document to let go of the slot; a duplicate tab waits this long too. */
export const RELOAD_SLOT_WAIT_MS = 5_000;

/** The part of `navigator.locks` used here (the DOM `LockManager` satisfies it). */
export interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => unknown,
  ): Promise<unknown>;
  /** The locks held now (housekeeping asks which slots belong to live tabs). */
  query?(): Promise<{ held?: Array<{ name?: string }> }>;
}

/** The part of `sessionStorage` used here. */
export type SessionStorageLike = Pick<Storage, 'getItem' | 'setItem'>;

/** Inputs of `loadTabIdentity`. Missing sessionStorage, locks or persistent storage give an in-memory identity. */
export interface TabIdentityOptions {
  storage: PersistentStorage;
  sessionStorage?: SessionStorageLike | undefined;
  locks?: LockManagerLike | undefined;
  /** Makes a fresh (non-extractable) key pair, e.g. `generateKeyPair` from `./keys`. */
  generate: () => Promise<CryptoKeyPair>;
  /** Derives the identity from a pair; default `identityFromKeyPair`. Must reject on unusable keys. */
  identify?: (pair: CryptoKeyPair) => Promise<KeyIdentity>;
  /** Random slot name (8–64 base64url characters); default from `crypto.getRandomValues`. */
  randomSlot?: () => string;
  /** Wall-clock now, stamped on the slot at every start (housekeeping's sign of life); default `Date.now`. */
  wallNow?: () => number;
  /**
   * How long to wait for the saved slot's lock when it is held, in ms: give this when the page is a reload (the
   * old document may still hold it); 0 (the default) for any other start, where a held lock means a duplicate.
   */
  slotWaitMs?: number;
}

/** The tab's identity and how it was obtained. */
export interface TabIdentity {
  identity: KeyIdentity;
  keyPair: CryptoKeyPair;
  /** True when the key pair was read back from storage (a reload of this tab). */
  restored: boolean;
  /** True when the identity is saved and will survive a reload of this tab. */
  persistent: boolean;
  /** Why the identity is not persistent (or why a stored one was replaced); for diagnostics. */
  reason?: string;
  /** The slot this tab holds, when persistent. */
  slot?: string;
}

/**
 * Whether a live tab holds `slot`'s lock (for housekeeping). Rejects when the lock manager cannot say, so the
 * caller keeps the slot.
 */
export async function isSlotHeld(locks: LockManagerLike, slot: string): Promise<boolean> {
  if (locks.query === undefined) throw new Error('no lock query');
  const { held = [] } = await locks.query();
  return held.some((lock) => lock.name === SLOT_LOCK_PREFIX + slot);
}

/** Platform objects for `loadTabIdentity`, read from `globalThis` (each may be missing or throw on access). */
export function defaultTabPlatform(): { sessionStorage?: SessionStorageLike; locks?: LockManagerLike; slotWaitMs?: number } {
  const platform: { sessionStorage?: SessionStorageLike; locks?: LockManagerLike; slotWaitMs?: number } = {};
  try {
    const session = (globalThis as { sessionStorage?: SessionStorageLike }).sessionStorage;
    if (session) platform.sessionStorage = session;
  } catch {
    // Access denied (storage disabled, sandboxed frame): run without.
  }
  try {
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    if (locks) platform.locks = locks;
  } catch {
    // Same as above.
  }
  try {
    const navigation = globalThis.performance?.getEntriesByType?.('navigation')[0] as { type?: string } | undefined;
    if (navigation?.type === 'reload') platform.slotWaitMs = RELOAD_SLOT_WAIT_MS;
  } catch {
    // No navigation timing: treat as a fresh start.
  }
  return platform;
}

function defaultRandomSlot(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function slotKey(slot: string): string {
  return `slot:${slot}`;
}

/**
 * Claims the slot's lock and keeps it until the page goes away. Resolves false if taken (after waiting up to
 * `waitMs` for it, when given) or refused.
 */
function claimSlot(locks: LockManagerLike, slot: string, waitMs = 0): Promise<boolean> {
  return new Promise((resolve) => {
    let request: Promise<unknown>;
    try {
      const options = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
      request = locks.request(SLOT_LOCK_PREFIX + slot, options, (lock) => {
        resolve(lock !== null && lock !== undefined);
        // Held for the page's lifetime: the browser releases it when the document goes away.
        return lock ? new Promise<never>(() => undefined) : undefined;
      });
    } catch {
      resolve(false);
      return;
    }
    // Refused, or the wait ran out (AbortError): the slot is not ours.
    request.catch(() => resolve(false));
  });
}

function readSlot(session: SessionStorageLike): string | null {
  try {
    const slot = session.getItem(SLOT_SESSION_KEY);
    return slot !== null && SLOT_PATTERN.test(slot) ? slot : null;
  } catch {
    return null;
  }
}

function writeSlot(session: SessionStorageLike, slot: string): boolean {
  try {
    session.setItem(SLOT_SESSION_KEY, slot);
    return true;
  } catch {
    return false;
  }
}

function looksLikeCryptoKey(value: unknown, type: 'public' | 'private'): value is CryptoKey {
  if (typeof value !== 'object' || value === null) return false;
  const key = value as { type?: unknown; algorithm?: unknown; usages?: unknown };
  return key.type === type && typeof key.algorithm === 'object' && key.algorithm !== null && Array.isArray(key.usages);
}

/** Reads and checks the stored pair: shape, derivable ID equal to the recorded one, and a working private key. */
async function restorePair(
  store: Store,
  slot: string,
  identify: (pair: CryptoKeyPair) => Promise<KeyIdentity>,
): Promise<{ identity: KeyIdentity; keyPair: CryptoKeyPair } | string> {
  let record: unknown;
  try {
    record = await store.get(slotKey(slot));
  } catch {
    return 'stored key unreadable';
  }
  if (record === undefined) return 'no stored key';
  if (typeof record !== 'object' || record === null) return 'stored key corrupted';
  const { v, id, keyPair } = record as { v?: unknown; id?: unknown; keyPair?: unknown };
  if (v !== RECORD_VERSION || typeof id !== 'string' || typeof keyPair !== 'object' || keyPair === null) {
    return 'stored key corrupted';
  }
  const { publicKey, privateKey } = keyPair as { publicKey?: unknown; privateKey?: unknown };
  if (!looksLikeCryptoKey(publicKey, 'public') || !looksLikeCryptoKey(privateKey, 'private')) {
    return 'stored key corrupted';
  }
  const pair: CryptoKeyPair = { publicKey, privateKey };
  try {
    const identity = await identify(pair);
    if (identity.id !== id) return 'stored key does not match its ID';
    // Proves the private key works and belongs to the public key the ID was derived from.
    const probe = new Uint8Array([0x73, 0x6d, 0x2d, 0x69, 0x64]);
    if (!(await verifySignature(identity.publicKey, await identity.sign(probe), probe))) {
      return 'stored key pair does not match';
    }
    return { identity, keyPair: pair };
  } catch {
    return 'stored key unusable';
  }
}

/** Stamps the slot with this start (housekeeping's sign of life). A failure only makes the slot look older. */
async function touchSlot(store: Store, slot: string, wallNow: () => number): Promise<void> {
  await store
    .update(slotKey(slot), (old) => (typeof old === 'object' && old !== null ? { ...old, touchedAtMs: wallNow() } : old))
    .catch(() => undefined);
}

async function freshIdentity(
  options: TabIdentityOptions,
  identify: (pair: CryptoKeyPair) => Promise<KeyIdentity>,
  reason: string,
): Promise<TabIdentity> {
  const keyPair = await options.generate();
  const identity = await identify(keyPair);
  return { identity, keyPair, restored: false, persistent: false, reason };
}

/** Generates a pair and saves it under a slot this tab holds the lock of. */
async function mintInSlot(
  options: TabIdentityOptions,
  identify: (pair: CryptoKeyPair) => Promise<KeyIdentity>,
  store: Store,
  slot: string,
  why: string | undefined,
): Promise<TabIdentity> {
  const keyPair = await options.generate();
  const identity = await identify(keyPair);
  try {
    await store.set(slotKey(slot), { v: RECORD_VERSION, id: identity.id, keyPair, touchedAtMs: (options.wallNow ?? Date.now)() });
  } catch {
    return { identity, keyPair, restored: false, persistent: false, reason: 'could not save the key' };
  }
  return { identity, keyPair, restored: false, persistent: true, slot, ...(why === undefined ? {} : { reason: why }) };
}

/**
 * Loads this tab's identity, or makes one. Never throws on bad stored data or missing platform features (those
 * give a new, possibly non-persistent identity); rejects only if `generate`/`identify` themselves fail (e.g. no
 * Ed25519 in this browser), since no identity can exist then.
 */
export async function loadTabIdentity(options: TabIdentityOptions): Promise<TabIdentity> {
  const identify = options.identify ?? identityFromKeyPair;
  const { storage, sessionStorage: session, locks } = options;
  if (!storage.persistent) return freshIdentity(options, identify, storage.reason ?? 'storage not persistent');
  if (!session) return freshIdentity(options, identify, 'no sessionStorage');
  if (!locks) return freshIdentity(options, identify, 'no Web Locks');
  const store = storage.openStore(IDENTITY_NAMESPACE);

  const saved = readSlot(session);
  if (saved !== null && (await claimSlot(locks, saved, options.slotWaitMs ?? 0))) {
    const restored = await restorePair(store, saved, identify);
    if (typeof restored !== 'string') {
      await touchSlot(store, saved, options.wallNow ?? Date.now);
      return { ...restored, restored: true, persistent: true, slot: saved };
    }
    // We hold the slot, so replacing its unusable key cannot disturb another tab.
    return mintInSlot(options, identify, store, saved, restored === 'no stored key' ? undefined : restored);
  }
  // No slot yet, or its lock is held: this is a new or a duplicated tab.
  const randomSlot = options.randomSlot ?? defaultRandomSlot;
  for (let attempt = 0; attempt < MAX_SLOT_ATTEMPTS; attempt++) {
    const slot = randomSlot();
    if (!SLOT_PATTERN.test(slot) || !(await claimSlot(locks, slot))) continue;
    if (!writeSlot(session, slot)) return freshIdentity(options, identify, 'could not write sessionStorage');
    return mintInSlot(options, identify, store, slot, undefined);
  }
  return freshIdentity(options, identify, 'could not claim a slot');
}
