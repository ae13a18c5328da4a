import { describe, expect, it } from 'vitest';
import { wrapBinaryFrame } from '../core/binary-envelope';
import { decodeRouteMessage, encodeRouteMessage, MAX_ROUTE_FRAME_BYTES, ROUTE_LIMITS, ROUTE_PROTOCOL_VERSION, type RoutedFrame } from './route-wire';

const A = 'A0AAAAAAAAAAAAAAAAAAAA';
const D = 'D3DDDDDDDDDDDDDDDDDDDD';

function piece(over: Partial<RoutedFrame> = {}): RoutedFrame {
  return { kind: 'uni', origin: A, target: D, msgId: 'm1', trace: [A], piece: 0, pieces: 1, body: new Uint8Array([1, 0, 255]), ...over };
}

/** A binary routing frame with a hand-made header (what a hostile peer could send). */
function binary(header: unknown, payload = new Uint8Array([1]), version = ROUTE_PROTOCOL_VERSION): Uint8Array {
  return wrapBinaryFrame('r', version, JSON.stringify(header), payload);
}

const header = { t: 'r', k: 'uni', o: A, d: D, m: 'm1', tr: [A], i: 0, c: 1 };

describe('route wire: binary data pieces', () => {
  it('data pieces travel as bytes (no base64), control frames as text, and both round-trip', () => {
    for (const frame of [piece(), piece({ kind: 'bc', target: null })]) {
      const encoded = encodeRouteMessage({ t: 'r', frame });
      expect(encoded).toBeInstanceOf(Uint8Array);
      expect(decodeRouteMessage(encoded)).toEqual({ ok: true, message: { t: 'r', frame }, dropped: 0 });
    }
    const ack = piece({ kind: 'ack', target: A, origin: D, trace: [D], body: `["${A}","${D}"]` });
    const text = encodeRouteMessage({ t: 'r', frame: ack });
    expect(typeof text).toBe('string');
    expect(decodeRouteMessage(text)).toEqual({ ok: true, message: { t: 'r', frame: ack }, dropped: 0 });
  });

  it('a full piece with a full-length trace stays within one 16 KiB frame', () => {
    const trace = Array.from({ length: ROUTE_LIMITS.maxHops }, (_, i) => `${String(i).padStart(2, '0')}`.padEnd(22, 'Z'));
    const frame = piece({ origin: trace[0], trace, body: new Uint8Array(ROUTE_LIMITS.maxBodyBytes), pieces: ROUTE_LIMITS.maxPieces, piece: 31, msgId: 'x'.repeat(32) });
    const encoded = encodeRouteMessage({ t: 'r', frame }) as Uint8Array;
    expect(encoded.byteLength).toBeLessThanOrEqual(MAX_ROUTE_FRAME_BYTES);
    expect(decodeRouteMessage(encoded)).toMatchObject({ ok: true });
  });

  it('refuses each malformed binary frame', () => {
    expect(decodeRouteMessage(binary(header))).toMatchObject({ ok: true });
    expect(decodeRouteMessage(binary(header, new Uint8Array(ROUTE_LIMITS.maxBodyBytes + 1)))).toEqual({ ok: false, error: 'bad-shape' });
    expect(decodeRouteMessage(binary({ ...header, p: 'AAAA' }))).toEqual({ ok: false, error: 'bad-shape' }); // a text body as well
    expect(decodeRouteMessage(binary({ ...header, k: 'ack' }))).toEqual({ ok: false, error: 'bad-shape' }); // control kinds stay text
    expect(decodeRouteMessage(binary({ ...header, k: 'sig' }))).toEqual({ ok: false, error: 'bad-shape' });
    expect(decodeRouteMessage(binary({ t: 'lsa', a: [] }))).toEqual({ ok: false, error: 'unknown-type' });
    expect(decodeRouteMessage(binary([1, 2]))).toEqual({ ok: false, error: 'bad-shape' });
    expect(decodeRouteMessage(binary({ ...header, tr: [A, D, A] }))).toEqual({ ok: false, error: 'loop' });
    expect(decodeRouteMessage(binary({ ...header, c: ROUTE_LIMITS.maxPieces + 1 }))).toEqual({ ok: false, error: 'too-many' });
    expect(decodeRouteMessage(binary({ ...header, i: 1 }))).toEqual({ ok: false, error: 'bad-shape' });
    expect(decodeRouteMessage(binary(header, undefined, ROUTE_PROTOCOL_VERSION + 1))).toEqual({ ok: false, error: 'bad-version' });
    expect(decodeRouteMessage(new Uint8Array([0x72, 0, 1, 0, 40]))).toEqual({ ok: false, error: 'bad-shape' });
    expect(decodeRouteMessage(new Uint8Array([0x72, 0, 1, 0, 1, 0x7b]))).toEqual({ ok: false, error: 'bad-json' });
  });

  it('refuses a data piece sent as text (data travels only as bytes)', () => {
    const text = JSON.stringify({ k: 'r', v: 1, b: { ...header, p: 'AQID' } });
    expect(decodeRouteMessage(text)).toEqual({ ok: false, error: 'bad-shape' });
  });

  it('copies the payload out of the frame (the frame buffer may be reused)', () => {
    const frame = encodeRouteMessage({ t: 'r', frame: piece() }) as Uint8Array;
    const decoded = decodeRouteMessage(frame);
    frame.fill(0);
    expect(decoded).toMatchObject({ ok: true, message: { t: 'r', frame: { body: new Uint8Array([1, 0, 255]) } } });
  });
});
