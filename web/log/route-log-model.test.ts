import { describe, expect, it } from 'vitest';
import type { RouteLogEntry } from '../../src/routing/router';
import { BoundedLog, clip, gossipLine, LOG_KINDS, messageLine, routeLine, sendLine } from './route-log-model';

/** Words of the protocol a newcomer does not know; no line may show them ("news of a change" is plain English). */
const JARGON = /\b(push|pull|sync|table|unicast|ack|fail|signal|forwarded|entries)\b/i;

describe('route log model', () => {
  it('keeps at most its capacity, newest first', () => {
    const log = new BoundedLog(3);
    for (let i = 0; i < 5; i++) log.push({ kind: 'gossip', text: `l${i}`, trace: [], failed: false }, i);
    expect(log.list().map((l) => l.text)).toEqual(['l4', 'l3', 'l2']);
    expect(log.get(5)?.text).toBe('l4');
    expect(log.get(1)).toBeUndefined();
    expect(() => new BoundedLog(0)).toThrow(RangeError);
  });

  it('describes gossip in plain words with the link it crossed', () => {
    expect(gossipLine('me', { dir: 'out', type: 'push', peer: 'you', entries: 3 })).toEqual({
      kind: 'gossip',
      text: 'Shared the member list with you (3 members listed)',
      trace: ['me', 'you'],
      failed: false,
    });
    expect(gossipLine('me', { dir: 'in', type: 'pull', peer: 'you', entries: 1 })).toMatchObject({ text: 'you answered with what your list lacked (1 member listed)', trace: ['you', 'me'] });
    expect(gossipLine('me', { dir: 'in', type: 'news', peer: 'you', entries: 2 }).text).toBe('you passed on news of a change (2 members listed)');
  });

  it('describes routed frames, deliveries and send results in plain words with their paths', () => {
    const line = routeLine({ dir: 'drop', kind: 'unicast', origin: 'o', target: 't', trace: ['o', 'x'], msgId: 'm', reason: 'loop' });
    expect(line).toEqual({ kind: 'message', text: 'Dropped a message from o to t: it had passed here already (path o → x)', trace: ['o', 'x'], failed: true });
    expect(routeLine({ dir: 'forward', kind: 'signal', origin: 'o', target: 't', trace: ['o', 'x'], msgId: 'm' })).toMatchObject({ kind: 'setup', text: 'Passed on link setup from o to t (path o → x)' });
    expect(routeLine({ dir: 'forward', kind: 'broadcast', origin: 'o', target: null, trace: ['o'], msgId: 'm' }).text).toBe('Passed on a broadcast from o (path o)');
    expect(routeLine({ dir: 'forward', kind: 'ack', origin: 'o', target: 't', trace: ['o'], msgId: 'm' }).kind).toBe('receipt');
    expect(messageLine({ from: 'o', data: 'hi', trace: ['o', 'x', 'me'], hops: 2, kind: 'unicast', msgId: 'm' }).text).toBe('Message from o arrived after 2 hops (path o → x → me): “hi”');
    expect(sendLine('me', 't', { ok: true, trace: ['me', 't'], hops: 1, rttMs: 4.2 })).toEqual({ kind: 'message', text: 'Delivered to t after 1 hop, 4 ms (path me → t)', trace: ['me', 't'], failed: false });
    expect(sendLine('me', 't', { ok: false, code: 'timeout' })).toEqual({ kind: 'message', text: 'Not delivered to t: no receipt came back in time', trace: ['me'], failed: true });
  });

  it('uses no protocol jargon in any line, and every kind of line has a name and a meaning', () => {
    const lines = [
      ...['push', 'pull', 'sync', 'news', 'table'].flatMap((type) => (['out', 'in'] as const).map((dir) => gossipLine('me', { dir, type, peer: 'p', entries: 2 }))),
      ...(['unicast', 'broadcast', 'ack', 'fail', 'signal'] as const).flatMap((kind) =>
        (['out', 'in', 'forward', 'drop'] as const).map((dir) => {
          const entry: RouteLogEntry = { dir, kind, origin: 'o', target: kind === 'broadcast' ? null : 't', trace: ['o'], msgId: 'm', reason: 'hop-limit' };
          return routeLine(entry);
        }),
      ),
      ...(['unreachable', 'timeout', 'too-large', 'bad-target', 'stopped'] as const).map((code) => sendLine('me', 't', { ok: false, code })),
    ];
    for (const line of lines) expect(line.text, line.text).not.toMatch(JARGON);
    const kinds = new Set(lines.map((line) => line.kind));
    expect([...kinds].sort()).toEqual(LOG_KINDS.map((k) => k.kind).sort());
    for (const { label, tag, meaning } of LOG_KINDS) expect(label.length * tag.length * meaning.length).toBeGreaterThan(0);
  });

  it('cuts long untrusted text', () => {
    expect(clip('x'.repeat(100), 5)).toBe('xxxxx…');
    expect(clip('short')).toBe('short');
  });
});
