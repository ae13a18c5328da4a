import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, PIECE_BYTES, Reassembler, splitPayload } from './fragments';
import { ROUTE_LIMITS } from './route-wire';

const LIMITS = { maxPending: 4, maxPendingPerOrigin: 2, timeoutMs: 1_000 };

function reassemble(pieces: Uint8Array[], order: number[] = pieces.map((_, i) => i)) {
  const r = new Reassembler(LIMITS);
  let last = r.offer(0, 'k', 'o', order[0] ?? 0, pieces.length, pieces[order[0] ?? 0] ?? new Uint8Array(0));
  for (const i of order.slice(1)) last = r.offer(0, 'k', 'o', i, pieces.length, pieces[i] ?? new Uint8Array(0));
  return last;
}

describe('payload fragments', () => {
  it('round-trips strings as strings and bytes as bytes, in pieces of at most PIECE_BYTES, in any order', () => {
    const bytes = Uint8Array.from({ length: 3 * PIECE_BYTES + 17 }, (_, i) => (i * 7) & 0xff);
    const pieces = splitPayload(bytes)!;
    expect(pieces).toHaveLength(4);
    expect(pieces.every((p) => p.length <= PIECE_BYTES)).toBe(true);
    expect(reassemble(pieces, [3, 1, 0, 2])).toEqual({ status: 'complete', data: bytes });
    const text = 'ü€😀'.repeat(5_000); // multi-byte characters cut across pieces
    expect(reassemble(splitPayload(text)!)).toEqual({ status: 'complete', data: text });
    expect(reassemble(splitPayload('')!)).toEqual({ status: 'complete', data: '' });
    expect(reassemble(splitPayload(new Uint8Array(0))!)).toEqual({ status: 'complete', data: new Uint8Array(0) });
  });

  it('caps the payload at 256 KiB, within the decoder piece caps', () => {
    const largest = splitPayload(new Uint8Array(MAX_PAYLOAD_BYTES))!;
    expect(largest.length).toBeLessThanOrEqual(ROUTE_LIMITS.maxPieces);
    expect(PIECE_BYTES).toBeLessThanOrEqual(ROUTE_LIMITS.maxBodyBytes);
    expect(splitPayload(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toBeNull();
    expect(splitPayload('x'.repeat(MAX_PAYLOAD_BYTES + 1))).toBeNull();
  });

  it('drops an unknown content tag, invalid UTF-8 text and an empty message', () => {
    expect(reassemble([new Uint8Array([7, 1])])).toEqual({ status: 'dropped', reason: 'bad-payload' });
    expect(reassemble([new Uint8Array([0, 0xc3, 0x28])])).toEqual({ status: 'dropped', reason: 'bad-payload' });
    expect(reassemble([new Uint8Array(0)])).toEqual({ status: 'dropped', reason: 'bad-payload' });
  });

  it('says how far a message of several pieces has come, in pieces and bytes', () => {
    const r = new Reassembler(LIMITS);
    expect(r.offer(0, 'm', 'o', 2, 3, new Uint8Array(5))).toEqual({ status: 'partial', received: 1, pieces: 3, receivedBytes: 5 });
    expect(r.offer(0, 'm', 'o', 0, 3, new Uint8Array([1, 9, 9]))).toEqual({ status: 'partial', received: 2, pieces: 3, receivedBytes: 8 });
    expect(r.offer(0, 'm', 'o', 1, 3, new Uint8Array(2))).toMatchObject({ status: 'complete' });
  });

  it('bounds pending messages, refuses duplicates and inconsistent counts, and expires', () => {
    const r = new Reassembler(LIMITS);
    const b = new Uint8Array([1]);
    expect(r.offer(0, 'a', 'o', 0, 2, b)).toEqual({ status: 'partial', received: 1, pieces: 2, receivedBytes: 1 });
    expect(r.offer(0, 'a', 'o', 0, 2, b)).toEqual({ status: 'dropped', reason: 'duplicate-piece' });
    expect(r.offer(0, 'a', 'o', 1, 3, b)).toEqual({ status: 'dropped', reason: 'inconsistent' });
    expect(r.offer(0, 'b', 'o', 0, 2, b)).toEqual({ status: 'partial', received: 1, pieces: 2, receivedBytes: 1 });
    expect(r.offer(0, 'c', 'o', 0, 2, b)).toEqual({ status: 'dropped', reason: 'too-many-pending' });
    expect(r.nextExpiryMs()).toBe(1_000);
    expect(r.expire(1_000)).toBe(2);
    expect(r.size).toBe(0);
  });
});
