/**
 * The public shapes of the driver (`MeshNode`): its states, events, options, counters and clock. Kept apart from
 * the driver's logic so that pages, tests and benches can import them without it.
 */
import type { MembershipEvent, MembershipOptions, MembershipSnapshot } from '../core';
import type { MembershipStats } from '../core/effects';
import type { Rng } from '../core/random';
import type { NodeId } from '../core/wire';
import type { KeyIdentity } from '../identity/keys';
import type { SignalingClient } from '../adapters/signaling-client';
import type { LinkCounts } from '../mesh/link-accounting';
import type { MeshStatsSnapshot } from '../mesh/mesh-stats';
import type { Router, RoutedDelivery, RoutedProgress, RouteLogEntry } from '../routing/router';
import type { RouterOptions } from '../routing/router-options';
import type { ConnectionBudget } from '../transport/budget';
import type { Clock } from '../util/clock';
import type { RateLimitOptions } from '../util/token-bucket';
import type { LinkFactory } from './links';

/** Where the node is in its life, as the page shows it. */
export type NodeState = 'joining' | 'connected' | 'isolated' | 'offline' | 'stopped';

/** Events a mesh node emits (membership events plus the driver's own). */
export interface MeshNodeEvents {
  membership: MembershipEvent;
  state: { state: NodeState; detail?: string };
  /** An inbound message or signal was refused; also counted in `stats().drops`. */
  drop: { from: NodeId | null; reason: string };
  /** The table changed in a way worth saving (the persistence layer listens). */
  changed: Record<string, never>;
  /** A routed message (unicast or broadcast) for this node, with the trace of the hops it crossed. */
  message: RoutedDelivery;
  /** A message of several pieces is arriving (each piece but the last; the last is the `message`). */
  progress: RoutedProgress;
  /** A line of the routing log: a routed frame sent, received, forwarded or dropped here. */
  route: RouteLogEntry;
  /** A gossip message sent to or received from a neighbour (push, pull, sync, news, table). */
  gossip: { dir: 'out' | 'in'; type: string; peer: NodeId; entries: number };
  /** The link-state topology changed (see `topology()`). */
  topology: Record<string, never>;
}

/** The node's next try at the signaling server after a failure (see `MeshNode.serverRetry()`). */
export interface ServerRetry {
  /** True while an attempt is waiting for the server. */
  attempting: boolean;
  /** Milliseconds until the next attempt is due (0: due now), by the node's clock; null when none is pending. */
  retryInMs: number | null;
}

/** Everything a mesh node needs. */
export interface MeshNodeOptions {
  identity: KeyIdentity;
  /**
   * Makes a signaling client for the room (`connect()` is called here). Called again when the node needs the
   * server after its socket closed (isolated after a server restart), so a node always finds its way back.
   */
  signaling: () => SignalingClient;
  /** Makes the links: WebRTC (`webrtcLinks` in `links.ts`), or in memory for driver tests (`memory-links.ts`). */
  links: LinkFactory;
  /** The tab's lifetime budget of peer connections, when the platform has one (the node stops rewiring near it). */
  budget?: ConnectionBudget;
  /** Drop our own non-UDP ICE candidates (see `LinkPlatform.udpCandidatesOnly`). */
  udpCandidatesOnly?: boolean;
  membership?: Partial<MembershipOptions>;
  /** Routing options (hop limit, ack time-out, rate limits…). */
  routing?: Partial<RouterOptions>;
  /** A restored table (after a reload), its times on `clock`'s monotonic scale (see `persistence-glue.ts`). */
  snapshot?: MembershipSnapshot;
  /**
   * Timers and clocks of the driver (monotonic for every interval and time-out, wall only for display); injected
   * so tests can control them. Default `systemClock()`.
   */
  clock?: Clock;
  rng?: Rng;
  /** Inbound frames accepted per link (token bucket); the excess is dropped and counted before parsing. */
  linkInboundLimit?: RateLimitOptions;
}

/** Counters for the page, tests and benches: the machine's, the driver's, the core's and the router's. */
export interface MeshNodeStats extends MeshStatsSnapshot, LinkCounts {
  messagesOut: number;
  sendFailures: Record<string, number>;
  /** Listeners of this node's events that threw, by event name (each also written to the console). */
  listenerErrors: Record<string, number>;
  /** Times this node let go of the server (a guest with a mesh link), and an introducer's reconnects after a drop. */
  serverReleases: number;
  serverRejoins: number;
  /** Later dials that waited for a mesh route, and those given up when none came (see route-wait.ts). */
  dialsWaitedForRoute: number;
  dialsNoRoute: number;
  core: MembershipStats;
  routing: Router['stats'];
  /** This node's own heartbeat counter. */
  counter: number;
}
