/**
 * Everything a browser tab needs to become a mesh node: storage (IndexedDB or memory), the tab's identity, the
 * saved table, the signaling client, the WebRTC platform and the driver, wired together. The page and the widget
 * call `startBrowserNode` and use only what it returns.
 *
 * Time: the node runs on `performance.now()` (monotonic: a wall-clock jump moves no timer and ages no peer);
 * `Date.now()` is read only for what people see and for the stamps stored in IndexedDB. Storage: the table is
 * written within about a second of a change and flushed when the page is hidden or goes away; every storage
 * failure leaves the node running in memory with a reason for the page ("not persisted: …").
 */
import { DEFAULT_OPTIONS, type MembershipOptions, type MembershipSnapshot } from '../core';
import { createBroadcastSignaling } from '../adapters/broadcast-signaling';
import { createSignalingClient } from '../adapters/signaling-client';
import { SimplePeerImpl } from '../adapters/simple-peer.browser';
import { createMemoryStoreFactory, openPersistentStorage } from '../adapters/storage';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import { defaultTabPlatform, IDENTITY_NAMESPACE, isSlotHeld, loadTabIdentity } from '../identity/tab-identity';
import { cleanUpStorage } from '../persistence/housekeeping';
import { createAttemptLimiter, createConnectionBudget } from '../transport/budget';
import { systemClock } from '../util/clock';
import { webrtcLinks } from '../node/links';
import { MeshNode } from '../node/mesh-node';
import { loadSavedTable, persistTable, type SavedTable } from '../node/persistence-glue';
import { iceSourceFromOptions } from '../node/ice-source';
import { hasTurn } from '../transport/ice-servers';
import { createSignalingMux } from '../node/signaling-mux';
import type { PersistentStorage } from '../persistence/types';

/** What a page passes in. */
export interface BrowserNodeConfig {
  signalUrl: string;
  room: string;
  membership?: Partial<MembershipOptions>;
  /**
   * ICE servers for this node's peer connections (STUN, TURN); they win over the ones the signaling server hands
   * out in its welcome. Default: the server's, else none, so only host candidates are used (one host or LAN) and
   * no outside server is contacted. Validated: at most 8 servers, `stun:`/`turn:`/`turns:`
   * URLs, fields of at most 512 characters; an invalid list makes `startBrowserNode` reject with a TypeError.
   */
  iceServers?: readonly RTCIceServer[];
  /** `relay` restricts the peer connections to TURN relay candidates; default `all`. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Where identity and table are kept: IndexedDB (default, falls back to memory when it fails) or memory only. */
  persistence?: 'indexeddb' | 'memory';
  /**
   * A fixed Ed25519 key pair (the node ID derives from it) instead of the tab's own; then the per-tab identity
   * slot is not used, and the table is kept under this ID when persistence is on.
   */
  keyPair?: CryptoKeyPair;
}


/** A started browser node and how it was set up. */
export interface BrowserNode {
  node: MeshNode;
  /** True when identity and table survive a reload (IndexedDB works). */
  persistent: boolean;
  /** Why not persistent (or why the latest save failed), for the page to show; undefined while all is well. */
  persistenceProblem?: string;
  /**
   * The table as restored from IndexedDB at load, before any new evidence (undefined on a fresh start). Its times
   * are wall-clock stamps as stored, re-based on this load's clock (see `table-store.ts`).
   */
  restored?: MembershipSnapshot;
  /** Why a stored table was not used (corrupt, unreadable, too slow to read), if so. */
  restoreProblem?: string;
  /** True when this tab's identity was restored (a reload). */
  identityRestored: boolean;
  /** Writes the table now; resolves when written. */
  flush(): Promise<void>;
  /** True when the ICE servers the next link would use include a TURN server (explicit or from the server). */
  turnConfigured(): boolean;
}

