import { describe, expect, it } from 'vitest';
import { createSignalGate, MAX_SDP_CHARS, parseSignal } from './signal';

describe('parseSignal', () => {
  it('accepts offers, answers and candidates, keeping only known fields', () => {
    expect(parseSignal({ type: 'offer', sdp: 'v=0', extra: 1 })).toEqual({ type: 'offer', sdp: 'v=0' });
    expect(parseSignal('{"type":"answer","sdp":"v=0"}')).toEqual({ type: 'answer', sdp: 'v=0' });
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMLineIndex: 0, sdpMid: '0' };
    expect(parseSignal({ type: 'candidate', candidate: { ...candidate, junk: true } })).toEqual({ type: 'candidate', candidate });
    expect(parseSignal({ type: 'candidate', candidate: { candidate: '', sdpMid: null } })).toEqual({
      type: 'candidate',
      candidate: { candidate: '', sdpMid: null },
    });
  });

  it('refuses everything else', () => {
    const bad: unknown[] = [
      null, undefined, 1, [], 'nope', '{', { type: 'offer' }, { type: 'offer', sdp: '' }, { type: 'pranswer', sdp: 'v=0' },
      { type: 'offer', sdp: 'x'.repeat(MAX_SDP_CHARS + 1) }, { renegotiate: true }, { transceiverRequest: { kind: 'audio' } },
      { type: 'candidate' }, { type: 'candidate', candidate: 'x' }, { type: 'candidate', candidate: { candidate: 'x'.repeat(2000) } },
      { type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: -1 } }, { type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: 1.5 } },
      { type: 'candidate', candidate: { candidate: 'c', sdpMid: 5 } }, 'x'.repeat(100_000),
    ];
    for (const value of bad) expect(parseSignal(value)).toBeNull();
  });
});

describe('signal gate', () => {
  it('admits one description of the expected kind and a bounded number of candidates', () => {
    const gate = createSignalGate({ initiator: true, maxCandidates: 1 });
    expect(gate.admit({ type: 'offer', sdp: 'v=0' })).toBe('unexpected-signal');
    expect(gate.admit({ type: 'answer', sdp: 'v=0' })).toEqual({ type: 'answer', sdp: 'v=0' });
    expect(gate.admit({ type: 'answer', sdp: 'v=0' })).toBe('unexpected-signal');
    expect(gate.admit({ type: 'candidate', candidate: { candidate: 'c' } })).toEqual({ type: 'candidate', candidate: { candidate: 'c' } });
    expect(gate.admit({ type: 'candidate', candidate: { candidate: 'c' } })).toBe('too-many-candidates');
    expect(gate.admit('junk')).toBe('bad-signal');
    const answerer = createSignalGate({ initiator: false, maxCandidates: 1 });
    expect(answerer.admit({ type: 'offer', sdp: 'v=0' })).toEqual({ type: 'offer', sdp: 'v=0' });
  });
});
