/**
 * Payload framing for routed messages: a payload of up to 256 KiB (a string's UTF-8, or bytes) travels as raw
 * bytes cut into pieces that each fit one 16 KiB binary data-channel frame, and is put back together at the
 * receiver with caps on size, count and time, so that pieces that never complete (or never stop coming) cannot
 * pin memory.
 *
 * The first byte of the joined bytes says what the sender gave (a string or bytes), so each arrives as what it
 * left as; cutting bytes (not text) means a cut can never split a character.
 */
import type { NodeId } from '../core/wire';
import { ROUTE_LIMITS } from './route-wire';

/** Largest payload, in bytes (a string's UTF-8 length). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Bytes per piece: the most a binary data frame accepts (with a 16-hop trace in its header it stays under 16 KiB). */
export const PIECE_BYTES = ROUTE_LIMITS.maxBodyBytes;

/** Leading byte of the joined payload: what the sender gave. */
const CONTENT_TEXT = 0;
const CONTENT_BYTES = 1;

/** Tags `data` and cuts it into pieces, or returns null when it is larger than `MAX_PAYLOAD_BYTES`. */
export function splitPayload(data: string | Uint8Array): Uint8Array[] | null {
  const content = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (content.length > MAX_PAYLOAD_BYTES) return null;
  const tagged = new Uint8Array(content.length + 1);
  tagged[0] = typeof data === 'string' ? CONTENT_TEXT : CONTENT_BYTES;
  tagged.set(content, 1);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < tagged.length; at += PIECE_BYTES) pieces.push(tagged.subarray(at, at + PIECE_BYTES));
  return pieces;
}

/** Caps of a reassembler. */
export interface ReassemblyLimits {
  /** Messages being put together at once, over all origins. */
  maxPending: number;
  /** Messages being put together at once from one origin. */
  maxPendingPerOrigin: number;
  /** A message whose pieces did not all arrive in this time is dropped. */
  timeoutMs: number;
}

interface Pending {
  origin: NodeId;
  pieces: (Uint8Array | undefined)[];
  received: number;
  /** Bytes of the pieces received so far (what a progress bar shows). */
  receivedBytes: number;
  startedMs: number;
}

/** What offering a piece did. */
export type ReassemblyResult =
  | { status: 'complete'; data: string | Uint8Array }
  /** More pieces to come: how many of how many arrived, and their bytes (for progress reports). */
  | { status: 'partial'; received: number; pieces: number; receivedBytes: number }
  | { status: 'dropped'; reason: 'bad-payload' | 'inconsistent' | 'too-many-pending' | 'duplicate-piece' };

/** Puts pieces back together. Time is an argument (pure). */
export class Reassembler {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly limits: ReassemblyLimits) {}

  /** Messages in progress. */
  get size(): number {
    return this.pending.size;
  }

  /** Offers one piece of message `key` (origin plus message ID) from `origin`. */
  offer(nowMs: number, key: string, origin: NodeId, piece: number, pieces: number, body: Uint8Array): ReassemblyResult {
    if (pieces === 1) return finish([body]);
    let entry = this.pending.get(key);
    if (entry === undefined) {
      if (this.pending.size >= this.limits.maxPending) return { status: 'dropped', reason: 'too-many-pending' };
      let fromOrigin = 0;
      for (const other of this.pending.values()) if (other.origin === origin) fromOrigin++;
      if (fromOrigin >= this.limits.maxPendingPerOrigin) return { status: 'dropped', reason: 'too-many-pending' };
      entry = { origin, pieces: new Array<Uint8Array | undefined>(pieces).fill(undefined), received: 0, receivedBytes: 0, startedMs: nowMs };
      this.pending.set(key, entry);
    }
    if (entry.pieces.length !== pieces) return { status: 'dropped', reason: 'inconsistent' };
    if (entry.pieces[piece] !== undefined) return { status: 'dropped', reason: 'duplicate-piece' };
    entry.pieces[piece] = body;
    entry.received++;
    entry.receivedBytes += body.length;
    if (entry.received < pieces) return { status: 'partial', received: entry.received, pieces, receivedBytes: entry.receivedBytes };
    this.pending.delete(key);
    return finish(entry.pieces as Uint8Array[]);
  }

  /** Drops messages older than the time-out; returns how many. */
  expire(nowMs: number): number {
    let dropped = 0;
    for (const [key, entry] of this.pending) {
      if (nowMs - entry.startedMs >= this.limits.timeoutMs) {
        this.pending.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Earliest time at which `expire` has work, or Infinity. */
  nextExpiryMs(): number {
    let earliest = Infinity;
    for (const entry of this.pending.values()) earliest = Math.min(earliest, entry.startedMs + this.limits.timeoutMs);
    return earliest;
  }
}

function finish(pieces: Uint8Array[]): ReassemblyResult {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  if (total < 1 || total > MAX_PAYLOAD_BYTES + 1) return { status: 'dropped', reason: 'bad-payload' };
  const joined = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    joined.set(piece, at);
    at += piece.length;
  }
  const content = joined.subarray(1);
  if (joined[0] === CONTENT_BYTES) return { status: 'complete', data: content };
  if (joined[0] !== CONTENT_TEXT) return { status: 'dropped', reason: 'bad-payload' };
  try {
    return { status: 'complete', data: new TextDecoder('utf-8', { fatal: true }).decode(content) };
  } catch {
    return { status: 'dropped', reason: 'bad-payload' };
  }
}
