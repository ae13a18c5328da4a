/**
 * What the mesh machine asks its driver (a tab, a Node process, or the simulator) to do, in one union. The machine
 * never performs I/O; every input returns these, and the driver carries them out in order.
 */
import type { IntroductionReason, MembershipEvent } from '../core/effects';
import type { NodeId } from '../core/wire';
import type { RoutedDelivery, RoutedProgress, RouteLogEntry, UnicastResult } from '../routing/router-effects';
import type { OutFrame } from './frame-codec';
import type { SignalPayload } from './signal-payload';

/** Where a signaling payload goes when the mesh cannot carry it: the server, or a sibling tab's channel. */
export type SignalPath = 'server' | 'mesh';

/** One thing for the driver to do. */
export type MeshEffect =
  /** Send `frame` over the open link to `to`. */
  | { type: 'send'; to: NodeId; frame: OutFrame }
  /** Create a WebRTC link to `to`; the initiator makes the offer. Its signaling comes back through `linkSignal`. */
  | { type: 'open-link'; to: NodeId; initiator: boolean }
  /** Close the link to `to`, or abandon the attempt (its close comes back through `linkClosed`). */
  | { type: 'close-link'; to: NodeId }
  /** Hand WebRTC signaling data that arrived from `to` to the link being built with it. */
  | { type: 'feed-link'; to: NodeId; data: unknown }
  /** Send `payload` to `to` through the signaling server (or, for a sibling tab, the local channel). */
  | { type: 'server-signal'; to: NodeId; payload: SignalPayload }
  /** Seal `payload` for `to` with this node's key, then pass the body to `sealedSignal` (it goes through the mesh). */
  | { type: 'seal-signal'; to: NodeId; payload: SignalPayload }
  /** Check the seal of signaling that came through the mesh from `from`, then call `openedSignal` or `refusedSignal`. */
  | { type: 'verify-signal'; from: NodeId; body: string }
  /**
   * Ask the signaling server for introductions; answer with `introduced` (a failure needs no answer: the core
   * retries on its own back-off). `reason` as the core's `introduce` effect: `isolated` or `check-in`.
   */
  | { type: 'introduce'; reason: IntroductionReason }
  /** A membership change, for observers. */
  | { type: 'membership'; event: MembershipEvent }
  /** A routed message for this node. */
  | { type: 'deliver'; delivery: RoutedDelivery }
  /** A piece (not the last) of a routed message of several pieces arrived here. */
  | { type: 'progress'; progress: RoutedProgress }
  /** The outcome of a unicast this node sent (by the msgId `send` returned). */
  | { type: 'result'; msgId: string; result: UnicastResult }
  /** A line of the routing log. */
  | { type: 'route-log'; entry: RouteLogEntry }
  /** The link-state topology changed. */
  | { type: 'topology' }
  /** A gossip message went out to, or came in from, a neighbour (for the page's log). */
  | { type: 'gossip'; dir: 'out' | 'in'; kind: string; peer: NodeId; entries: number }
  /** Something from outside was refused; also counted in the machine's `drops`. */
  | { type: 'drop'; from: NodeId | null; reason: string; count: number };
