import { describe, expect, it } from 'vitest';
import { BoundedLog, clip, gossipLine, messageLine, routeLine, sendLine } from './route-log-model';

describe('route log model', () => {
  it('keeps at most its capacity, newest first', () => {
    const log = new BoundedLog(3);
    for (let i = 0; i < 5; i++) log.push({ kind: 'gossip', text: `l${i}`, trace: [], failed: false }, i);
    expect(log.list().map((l) => l.text)).toEqual(['l4', 'l3', 'l2']);
    expect(log.get(5)?.text).toBe('l4');
    expect(log.get(1)).toBeUndefined();
    expect(() => new BoundedLog(0)).toThrow(RangeError);
  });
  it('describes gossip with the link it crossed', () => {
    expect(gossipLine('me', { dir: 'out', type: 'push', peer: 'you', entries: 3 })).toEqual({ kind: 'gossip', text: 'gossip push → you (3 entries)', trace: ['me', 'you'], failed: false });
    expect(gossipLine('me', { dir: 'in', type: 'pull', peer: 'you', entries: 0 }).trace).toEqual(['you', 'me']);
  });
  it('describes routed frames, deliveries and send results with their traces', () => {
    const line = routeLine({ dir: 'drop', kind: 'unicast', origin: 'o', target: null, trace: ['o', 'x'], msgId: 'm', reason: 'loop' });
    expect(line).toEqual({ kind: 'route', text: 'unicast dropped: o → all via o → x (loop)', trace: ['o', 'x'], failed: true });
    expect(messageLine({ from: 'o', data: 'hi', trace: ['o', 'x', 'me'], hops: 2, kind: 'unicast', msgId: 'm' }).text).toBe('unicast from o (2 hops: o → x → me): “hi”');
    expect(sendLine('me', 't', { ok: true, trace: ['me', 't'], hops: 1, rttMs: 4.2 })).toEqual({ kind: 'send', text: 'delivered to t in 1 hops, 4 ms: me → t', trace: ['me', 't'], failed: false });
    expect(sendLine('me', 't', { ok: false, code: 'timeout' })).toEqual({ kind: 'send', text: 'not delivered to t: timeout', trace: ['me'], failed: true });
  });
  it('cuts long untrusted text', () => {
    expect(clip('x'.repeat(100), 5)).toBe('xxxxx…');
    expect(clip('short')).toBe('short');
  });
});
