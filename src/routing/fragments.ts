/**
 * Payload framing for routed messages: a payload of up to 256 KiB (UTF-8) travels as base64url text cut into
 * pieces that each fit one 16 KiB data-channel frame, and is put back together at the receiver with caps on
 * size, count and time, so that pieces that never complete (or never stop coming) cannot pin memory.
 *
 * base64url rather than raw text: every piece then has a known size on the wire (no JSON escaping surprises) and a
 * cut can never split a UTF-16 surrogate pair.
 */
import { base64urlDecode, base64urlEncode } from '../util/base64url';
import type { NodeId } from '../core/wire';

/** Largest payload, in UTF-8 bytes. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Characters of base64url text per piece (the frame, with a 16-hop trace, stays under 16 KiB). */
export const PIECE_CHARS = 12_000;

/** Encodes `data` and cuts it into pieces, or returns null when it is larger than `MAX_PAYLOAD_BYTES`. */
export function splitPayload(data: string): string[] | null {
  const bytes = new TextEncoder().encode(data);
  if (bytes.length > MAX_PAYLOAD_BYTES) return null;
  const text = base64urlEncode(bytes);
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += PIECE_CHARS) pieces.push(text.slice(at, at + PIECE_CHARS));
  if (pieces.length === 0) pieces.push('');
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
  pieces: (string | undefined)[];
  received: number;
  startedMs: number;
}

/** What offering a piece did. */
export type ReassemblyResult =
  | { status: 'complete'; data: string }
  | { status: 'partial' }
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
  offer(nowMs: number, key: string, origin: NodeId, piece: number, pieces: number, body: string): ReassemblyResult {
    if (pieces === 1) return finish([body]);
    let entry = this.pending.get(key);
    if (entry === undefined) {
      if (this.pending.size >= this.limits.maxPending) return { status: 'dropped', reason: 'too-many-pending' };
      let fromOrigin = 0;
      for (const other of this.pending.values()) if (other.origin === origin) fromOrigin++;
      if (fromOrigin >= this.limits.maxPendingPerOrigin) return { status: 'dropped', reason: 'too-many-pending' };
      entry = { origin, pieces: new Array<string | undefined>(pieces).fill(undefined), received: 0, startedMs: nowMs };
      this.pending.set(key, entry);
    }
    if (entry.pieces.length !== pieces) return { status: 'dropped', reason: 'inconsistent' };
    if (entry.pieces[piece] !== undefined) return { status: 'dropped', reason: 'duplicate-piece' };
    entry.pieces[piece] = body;
    entry.received++;
    if (entry.received < pieces) return { status: 'partial' };
    this.pending.delete(key);
    return finish(entry.pieces as string[]);
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

function finish(pieces: string[]): ReassemblyResult {
  const bytes = base64urlDecode(pieces.join(''));
  if (bytes === null || bytes.length > MAX_PAYLOAD_BYTES) return { status: 'dropped', reason: 'bad-payload' };
  try {
    return { status: 'complete', data: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { status: 'dropped', reason: 'bad-payload' };
  }
}
