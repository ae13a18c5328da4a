/**
 * `window.starmesh`: the page's scripting handle for tests and debugging (documented in web/README.md). Every
 * method returns plain data (safe to pass out of the page with Playwright's `evaluate`).
 */
import type { MembershipSnapshot, PeerView } from '../src/core';
import type { BrowserNode } from '../src/browser/start-browser-node';
import type { LinkPath } from '../src/transport/link-path';
import { linkTroubleText } from './link-trouble';
import type { MeshNodeEvents, NodeState, ServerRetry } from '../src/node/mesh-node';

/** The handle's shape. */
export interface StarmeshHandle {
  /** This node's ID. */
  readonly id: string;
  /** Current state: joining | connected | isolated | offline | stopped. */
  state(): NodeState;
  /** Detail of the last state change (e.g. "signaling server unreachable: …"), if any. */
  stateDetail(): string | undefined;
  /** Every known peer, tombstones (state 'dead') included; times are wall-clock ms on the scale of `wallNow()`. */
  peers(): PeerView[];
  /** "Now" for display: the node's monotonic clock plus the wall-clock offset taken at start (see MeshNode). */
  wallNow(): number;
  /** IDs listed as members (alive or suspect). */
  members(): string[];
  /** IDs with an open WebRTC link. */
  neighbours(): string[];
  /** Driver and core counters (drops, messages, link close codes…). */
  stats(): ReturnType<BrowserNode['node']['stats']>;
  /** Subscribes to a node event ('membership', 'state', 'drop', 'changed'); returns the unsubscribe function. */
  on<K extends keyof MeshNodeEvents>(event: K, fn: (payload: MeshNodeEvents[K]) => void): () => void;
  /** The table loaded from IndexedDB at start (before any new evidence), or null on a fresh start. */
  readonly restored: MembershipSnapshot | null;
  /** True when identity and table survive a reload. */
  readonly persistent: boolean;
  /** Why not persistent (or why a save failed), if so. */
  persistenceProblem(): string | undefined;
  /** Why a stored table was not used at start (corrupt, unreadable, too slow to read), if so. */
  readonly restoreProblem: string | null;
  /** Writes the table to IndexedDB now; resolves when written. */
  flush(): Promise<void>;
  /** Every member's neighbour list, from the flooded link-state adverts (own included). */
  topology(): Record<string, string[]>;
  /** Hop distance and last ping round trip per member. */
  routeInfo(): ReturnType<BrowserNode['node']['routeInfo']>;
  /** Sends `data` to member `to` through the mesh; resolves with the trace or a failure code. */
  send(to: string, data: string | Uint8Array): ReturnType<BrowserNode['node']['send']>;
  /** Floods `data` to every member. */
  broadcast(data: string | Uint8Array): { msgId: string | null };
  /** Whether this tab holds a socket to the signaling server, and whether it is one of the room's introducers. */
  serverStatus(): { connected: boolean; introducer: boolean };
  /** Set-up times (dial → open, ms) of the latest links dialled after the first, by signaling path. */
  linkSetupTimes(): { mesh: number[]; server: number[] };
  /** After a failure: whether an attempt at the signaling server runs now, and ms until the next (null: none). */
  serverRetry(): ServerRetry;
  /**
   * Peers this node could not link with (latest attempt failed: ICE found no path or it timed out, and no link
   * since), whether a TURN server is configured, and the note the page and the widget show ('' when none).
   */
  linkTrouble(): LinkTrouble;
  /** Per neighbour: the selected ICE candidate pair of its link (candidate types host/srflx/prflx/relay, protocols). */
  linkPaths(): Promise<Record<string, LinkPath>>;
}

/** See `StarmeshHandle.linkTrouble`. */
export interface LinkTrouble {
  unreachablePeers: string[];
  turnConfigured: boolean;
  message: string;
}

/** Builds the handle over a started browser node. */
export function createHandle(started: BrowserNode): StarmeshHandle {
  const { node } = started;
  let detail: string | undefined;
  node.on('state', (change) => {
    detail = change.detail;
  });
  const restored = started.restored === undefined ? null : structuredClone(started.restored);
  return {
    id: node.id,
    state: () => node.state,
    stateDetail: () => detail,
    peers: () => node.peers().map((peer) => ({ ...peer })),
    wallNow: () => node.wallNow(),
    members: () => node.members(),
    neighbours: () => node.neighbours(),
    stats: () => node.stats(),
    on: (event, fn) => node.on(event, fn),
    restored,
    persistent: started.persistent,
    persistenceProblem: () => started.persistenceProblem,
    restoreProblem: started.restoreProblem ?? null,
    flush: () => started.flush(),
    topology: () => node.topology(),
    routeInfo: () => node.routeInfo(),
    send: (to, data) => node.send(to, data),
    broadcast: (data) => node.broadcast(data),
    serverStatus: () => node.serverStatus(),
    linkSetupTimes: () => node.linkSetupTimes(),
    serverRetry: () => node.serverRetry(),
    linkTrouble: () => {
      const unreachablePeers = node.unreachablePeers();
      const turnConfigured = started.turnConfigured();
      return { unreachablePeers, turnConfigured, message: linkTroubleText(unreachablePeers.length, turnConfigured) };
    },
    linkPaths: () => node.linkPaths(),
  };
}
