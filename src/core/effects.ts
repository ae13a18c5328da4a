import type { RemovalReason } from './peer-table';
import type { MembershipMessage, NodeId } from './wire';

/** Something that happened to the membership, for the page, the widget, tests and logs. */
export type MembershipEvent =
  | { type: 'peer:join'; id: NodeId }
  | { type: 'peer:suspect'; id: NodeId }
  | { type: 'peer:alive'; id: NodeId }
  | { type: 'peer:remove'; id: NodeId; reason: RemovalReason }
  | { type: 'neighbour:up'; id: NodeId }
  | { type: 'neighbour:down'; id: NodeId }
  | { type: 'self:refute'; counter: number }
  /** This node's own timers ran `lateMs` late (suspend, frozen or throttled page): it re-probes before judging. */
  | { type: 'self:late'; lateMs: number };

/** Why the core asks the signaling server for introductions (see the `introduce` effect). */
export type IntroductionReason = 'isolated' | 'check-in';

/**
 * What the core asks its driver to do. The core never performs I/O; it returns these and the driver carries
 * them out in order.
 */
export type Effect =
  /** Send `message` over the open link to `to`. */
  | { type: 'send'; to: NodeId; message: MembershipMessage }
  /**
   * Open a link to `to`. `initiator` is decided by ID order (the lower ID makes the WebRTC offer), so two nodes
   * that want each other at once still end up with one connection.
   */
  | { type: 'connect'; to: NodeId; initiator: boolean }
  /**
   * Ask the signaling server for introductions and pass them to `introduce`. `isolated`: the node has no link and
   * nobody in its table to dial (repeated with exponential back-off and jitter, so a server restart sees no
   * stampede). `check-in`: a member was removed and this node is one of the few that go back to the server to
   * refill the room's introducer pool and meet any mesh that formed apart (`server-check-in.ts`); a driver that
   * holds an introducer socket already may answer it at once with no introductions.
   */
  | { type: 'introduce'; reason: IntroductionReason }
  /** Close (or abandon the attempt at) the link to `to`. */
  | { type: 'disconnect'; to: NodeId }
  /** Tell observers. */
  | { type: 'event'; event: MembershipEvent };

/** Counters of what the core saw and did; the driver and benches read them. */
export interface MembershipStats {
  messagesIn: number;
  messagesOut: number;
  /** Messages from peers that are not neighbours (the transport should never deliver these). */
  droppedNotNeighbour: number;
  /** Gossip entries refused: malformed, implausible counter jumps, or no room. */
  droppedEntries: number;
  refutations: number;
  probesFailed: number;
  connectFailures: number;
  /** Times this node found its own timers had run late and made up for it (`local-health.ts`). */
  lateWakes: number;
}

/** Zeroed stats. */
export function emptyStats(): MembershipStats {
  return {
    messagesIn: 0,
    messagesOut: 0,
    droppedNotNeighbour: 0,
    droppedEntries: 0,
    refutations: 0,
    probesFailed: 0,
    connectFailures: 0,
    lateWakes: 0,
  };
}
