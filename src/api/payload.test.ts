import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_DEPTH, decodePayload, encodePayload } from './payload';

describe('payload codec', () => {
  it('round-trips strings, JSON values and bytes; plain strings stay plain on the wire', () => {
    const values = ['', 'hello', '\u0001s-like', 0, -1.5, true, false, null, [], {}, { a: [1, { b: 'c' }] }, new Uint8Array([]), new Uint8Array([0, 255, 7])];
    for (const value of values) {
      const encoded = encodePayload(value);
      expect(encoded).not.toBeNull();
      expect(decodePayload(encoded!)).toEqual({ ok: true, data: value });
    }
    expect(encodePayload('hello')).toBe('hello');
    // Bytes are not encoded at all: the mesh carries them raw (binary frames).
    const bytes = new Uint8Array([1, 2, 3]);
    expect(encodePayload(bytes)).toBe(bytes);
    expect(decodePayload('from the page composer')).toEqual({ ok: true, data: 'from the page composer' });
  });

  it('refuses what JSON would change or lose, and hostile input on receipt', () => {
    for (const value of [undefined, Number.NaN, Infinity, () => 1, new Date(0), new Map(), { a: undefined }, [1n]]) {
      expect(encodePayload(value)).toBeNull();
    }
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_PAYLOAD_DEPTH + 1; i++) deep = [deep];
    expect(encodePayload(deep)).toBeNull();
    expect(decodePayload(`\u0001j${JSON.stringify(deep)}`)).toEqual({ ok: false, reason: 'bad-json' });
    expect(decodePayload('\u0001j{not json')).toEqual({ ok: false, reason: 'bad-json' });
    expect(decodePayload('\u0001bAAE')).toEqual({ ok: false, reason: 'unknown-tag' });
    expect(decodePayload('\u0001zwhat')).toEqual({ ok: false, reason: 'unknown-tag' });
  });
});
