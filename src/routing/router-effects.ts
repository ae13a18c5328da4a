/**
 * What the router hands to its driver: effects to carry out, deliveries, unicast outcomes and routing-log lines.
 * Types only, plus the one helper that turns a frame into a log line.
 */
import type { NodeId } from '../core/wire';
import type { RouteKind, RouteMessage, RoutedFrame } from './route-wire';

/** Outcome of a unicast, as its sender learns it. */
export type UnicastResult =
  | { ok: true; trace: NodeId[]; hops: number; rttMs: number }
  | { ok: false; code: 'unreachable' | 'timeout' | 'too-large' | 'bad-target' | 'stopped'; detail?: string };

/** A message delivered to this node. */
export interface RoutedDelivery {
  from: NodeId;
  /** A string when the sender sent one, bytes when it sent bytes. */
  data: string | Uint8Array;
  /** Hops crossed, origin first, this node last. */
  trace: NodeId[];
  hops: number;
  kind: 'unicast' | 'broadcast';
  msgId: string;
}

/**
 * A message of several pieces is arriving here: `receivedPieces` of `totalPieces` are in (`receivedBytes` of at
 * most `totalPieces × PIECE_BYTES`). Reported for each new piece but the last; the last one is the delivery.
 */
export interface RoutedProgress {
  from: NodeId;
  msgId: string;
  kind: 'unicast' | 'broadcast';
  receivedPieces: number;
  totalPieces: number;
  receivedBytes: number;
}

/** One line of the routing log (what the page draws). */
export interface RouteLogEntry {
  dir: 'out' | 'in' | 'forward' | 'drop';
  kind: 'unicast' | 'broadcast' | 'ack' | 'fail' | 'signal';
  origin: NodeId;
  target: NodeId | null;
  trace: NodeId[];
  msgId: string;
  reason?: string;
}

/** What the router asks the driver to do. */
export type RouterEffect =
  | { type: 'send'; to: NodeId; message: RouteMessage }
  | { type: 'deliver'; delivery: RoutedDelivery }
  | { type: 'progress'; progress: RoutedProgress }
  /** Signaling for this node from `from`, still unverified (the driver checks the origin's signature). */
  | { type: 'signal'; from: NodeId; body: string; trace: NodeId[] }
  | { type: 'result'; msgId: string; result: UnicastResult }
  | { type: 'log'; entry: RouteLogEntry }
  | { type: 'topology' }
  | { type: 'drop'; from: NodeId | null; reason: string };

const LOG_KIND: Record<RouteKind, RouteLogEntry['kind']> = { uni: 'unicast', bc: 'broadcast', ack: 'ack', fail: 'fail', sig: 'signal' };

/** The log line for `frame` as it stands (its trace so far). */
export function logEntry(dir: RouteLogEntry['dir'], frame: RoutedFrame): RouteLogEntry {
  return { dir, kind: LOG_KIND[frame.kind], origin: frame.origin, target: frame.target, trace: frame.trace, msgId: frame.msgId };
}
