/**
 * The routing log as data: gossip exchanges and routed frames turned into short lines with the trace to draw,
 * kept in a bounded list (newest first). Pure, so it is tested without a DOM.
 */
import type { RouteLogEntry, RoutedDelivery, UnicastResult } from '../../src/routing/router';
import { shortId, traceText } from '../format';

/** Kinds of log line; the page explains each (`LOG_KINDS`) and can hide any of them. */
export type LogLineKind = 'message' | 'receipt' | 'setup' | 'gossip';

/** Each kind's name, as the filter and the lines' tags show it, and what it means, for the legend and tooltips. */
export const LOG_KINDS: ReadonlyArray<{ kind: LogLineKind; label: string; tag: string; meaning: string }> = [
  {
    kind: 'message',
    label: 'Messages',
    tag: 'message',
    meaning: 'What members send: a message to one member, or a broadcast to everyone, passed on from link to link along the mesh.',
  },
  {
    kind: 'receipt',
    label: 'Receipts',
    tag: 'receipt',
    meaning: 'The answer to a message: its target confirms it arrived, or a member on the way reports that it could not be passed on.',
  },
  {
    kind: 'setup',
    label: 'Link setup',
    tag: 'link setup',
    meaning: 'To open a new direct link, two members exchange connection details (WebRTC offer and answer), carried through the mesh instead of the server.',
  },
  {
    kind: 'gossip',
    label: 'Membership gossip',
    tag: 'gossip',
    meaning: 'Every few seconds a member swaps its list of members with a neighbour, so everyone learns who joined, who left and who stopped answering.',
  },
];

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

