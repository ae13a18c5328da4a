import { describe, expect, it } from 'vitest';
import { BINARY_PREFIX_BYTES, MAX_BINARY_HEADER_BYTES, openBinaryFrame, wrapBinaryFrame } from './binary-envelope';

const MAX = 16_384;

describe('binary envelope', () => {
  it('round-trips kind, version, header and payload bytes (all 256 byte values)', () => {
    const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
    const frame = wrapBinaryFrame('r', 1, '{"t":"r","x":"é"}', payload);
    expect(frame[0]).toBe(0x72);
    const opened = openBinaryFrame(frame, MAX);
    expect(opened).toEqual({ ok: true, kind: 'r', version: 1, header: { t: 'r', x: 'é' }, payload });
    // The largest version fits the two bytes.
    expect(openBinaryFrame(wrapBinaryFrame('r', 65_535, '0', new Uint8Array(0)), MAX)).toMatchObject({ ok: true, version: 65_535, header: 0 });
  });

  it('refuses every malformed frame with a stable code, never throwing', () => {
    const header = new TextEncoder().encode('{}');
    const raw = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);
    expect(openBinaryFrame(new Uint8Array(0), MAX)).toEqual({ ok: false, error: 'bad-binary' });
    expect(openBinaryFrame(raw(0x72, 0, 1, 0), MAX)).toEqual({ ok: false, error: 'bad-binary' }); // prefix cut short
    expect(openBinaryFrame(raw(0x72, 0, 1, 0, 9, 0x7b, 0x7d), MAX)).toEqual({ ok: false, error: 'bad-binary' }); // header past the end
    const huge = new Uint8Array(BINARY_PREFIX_BYTES + MAX_BINARY_HEADER_BYTES + 1);
    huge.set([0x72, 0, 1, ((MAX_BINARY_HEADER_BYTES + 1) >> 8) & 0xff, (MAX_BINARY_HEADER_BYTES + 1) & 0xff]);
    expect(openBinaryFrame(huge, MAX)).toEqual({ ok: false, error: 'bad-binary' }); // header over its cap
    expect(openBinaryFrame(raw(0x6d, 0, 1, 0, 2, ...header), MAX)).toEqual({ ok: false, error: 'unknown-kind' }); // 'm' has no binary form
    expect(openBinaryFrame(raw(0, 0, 1, 0, 2, ...header), MAX)).toEqual({ ok: false, error: 'unknown-kind' });
    expect(openBinaryFrame(raw(0x72, 0, 1, 0, 2, 0x7b, 0x7b), MAX)).toEqual({ ok: false, error: 'bad-json' });
    expect(openBinaryFrame(raw(0x72, 0, 1, 0, 2, 0xc3, 0x28), MAX)).toEqual({ ok: false, error: 'bad-json' }); // not UTF-8
    expect(openBinaryFrame(wrapBinaryFrame('r', 1, '{}', new Uint8Array(MAX)), MAX)).toEqual({ ok: false, error: 'too-large' });
  });

  it('accepts a frame of exactly the cap, refuses one byte more', () => {
    const fill = (total: number): Uint8Array => wrapBinaryFrame('r', 1, '{}', new Uint8Array(total - BINARY_PREFIX_BYTES - 2));
    expect(fill(MAX).length).toBe(MAX);
    expect(openBinaryFrame(fill(MAX), MAX)).toMatchObject({ ok: true });
    expect(openBinaryFrame(fill(MAX + 1), MAX)).toEqual({ ok: false, error: 'too-large' });
  });
});
