/**
 * The membership protocol on the wire: a typed union with a version, an encoder that respects the 16 KiB
 * data-channel limit, and a decoder that treats every byte as hostile. Decoding never throws; it returns an
 * error value or a message plus the count of entries it had to drop. Frames travel in the shared envelope
 * (`envelope.ts`, kind `m`), which carries this protocol's version.
 */
import { envelopeOverheadBytes, openFrame, wrapFrame } from './envelope';

import { isNodeId, type NodeId } from './node-id';

export { isNodeId, type NodeId } from './node-id';

/** Version of the membership messages; a peer speaking another version is answered with a counted drop. */
export const PROTOCOL_VERSION = 1;

/** Life states a peer can be in, as seen by one node. `dead` is a tombstone: removed, but remembered. */
export type PeerState = 'alive' | 'suspect' | 'dead';

/** One peer as gossiped: its counter (advanced only by the peer itself), state, and the age of the evidence. */
export interface WireEntry {
  id: NodeId;
  /** Heartbeat/incarnation counter; only the peer itself advances it. */
  counter: number;
  state: PeerState;
  /**
   * Seconds since the sender last had evidence this counter was current. A duration, not a timestamp, so
   * clock skew between nodes never matters; the receiver only ever makes its LastSeen older with it.
   */
  ageSec: number;
}

/** Everything the membership core sends and receives. */
export type MembershipMessage =
  | { t: 'push'; entries: WireEntry[] }
  | { t: 'pull'; entries: WireEntry[] }
  /** Sent when a link opens; `want` asks the other side for its whole table (newcomers, healed partitions). */
  | { t: 'sync'; entries: WireEntry[]; want: boolean }
  | { t: 'news'; entries: WireEntry[] }
  /** The whole table, in chunks of at most 16 KiB, answering a `sync` that wanted it. */
  | { t: 'table'; entries: WireEntry[] }
  | { t: 'ping'; nonce: number }
  | { t: 'ack'; nonce: number }
  | { t: 'bye'; reason: ByeReason };

/** Why a node closes a link on purpose: shedding an extra link, or leaving the mesh. */
export type ByeReason = 'trim' | 'leave';

/** Stable codes for messages the decoder refuses. */
export type DecodeErrorCode =
  | 'not-text'
  | 'too-large'
  | 'bad-json'
  | 'bad-shape'
  | 'bad-version'
  | 'unknown-type'
  | 'too-many-entries';

/** Result of decoding one inbound frame. */
export type DecodeResult =
  | { ok: true; message: MembershipMessage; droppedEntries: number }
  | { ok: false; error: DecodeErrorCode };

/** Caps the decoder enforces. */
export interface WireLimits {
  maxMessageBytes: number;
  maxEntriesPerMessage: number;
}

/** Default caps: one data-channel message (16 KiB) and at most 512 entries in it. */
export const DEFAULT_WIRE_LIMITS: Readonly<WireLimits> = Object.freeze({
  maxMessageBytes: 16_384,
  maxEntriesPerMessage: 512,
});

/** Largest counter accepted (2^48): far above any real heartbeat count, far below float precision loss. */
export const MAX_COUNTER = 2 ** 48;
/** Largest evidence age accepted on the wire (one day); older evidence is useless anyway. */
export const MAX_AGE_SEC = 86_400;

const STATE_CODES: readonly PeerState[] = ['alive', 'suspect', 'dead'];
const ENTRY_TYPES = new Set(['push', 'pull', 'sync', 'news', 'table']);


type EntryTuple = [NodeId, number, number, number];

function entryTuple(entry: WireEntry): EntryTuple {
  return [entry.id, entry.counter, STATE_CODES.indexOf(entry.state), Math.min(MAX_AGE_SEC, Math.floor(entry.ageSec))];
}

/** Encodes one message as a whole frame (envelope included). Callers keep entry counts within limits (see `splitEntries`). */
export function encodeMessage(message: MembershipMessage): string {
  return wrapFrame('m', PROTOCOL_VERSION, encodeBody(message));
}

function encodeBody(message: MembershipMessage): string {
  switch (message.t) {
    case 'push':
    case 'pull':
    case 'news':
    case 'table':
      return JSON.stringify({ t: message.t, e: message.entries.map(entryTuple) });
    case 'sync':
      return JSON.stringify({ t: message.t, e: message.entries.map(entryTuple), w: message.want ? 1 : 0 });
    case 'ping':
    case 'ack':
      return JSON.stringify({ t: message.t, n: message.nonce });
    case 'bye':
      return JSON.stringify({ t: message.t, r: message.reason });
  }
}

/**
 * Splits `entries` into as many messages of type `t` as needed so that each encodes to at most `maxBytes`.
 * IDs are ASCII (validated), so string length equals UTF-8 length.
 */
export function splitEntries(
  t: 'push' | 'pull' | 'sync' | 'news' | 'table',
  entries: readonly WireEntry[],
  maxBytes: number,
  maxEntries: number = DEFAULT_WIRE_LIMITS.maxEntriesPerMessage,
): MembershipMessage[] {
  const make = (chunk: WireEntry[]): MembershipMessage => (t === 'sync' ? { t, entries: chunk, want: false } : { t, entries: chunk });
  const overhead = encodedSize(make([]));
  const messages: MembershipMessage[] = [];
  let current: WireEntry[] = [];
  let size = overhead;
  for (const entry of entries) {
    const entrySize = entryJsonSize(entry) + 1;
    if (current.length > 0 && (size + entrySize > maxBytes || current.length >= maxEntries)) {
      messages.push(make(current));
      current = [];
      size = overhead;
    }
    current.push(entry);
    size += entrySize;
  }
  if (current.length > 0) messages.push(make(current));
  return messages;
}