/** `text` cut to `maxChars` with an ellipsis; bytes (a binary message) as their count. */
export function clip(text: string | Uint8Array, maxChars: number = MAX_SHOWN_TEXT_CHARS): string {
  if (typeof text !== 'string') return `${text.length} bytes`;
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/** "1 member listed", "3 members listed" (gossip entries: one per member, departed ones included). */
function listed(entries: number): string {
  return `${entries} ${entries === 1 ? 'member' : 'members'} listed`;
}

/** What each gossip message does, sent (out) and received (in), in words; `p` is the peer's short ID. */
const GOSSIP_WORDS: Record<string, { out: (p: string) => string; in: (p: string) => string }> = {
  push: { out: (p) => `Shared the member list with ${p}`, in: (p) => `${p} shared its member list` },
  pull: { out: (p) => `Answered ${p} with what its list lacked`, in: (p) => `${p} answered with what your list lacked` },
  sync: { out: (p) => `New link: sent ${p} the member list`, in: (p) => `New link: ${p} sent its member list` },
  news: { out: (p) => `Passed news of a change on to ${p}`, in: (p) => `${p} passed on news of a change` },
  table: { out: (p) => `Sent ${p} the whole member list`, in: (p) => `${p} sent its whole member list` },
};

/** A line for a gossip push, pull, sync, news or table message; its trace is the one link it crossed. */
export function gossipLine(selfId: string, event: GossipEvent): Omit<LogLine, 'seq' | 'atMs'> {
  const peer = shortId(event.peer);
  const words = GOSSIP_WORDS[event.type];
  const what = words ? words[event.dir](peer) : `Membership gossip (${clip(event.type, 12)}) ${event.dir === 'out' ? 'to' : 'from'} ${peer}`;
  const trace = event.dir === 'out' ? [selfId, event.peer] : [event.peer, selfId];
  return { kind: 'gossip', text: `${what} (${listed(event.entries)})`, trace, failed: false };
}

type RouteKind = RouteLogEntry['kind'];

/** Each routed frame's kind: its log kind and what it is called in a sentence ("a message", "a receipt"). */
const ROUTE_KINDS: Record<RouteKind, { kind: LogLineKind; noun: string }> = {
  unicast: { kind: 'message', noun: 'a message' },
  broadcast: { kind: 'message', noun: 'a broadcast' },
  ack: { kind: 'receipt', noun: 'a receipt' },
  fail: { kind: 'receipt', noun: 'a failure notice' },
  signal: { kind: 'setup', noun: 'link setup' },
};

/** Why the router dropped a frame, in words (unknown reasons are shown as they are). */
const DROP_REASONS: Record<string, string> = {
  loop: 'it had passed here already',
  'hop-limit': 'too many hops',
  'no-route': 'no route onward',
  'signal-rate': 'too much link setup from that member',
  'bad-trace': 'its path did not match the link it came by',
  'bad-payload': 'its content was unreadable',
  inconsistent: 'its pieces did not fit together',
  'too-many-pending': 'too many unfinished messages',
};

/** The sentence for a frame sent from, delivered to, passed on by or dropped at this node. */
function routeSentence(entry: RouteLogEntry, origin: string, target: string): string {
  const { noun } = ROUTE_KINDS[entry.kind];
  const to = entry.target === null ? '' : ` to ${target}`;
  switch (entry.dir) {
    case 'out':
      if (entry.kind === 'broadcast') return 'Sent a broadcast to everyone';
      if (entry.kind === 'ack') return `Sent ${target} a receipt: its message arrived`;
      if (entry.kind === 'fail') return `Told ${target} its message could not be delivered`;
      return `Sent ${noun}${to}`;
    case 'in':
      if (entry.kind === 'ack') return `Receipt from ${origin}: your message arrived`;
      if (entry.kind === 'fail') return `${origin} reports your message could not be delivered`;
      return `${capital(noun)} from ${origin} arrived`;
    case 'forward':
      return `Passed on ${noun} from ${origin}${to}`;
    case 'drop': {
      const reason = entry.reason === undefined ? '' : `: ${DROP_REASONS[entry.reason] ?? clip(entry.reason)}`;
      return `Dropped ${noun} from ${origin}${to}${reason}`;
    }
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A line for a routed frame sent, received, forwarded or dropped here, with the path it took so far. */
export function routeLine(entry: RouteLogEntry): Omit<LogLine, 'seq' | 'atMs'> {
  const target = entry.target === null ? 'everyone' : shortId(entry.target);
  const text = `${routeSentence(entry, shortId(entry.origin), target)} (path ${traceText(entry.trace)})`;
  return { kind: ROUTE_KINDS[entry.kind].kind, text, trace: [...entry.trace], failed: entry.dir === 'drop' || entry.kind === 'fail' };
}

/** A line for a message delivered here. */
export function messageLine(delivery: RoutedDelivery): Omit<LogLine, 'seq' | 'atMs'> {
  const what = delivery.kind === 'broadcast' ? 'Broadcast' : 'Message';
  const text = `${what} from ${shortId(delivery.from)} arrived after ${hopsText(delivery.hops)} (path ${traceText(delivery.trace)}): “${clip(delivery.data)}”`;
  return { kind: 'message', text, trace: [...delivery.trace], failed: false };
}

/** Why a unicast was not delivered, in words. */
const FAILURE_WORDS: Record<string, string> = {
  unreachable: 'no route to it',
  timeout: 'no receipt came back in time',
  'too-large': 'the message is too large',
  'bad-target': 'not a member',
  stopped: 'this node has stopped',
};

/** A line for the outcome of a unicast sent from the composer. */
export function sendLine(selfId: string, to: string, result: UnicastResult): Omit<LogLine, 'seq' | 'atMs'> {
  if (result.ok) {
    const text = `Delivered to ${shortId(to)} after ${hopsText(result.hops)}, ${Math.round(result.rttMs)} ms (path ${traceText(result.trace)})`;
    return { kind: 'message', text, trace: [...result.trace], failed: false };
  }
  const why = FAILURE_WORDS[result.code] ?? result.code;
  const detail = result.detail === undefined ? '' : ` (${clip(result.detail)})`;
  return { kind: 'message', text: `Not delivered to ${shortId(to)}: ${why}${detail}`, trace: [selfId], failed: true };
}

/** "1 hop", "3 hops". */
function hopsText(hops: number): string {
  return `${hops} ${hops === 1 ? 'hop' : 'hops'}`;
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
