import { describe, expect, it } from 'vitest';
import { classifyInbound, fitsInFrame, MAX_MESSAGE_BYTES, utf8ByteLength } from './framing';

describe('framing', () => {
  it('counts UTF-8 bytes like TextEncoder', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀é€', '\ud800', '\udc00x', 'x\ud83d']) {
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
    }
  });

  it('stops counting past the limit', () => {
    expect(utf8ByteLength('x'.repeat(1000), 10)).toBe(11);
  });

  it('accepts exactly 16 KiB and refuses one byte more, counting multi-byte characters', () => {
    expect(fitsInFrame('a'.repeat(MAX_MESSAGE_BYTES))).toBe(true);
    expect(fitsInFrame('a'.repeat(MAX_MESSAGE_BYTES + 1))).toBe(false);
    expect(fitsInFrame('é'.repeat(MAX_MESSAGE_BYTES / 2))).toBe(true);
    expect(fitsInFrame('é'.repeat(MAX_MESSAGE_BYTES / 2) + 'a')).toBe(false);
  });

  it('classifies inbound frames', () => {
    expect(classifyInbound('hi')).toEqual({ ok: true, text: 'hi' });
    expect(classifyInbound(new Uint8Array(2))).toEqual({ ok: false, reason: 'binary' });
    expect(classifyInbound(undefined)).toEqual({ ok: false, reason: 'binary' });
    expect(classifyInbound('x'.repeat(20))).toEqual({ ok: true, text: 'x'.repeat(20) });
    expect(classifyInbound('x'.repeat(20), 10)).toEqual({ ok: false, reason: 'too-large' });
  });
});