function digits(value: number): number {
  return String(value).length;
}

/** Exact JSON length of one entry tuple, without building the string (IDs are ASCII and need no escaping). */
function entryJsonSize(entry: WireEntry): number {
  // ["<id>",<counter>,<state>,<age>]
  return entry.id.length + 2 + digits(entry.counter) + 1 + 3 + digits(Math.min(MAX_AGE_SEC, Math.floor(entry.ageSec))) + 2;
}

/**
 * Exact byte length of `encodeMessage(message)`, computed arithmetically. The simulator uses it to count traffic
 * for thousands of nodes without paying for JSON text it would throw away.
 */
export function encodedSize(message: MembershipMessage): number {
  const head = envelopeOverheadBytes('m', PROTOCOL_VERSION) + 7 + message.t.length; // <envelope>{"t":"<t>"
  switch (message.t) {
    case 'push':
    case 'pull':
    case 'news':
    case 'table':
    case 'sync': {
      let size = head + 6 + Math.max(0, message.entries.length - 1) + 2; // ,"e":[ ... ]}
      for (const entry of message.entries) size += entryJsonSize(entry);
      return message.t === 'sync' ? size + 6 : size; // ,"w":0
    }
    case 'ping':
    case 'ack':
      return head + 5 + digits(message.nonce) + 1;
    case 'bye':
      return head + 7 + message.reason.length + 1;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeEntry(raw: unknown): WireEntry | null {
  if (!Array.isArray(raw) || raw.length !== 4) return null;
  const [id, counter, stateCode, age] = raw as unknown[];
  if (!isNodeId(id)) return null;
  if (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 0 || counter >= MAX_COUNTER) return null;
  if (typeof stateCode !== 'number' || !Number.isInteger(stateCode)) return null;
  const state = STATE_CODES[stateCode];
  if (state === undefined) return null;
  if (typeof age !== 'number' || !Number.isInteger(age) || age < 0 || age > MAX_AGE_SEC) return null;
  return { id, counter, state, ageSec: age };
}

function decodeEntries(raw: unknown, limits: WireLimits): { entries: WireEntry[]; dropped: number } | DecodeErrorCode {
  if (!Array.isArray(raw)) return 'bad-shape';
  if (raw.length > limits.maxEntriesPerMessage) return 'too-many-entries';
  const seen = new Set<string>();
  const entries: WireEntry[] = [];
  let dropped = 0;
  for (const item of raw) {
    const entry = decodeEntry(item);
    // A duplicate ID inside one message is dropped: an ID appears at most once, first one wins.
    if (entry === null || seen.has(entry.id)) {
      dropped++;
      continue;
    }
    seen.add(entry.id);
    entries.push(entry);
  }
  return { entries, dropped };
}

function isNonce(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Decodes and validates one inbound frame (envelope and body). Never throws. */
export function decodeMessage(frame: unknown, limits: WireLimits = DEFAULT_WIRE_LIMITS): DecodeResult {
  const opened = openFrame(frame, limits.maxMessageBytes);
  if (!opened.ok) {
    if (opened.error === 'bad-envelope') return { ok: false, error: 'bad-shape' };
    return { ok: false, error: opened.error === 'unknown-kind' ? 'unknown-type' : opened.error };
  }
  if (opened.kind !== 'm') return { ok: false, error: 'unknown-type' };
  return decodeMembershipBody(opened.version, opened.body, limits);
}

/**
 * Validates the body of a membership frame whose envelope is already open (`openFrame`): the version is the
 * envelope's, so only this protocol's version matters here. Never throws.
 */
export function decodeMembershipBody(version: number, parsed: unknown, limits: WireLimits = DEFAULT_WIRE_LIMITS): DecodeResult {
  if (version !== PROTOCOL_VERSION) return { ok: false, error: 'bad-version' };
  if (!isPlainObject(parsed)) return { ok: false, error: 'bad-shape' };
  const t = parsed['t'];
  if (typeof t !== 'string') return { ok: false, error: 'bad-shape' };
  if (ENTRY_TYPES.has(t)) {
    const decoded = decodeEntries(parsed['e'], limits);
    if (typeof decoded === 'string') return { ok: false, error: decoded };
    if (t === 'sync') {
      const want = parsed['w'];
      if (want !== 0 && want !== 1) return { ok: false, error: 'bad-shape' };
      return { ok: true, message: { t, entries: decoded.entries, want: want === 1 }, droppedEntries: decoded.dropped };
    }
    const message = { t: t as 'push' | 'pull' | 'news' | 'table', entries: decoded.entries };
    return { ok: true, message, droppedEntries: decoded.dropped };
  }
  if (t === 'ping' || t === 'ack') {
    const nonce = parsed['n'];
    if (!isNonce(nonce)) return { ok: false, error: 'bad-shape' };
    return { ok: true, message: { t, nonce }, droppedEntries: 0 };
  }
  if (t === 'bye') {
    const reason = parsed['r'];
    if (reason !== 'trim' && reason !== 'leave') return { ok: false, error: 'bad-shape' };
    return { ok: true, message: { t, reason }, droppedEntries: 0 };
  }
  return { ok: false, error: 'unknown-type' };
}
