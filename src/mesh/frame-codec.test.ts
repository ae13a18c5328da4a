import { afterEach, describe, expect, it, vi } from 'vitest';
import { wrapBinaryFrame } from '../core/binary-envelope';
import { wrapFrame } from '../core/envelope';
import { encodeMessage, PROTOCOL_VERSION } from '../core/wire';
import { encodeRouteMessage, ROUTE_PROTOCOL_VERSION } from '../routing/route-wire';
import { decodeFrame } from './frame-codec';

const A = 'AAAAAAAAAAAAAAAAAAAAAA';
const ping = encodeMessage({ t: 'ping', nonce: 5 });
const advert = encodeRouteMessage({ t: 'lsa', adverts: [{ origin: A, seq: 3, neighbours: [] }] });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('decodeFrame', () => {
  it('sends each kind to its own protocol', () => {
    expect(decodeFrame(ping)).toEqual({ kind: 'membership', result: { ok: true, message: { t: 'ping', nonce: 5 }, droppedEntries: 0 } });
    expect(decodeFrame(advert)).toEqual({
      kind: 'routing', result: { ok: true, message: { t: 'lsa', adverts: [{ origin: A, seq: 3, neighbours: [] }] }, dropped: 0 },
    });
  });

  it('parses a frame as JSON once, whichever protocol it is for', () => {
    const parse = vi.spyOn(JSON, 'parse');
    decodeFrame(ping);
    decodeFrame(advert);
    expect(parse).toHaveBeenCalledTimes(2);
  });

  it('a new version of one protocol leaves the other decoding', () => {
    // Routing moves to version 2: its frames are refused as a version mismatch (not as junk), membership goes on.
    const routingV2 = wrapFrame('r', ROUTE_PROTOCOL_VERSION + 1, '{"t":"lsa","a":[]}');
    expect(decodeFrame(routingV2)).toEqual({ kind: 'routing', result: { ok: false, error: 'bad-version' } });
    expect(decodeFrame(ping)).toMatchObject({ kind: 'membership', result: { ok: true } });
    // And the other way round.
    const membershipV2 = wrapFrame('m', PROTOCOL_VERSION + 1, '{"t":"ping","n":1}');
    expect(decodeFrame(membershipV2)).toEqual({ kind: 'membership', result: { ok: false, error: 'bad-version' } });
    expect(decodeFrame(advert)).toMatchObject({ kind: 'routing', result: { ok: true } });
  });

  it('dispatches binary frames by their kind byte, and a new binary routing version leaves membership decoding', () => {
    const piece = encodeRouteMessage({ t: 'r', frame: { kind: 'bc', origin: A, target: null, msgId: 'm', trace: [A], piece: 0, pieces: 1, body: new Uint8Array([1, 9]) } });
    expect(piece).toBeInstanceOf(Uint8Array);
    expect(decodeFrame(piece)).toMatchObject({ kind: 'routing', result: { ok: true, message: { t: 'r', frame: { body: new Uint8Array([1, 9]) } } } });
    const header = JSON.stringify({ t: 'r', k: 'bc', o: A, d: '', m: 'm', tr: [A], i: 0, c: 1 });
    const routingV2 = wrapBinaryFrame('r', ROUTE_PROTOCOL_VERSION + 1, header, new Uint8Array([1]));
    expect(decodeFrame(routingV2)).toEqual({ kind: 'routing', result: { ok: false, error: 'bad-version' } });
    expect(decodeFrame(ping)).toMatchObject({ kind: 'membership', result: { ok: true } });
    // And a new membership version leaves binary routing decoding.
    expect(decodeFrame(wrapFrame('m', PROTOCOL_VERSION + 1, '{"t":"ping","n":1}'))).toEqual({ kind: 'membership', result: { ok: false, error: 'bad-version' } });
    expect(decodeFrame(piece)).toMatchObject({ kind: 'routing', result: { ok: true } });
    // Binary refusals come back before either protocol sees the frame.
    expect(decodeFrame(new Uint8Array(4))).toEqual({ kind: 'refused', error: 'bad-binary' });
    expect(decodeFrame(new Uint8Array(16))).toEqual({ kind: 'refused', error: 'unknown-kind' });
    expect(decodeFrame(new Uint8Array(16_385))).toEqual({ kind: 'refused', error: 'too-large' });
  });

  it('refuses what is no frame before either protocol sees it', () => {
    expect(decodeFrame(42)).toEqual({ kind: 'refused', error: 'not-text' });
    expect(decodeFrame('x'.repeat(16_385))).toEqual({ kind: 'refused', error: 'too-large' });
    expect(decodeFrame('{"k":"m"')).toEqual({ kind: 'refused', error: 'bad-json' });
    // The frames of the first protocol version, without an envelope.
    expect(decodeFrame('{"v":1,"t":"ping","n":1}')).toEqual({ kind: 'refused', error: 'bad-envelope' });
    expect(decodeFrame('{"k":"q","v":1,"b":{}}')).toEqual({ kind: 'refused', error: 'unknown-kind' });
    expect(decodeFrame('{"k":"constructor","v":1,"b":{}}')).toEqual({ kind: 'refused', error: 'unknown-kind' });
  });
});