/** Starts a node in this tab. Never rejects for storage or server problems: they are reported on the node. */
export async function startBrowserNode(config: BrowserNodeConfig): Promise<BrowserNode> {
  const clock = systemClock();
  // Explicit servers win; otherwise the signaling server's (from its welcome), for links made after the join.
  const ice = iceSourceFromOptions(config.iceServers, config.iceTransportPolicy, () => clock.now());
  const storage: PersistentStorage =
    config.persistence === 'memory'
      ? { openStore: createMemoryStoreFactory().openStore, persistent: false, reason: 'memory persistence requested' }
      : await openPersistentStorage();
  const platform = defaultTabPlatform();
  const tab =
    config.keyPair !== undefined
      ? { identity: await identityFromKeyPair(config.keyPair), restored: false, persistent: storage.persistent, reason: undefined }
      : await loadTabIdentity({ storage, ...platform, generate: () => generateKeyPair(false), wallNow: () => clock.wallNow() });
  const tables = storage.openStore('tables');
  const staleAfterMs = config.membership?.staleAfterMs ?? DEFAULT_OPTIONS.staleAfterMs;
  const timers = { setTimer: (fn: () => void, delayMs: number) => clock.setTimeout(fn, delayMs), clearTimer: (h: unknown) => clock.clearTimeout(h) };
  // A fixed key pair is the same node on every load: its table is worth looking for too.
  const saved: SavedTable = tab.restored || config.keyPair !== undefined ? await loadSavedTable(tables, tab.identity.id, { clock, staleAfterMs, timers }) : { status: 'empty' };
  // Sibling tabs of this browser are reached over BroadcastChannel (no server needed), everyone else via the server.
  const signaling = () =>
    createSignalingMux(
      ice.capture(createSignalingClient({ url: config.signalUrl, room: config.room, identity: tab.identity })),
      createBroadcastSignaling({ room: config.room, id: tab.identity.id }),
    );
  const budget = createConnectionBudget(platform.sessionStorage ? { storage: platform.sessionStorage } : {});
  const node = new MeshNode({
    identity: tab.identity,
    signaling,
    clock,
    links: webrtcLinks({
      identity: tab.identity,
      SimplePeerImpl,
      ice: () => ice.current(),
      budget,
      limiter: createAttemptLimiter({ now: () => clock.now() }),
      // The link's own open time-out follows the core's, so a `connectTimeoutMs` override applies to both.
      ...(config.membership?.connectTimeoutMs !== undefined ? { connectTimeoutMs: config.membership.connectTimeoutMs } : {}),
    }),
    budget,
    ...(config.membership !== undefined ? { membership: config.membership } : {}),
    ...(saved.status === 'loaded' ? { snapshot: saved.snapshot } : {}),
  });
  const persistent = storage.persistent && tab.persistent;
  const baseProblem = storage.persistent ? tab.reason : (storage.reason ?? 'IndexedDB unavailable');
  let writeProblem: string | undefined;
  // A table is saved only under an identity that survives the page: nobody could ever load it otherwise.
  const saver = persistent
    ? persistTable(node, tables, clock, { onError: (message) => void (writeProblem = message), onWritten: () => void (writeProblem = undefined) })
    : undefined;
  if (saver !== undefined) flushWhenHidden(node, () => saver.flushNow());
  if (persistent && platform.locks !== undefined) {
    const locks = platform.locks;
    void cleanUpStorage({ identities: storage.openStore(IDENTITY_NAMESPACE), tables, nowMs: clock.wallNow(), isHeld: (slot) => isSlotHeld(locks, slot) });
  }
  void node.start();
  return {
    node,
    persistent,
    // A getter: a save that fails later must reach the page too.
    get persistenceProblem() {
      return writeProblem ?? (persistent ? undefined : baseProblem ?? 'identity not saved');
    },
    ...(saved.status === 'loaded' ? { restored: { selfCounter: saved.stored.self.counter, peers: saved.stored.peers } } : {}),
    ...(saved.status === 'unusable' ? { restoreProblem: saved.reason } : {}),
    identityRestored: tab.restored,
    flush: async () => {
      await saver?.flush();
    },
    turnConfigured: () => hasTurn(ice.current()),
  };
}

/**
 * Flushes the table when the page is hidden (a tab switched away from, a window minimised, and the first step of
 * closing a tab) and when it goes away (`pagehide`): a hidden page may be frozen or discarded without another
 * word, and a closing one does not wait for a write queued behind another.
 */
function flushWhenHidden(node: MeshNode, flushNow: () => void): void {
  const doc = (globalThis as { document?: Document }).document;
  const onVisibility = (): void => {
    if (doc?.visibilityState === 'hidden') flushNow();
  };
  doc?.addEventListener('visibilitychange', onVisibility);
  globalThis.addEventListener?.('pagehide', flushNow);
  const off = node.on('state', ({ state }) => {
    if (state !== 'stopped') return;
    doc?.removeEventListener('visibilitychange', onVisibility);
    globalThis.removeEventListener?.('pagehide', flushNow);
    off();
  });
}
