/**
 * The routing log as data: gossip exchanges and routed frames turned into short lines with the trace to draw,
 * kept in a bounded list (newest first). Pure, so it is tested without a DOM.
 */
import type { RouteLogEntry, RoutedDelivery, UnicastResult } from '../../src/routing/router';
import { shortId, traceText } from '../format';

/** Kinds of log line (the page can hide gossip, which is by far the most frequent). */
export type LogLineKind = 'gossip' | 'route' | 'message' | 'send';

/** One line of the log. */
export interface LogLine {
  /** Increasing number, unique within one log. */
  seq: number;
  atMs: number;
  kind: LogLineKind;
  text: string;
  /** The path to highlight when the line is selected (origin first); may be a single node. */
  trace: string[];
  /** True when the line reports a failure or a drop. */
  failed: boolean;
}

/** A gossip event as the node reports it. */
export interface GossipEvent {
  dir: 'out' | 'in';
  type: string;
  peer: string;
  entries: number;
}

/** Longest message text shown in a line; the rest is cut (the text is untrusted and could be 256 KiB). */
export const MAX_SHOWN_TEXT_CHARS = 80;

/** `text` cut to `maxChars` with an ellipsis. */
export function clip(text: string, maxChars: number = MAX_SHOWN_TEXT_CHARS): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/** A line for a gossip push, pull, sync, news or table message; its trace is the one link it crossed. */
export function gossipLine(selfId: string, event: GossipEvent): Omit<LogLine, 'seq' | 'atMs'> {
  const arrow = event.dir === 'out' ? `→ ${shortId(event.peer)}` : `← ${shortId(event.peer)}`;
  const trace = event.dir === 'out' ? [selfId, event.peer] : [event.peer, selfId];
  return { kind: 'gossip', text: `gossip ${event.type} ${arrow} (${event.entries} entries)`, trace, failed: false };
}

const DIR_WORDS: Record<RouteLogEntry['dir'], string> = { out: 'sent', in: 'received', forward: 'forwarded', drop: 'dropped' };

/** A line for a routed frame sent, received, forwarded or dropped here. */
export function routeLine(entry: RouteLogEntry): Omit<LogLine, 'seq' | 'atMs'> {
  const target = entry.target === null ? 'all' : shortId(entry.target);
  const reason = entry.reason === undefined ? '' : ` (${clip(entry.reason)})`;
  const text = `${entry.kind} ${DIR_WORDS[entry.dir]}: ${shortId(entry.origin)} → ${target} via ${traceText(entry.trace)}${reason}`;
  return { kind: 'route', text, trace: [...entry.trace], failed: entry.dir === 'drop' || entry.kind === 'fail' };
}

/** A line for a message delivered here. */
export function messageLine(delivery: RoutedDelivery): Omit<LogLine, 'seq' | 'atMs'> {
  const text = `${delivery.kind} from ${shortId(delivery.from)} (${delivery.hops} hops: ${traceText(delivery.trace)}): “${clip(delivery.data)}”`;
  return { kind: 'message', text, trace: [...delivery.trace], failed: false };
}

/** A line for the outcome of a unicast sent from the composer. */
export function sendLine(selfId: string, to: string, result: UnicastResult): Omit<LogLine, 'seq' | 'atMs'> {
  if (result.ok) {
    const text = `delivered to ${shortId(to)} in ${result.hops} hops, ${Math.round(result.rttMs)} ms: ${traceText(result.trace)}`;
    return { kind: 'send', text, trace: [...result.trace], failed: false };
  }
  const detail = result.detail === undefined ? '' : ` (${clip(result.detail)})`;
  return { kind: 'send', text: `not delivered to ${shortId(to)}: ${result.code}${detail}`, trace: [selfId], failed: true };
}

/** A bounded, newest-first list of log lines. */
export class BoundedLog {
  private readonly lines: LogLine[] = [];
  private nextSeq = 1;

  /** Keeps at most `capacity` lines. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  /** Adds a line at the front (dropping the oldest beyond capacity) and returns it with its number. */
  push(line: Omit<LogLine, 'seq' | 'atMs'>, atMs: number): LogLine {
    const full: LogLine = { ...line, seq: this.nextSeq++, atMs };
    this.lines.unshift(full);
    if (this.lines.length > this.capacity) this.lines.length = this.capacity;
    return full;
  }

  /** Newest first; a copy. */
  list(): LogLine[] {
    return [...this.lines];
  }

  /** The line numbered `seq`, if still kept. */
  get(seq: number): LogLine | undefined {
    return this.lines.find((line) => line.seq === seq);
  }
}
