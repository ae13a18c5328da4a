import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_DEPTH, decodePayload, encodePayload } from './payload';

describe('payload codec', () => {
  it('round-trips strings, JSON values and bytes; plain strings stay plain on the wire', () => {
    const values = ['', 'hello', '\u0001s-like', 0, -1.5, true, false, null, [], {}, { a: [1, { b: 'c' }] }, new Uint8Array([]), new Uint8Array([0, 255, 7])];
    for (const value of values) {
      const text = encodePayload(value);
      expect(text).not.toBeNull();
      expect(decodePayload(text!)).toEqual({ ok: true, data: value });
    }
    expect(encodePayload('hello')).toBe('hello');
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
    expect(decodePayload('\u0001b***')).toEqual({ ok: false, reason: 'bad-bytes' });
    expect(decodePayload('\u0001zwhat')).toEqual({ ok: false, reason: 'unknown-tag' });
  });
});
