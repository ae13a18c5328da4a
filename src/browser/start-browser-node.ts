/**
 * Everything a browser tab needs to become a mesh node: storage (IndexedDB or memory), the tab's identity, the
 * saved table, the signaling client, the WebRTC platform and the driver, wired together. The page and the widget
 * call `startBrowserNode` and use only what it returns.
 */
import { DEFAULT_OPTIONS, type MembershipOptions, type MembershipSnapshot } from '../core';
import { createBroadcastSignaling } from '../adapters/broadcast-signaling';
import { createSignalingClient } from '../adapters/signaling-client';
import { SimplePeerImpl } from '../adapters/simple-peer.browser';
import { openPersistentStorage } from '../adapters/storage';
import { generateKeyPair } from '../identity/keys';
import { defaultTabPlatform, loadTabIdentity } from '../identity/tab-identity';
import { createAttemptLimiter, createConnectionBudget } from '../transport/budget';
import { webrtcLinks } from '../node/links';
import { MeshNode } from '../node/mesh-node';
import { loadSavedTable, persistTable } from '../node/persistence-glue';
import { createSignalingMux } from '../node/signaling-mux';

/** What a page passes in. */
export interface BrowserNodeConfig {
  signalUrl: string;
  room: string;
  membership?: Partial<MembershipOptions>;
}

/** A started browser node and how it was set up. */
export interface BrowserNode {
  node: MeshNode;
  /** True when identity and table survive a reload (IndexedDB works). */
  persistent: boolean;
  /** Why not persistent, for the page to show. */
  persistenceProblem?: string;
  /** The table as restored from IndexedDB at load, before any new evidence (undefined on a fresh start). */
  restored?: MembershipSnapshot;
  /** True when this tab's identity was restored (a reload). */
  identityRestored: boolean;
  /** Writes the table now (page hide). */
  flush(): Promise<void>;
}

/** Starts a node in this tab. Never rejects for storage or server problems: they are reported on the node. */
export async function startBrowserNode(config: BrowserNodeConfig): Promise<BrowserNode> {
  const storage = await openPersistentStorage();
  const platform = defaultTabPlatform();
  const tab = await loadTabIdentity({ storage, ...platform, generate: () => generateKeyPair(false) });
  const tables = storage.openStore('tables');
  const staleAfterMs = config.membership?.staleAfterMs ?? DEFAULT_OPTIONS.staleAfterMs;
  const restored = tab.restored ? await loadSavedTable(tables, tab.identity.id, Date.now(), staleAfterMs) : undefined;
  // Sibling tabs of this browser are reached over BroadcastChannel (no server needed), everyone else via the server.
  const signaling = () =>
    createSignalingMux(
      createSignalingClient({ url: config.signalUrl, room: config.room, identity: tab.identity }),
      createBroadcastSignaling({ room: config.room, id: tab.identity.id }),
    );
  const budget = createConnectionBudget(platform.sessionStorage ? { storage: platform.sessionStorage } : {});
  const node = new MeshNode({
    identity: tab.identity,
    signaling,
    links: webrtcLinks({
      identity: tab.identity,
      SimplePeerImpl,
      budget,
      limiter: createAttemptLimiter({ now: () => Date.now() }),
      // The link's own open time-out follows the core's, so a `connectTimeoutMs` override applies to both.
      ...(config.membership?.connectTimeoutMs !== undefined ? { connectTimeoutMs: config.membership.connectTimeoutMs } : {}),
    }),
    budget,
    ...(config.membership !== undefined ? { membership: config.membership } : {}),
    ...(restored !== undefined ? { snapshot: restored } : {}),
  });
  let persistenceProblem = storage.persistent ? tab.reason : (storage.reason ?? 'IndexedDB unavailable');
  const saver = persistTable(node, tables, (message) => {
    persistenceProblem = message;
  });
  void node.start();
  return {
    node,
    persistent: storage.persistent && tab.persistent,
    // A getter: a save that fails later must reach the page too.
    get persistenceProblem() {
      return persistenceProblem;
    },
    ...(restored !== undefined ? { restored } : {}),
    identityRestored: tab.restored,
    flush: async () => {
      await saver.flush();
    },
  };
}
