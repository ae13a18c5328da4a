import { describe, expect, it } from 'vitest';
import { seededRng } from '../core/random';
import { MAX_PAYLOAD_BYTES } from './fragments';
import { Router } from './router';
import { decodeRouteMessage, encodedRouteSize, encodeRouteMessage, type RoutedFrame } from './route-wire';
import { TestNetwork } from './test-network';

const IDS = ['A0', 'B1', 'C2', 'D3', 'E4', 'F5', 'G6', 'H7'];

function frame(over: Partial<RoutedFrame>): RoutedFrame {
  return { kind: 'uni', origin: 'A0', target: 'D3', msgId: 'm1', trace: ['A0'], piece: 0, pieces: 1, body: '', ...over };
}

/** True when every consecutive pair of the trace is a link of the network. */
function isRealPath(net: TestNetwork, trace: string[]): boolean {
  return trace.every((id, i) => i === 0 || net.isLinked(trace[i - 1] as string, id));
}

describe('Router: topology', () => {
  it('floods link-state adverts so every node knows every link', () => {
    const net = new TestNetwork(IDS.slice(0, 4));
    net.chain(['A0', 'B1', 'C2', 'D3']);
    net.advance(1_000);
    const topology = net.router('D3').topology();
    expect(topology['A0']).toEqual(['B1']);
    expect([...(topology['B1'] ?? [])].sort()).toEqual(['A0', 'C2']);
    expect(net.router('A0').hopDistances().get('D3')).toBe(3);
  });

  it('a newcomer gets the whole database from its first link', () => {
    const net = new TestNetwork(IDS.slice(0, 5));
    net.chain(['A0', 'B1', 'C2', 'D3']);
    net.advance(1_000);
    net.link('E4', 'D3');
    expect(Object.keys(net.router('E4').topology()).sort()).toEqual(['A0', 'B1', 'C2', 'D3', 'E4']);
  });

  it('forgets adverts that are not refreshed, and members the membership removed', () => {
    const net = new TestNetwork(IDS.slice(0, 3), { advertRefreshMs: 1_000, advertExpiryMs: 3_000 });
    net.chain(['A0', 'B1', 'C2']);
    net.advance(1_000);
    expect(net.router('A0').topology()['C2']).toBeDefined();
    net.router('A0').forget('C2');
    expect(net.router('A0').topology()['C2']).toBeUndefined();
    net.unlink('B1', 'C2');
    net.advance(5_000);
    expect(net.router('A0').topology()['C2']).toBeUndefined();
  });
});

describe('Router: unicast', () => {
  it('delivers along a shortest path with its trace and acknowledges with it', () => {
    const net = new TestNetwork(IDS.slice(0, 5));
    net.chain(['A0', 'B1', 'C2', 'D3']);
    net.link('A0', 'E4');
    net.link('E4', 'C2');
    net.advance(1_000);
    const msgId = net.send('A0', 'D3', 'hello');
    const got = net.deliveries.get('D3') ?? [];
    expect(got).toHaveLength(1);
    expect(got[0]?.data).toBe('hello');
    expect(got[0]?.from).toBe('A0');
    expect(got[0]?.trace).toHaveLength(4); // A0 → (B1|E4) → C2 → D3
    expect(isRealPath(net, got[0]?.trace ?? [])).toBe(true);
    expect(net.results.get(msgId)).toMatchObject({ ok: true, hops: 3, trace: got[0]?.trace });
  });

  it('carries a 256 KiB payload in pieces and puts it back together', () => {
    const net = new TestNetwork(IDS.slice(0, 3));
    net.chain(['A0', 'B1', 'C2']);
    net.advance(1_000);
    const data = 'ü€'.repeat(Math.floor(MAX_PAYLOAD_BYTES / 5)); // multi-byte text, ~256 KiB of UTF-8
    const msgId = net.send('A0', 'C2', data);
    expect(net.deliveries.get('C2')?.[0]?.data).toBe(data);
    expect(net.results.get(msgId)).toMatchObject({ ok: true, hops: 2 });
  });

  it('refuses a payload over 256 KiB at once, and a message to itself', () => {
    const net = new TestNetwork(IDS.slice(0, 2));
    net.chain(['A0', 'B1']);
    const big = net.send('A0', 'B1', 'x'.repeat(MAX_PAYLOAD_BYTES + 1));
    expect(net.results.get(big)).toMatchObject({ ok: false, code: 'too-large' });
    const self = net.send('A0', 'A0', 'x');
    expect(net.results.get(self)).toMatchObject({ ok: false, code: 'bad-target' });
  });

  it('fails clearly, without flooding, when the target is unreachable', () => {
    const net = new TestNetwork(IDS.slice(0, 4));
    net.chain(['A0', 'B1', 'C2']);
    net.advance(1_000);
    const before = net.framesSent;
    const msgId = net.send('A0', 'H7', 'anyone?');
    net.advance(5_000);
    expect(net.results.get(msgId)).toMatchObject({ ok: false, code: 'unreachable' });
    expect(net.framesSent - before).toBeLessThan(20);
  });

  it('tries again over another route when a link on the path goes down', () => {
    const net = new TestNetwork(IDS.slice(0, 4), { advertMinIntervalMs: 0 });
    net.chain(['A0', 'B1', 'D3']);
    net.link('A0', 'C2');
    net.link('C2', 'D3');
    net.advance(1_000);
    // B1 loses its link to D3 but A0 does not know yet when it sends: B1 answers with a failure.
    net.unlink('B1', 'D3');
    const msgId = net.send('A0', 'D3', 'around');
    net.advance(3_000);
    expect(net.results.get(msgId)).toMatchObject({ ok: true });
    expect(net.deliveries.get('D3')?.map((d) => d.data)).toEqual(['around']);
  });

  it('times out when the target never answers, and delivers a retried message only once', () => {
    const net = new TestNetwork(IDS.slice(0, 2), { ackTimeoutMs: 1_000, sendAttempts: 2 });
    net.chain(['A0', 'B1']);
    net.advance(1_000);
    // Swallow acknowledgements: B1 receives but its answers never arrive.
    const router = net.router('B1');
    const receive = router.receive.bind(router);
    router.receive = (now, from, message) => receive(now, from, message).filter((e) => e.type !== 'send');
    const msgId = net.send('A0', 'B1', 'once');
    net.advance(5_000);
    expect(net.results.get(msgId)).toMatchObject({ ok: false, code: 'timeout' });
    expect(net.deliveries.get('B1')?.map((d) => d.data)).toEqual(['once']);
  });
});

describe('Router: broadcast', () => {
  it('reaches every node exactly once, each with a real path as trace', () => {
    const ids = IDS;
    const net = new TestNetwork(ids);
    const rng = seededRng(7);
    net.chain(ids);
    for (let i = 0; i < 8; i++) {
      const a = ids[Math.floor(rng.next() * ids.length)] as string;
      const b = ids[Math.floor(rng.next() * ids.length)] as string;
      if (a !== b && !net.isLinked(a, b)) net.link(a, b);
    }
    net.advance(1_000);
    const { msgId, effects } = net.router('C2').broadcast(net.nowMs, 'to all');
    net.apply('C2', effects);
    net.run();
    for (const id of ids) {
      const got = (net.deliveries.get(id) ?? []).filter((d) => d.msgId === msgId);
      if (id === 'C2') {
        expect(got).toHaveLength(0);
        continue;
      }
      expect(got).toHaveLength(1);
      expect(got[0]?.trace[0]).toBe('C2');
      expect(got[0]?.trace.at(-1)).toBe(id);
      expect(isRealPath(net, got[0]?.trace ?? [])).toBe(true);
    }
  });
});

describe('Router: hostile input', () => {
  function lineNet(): TestNetwork {
    const net = new TestNetwork(IDS.slice(0, 4));
    net.chain(['A0', 'B1', 'C2', 'D3']);
    net.advance(1_000);
    return net;
  }

  it('drops a frame that claims a loop, a trace not ending with its sender, or one over the hop limit', () => {
    const net = lineNet();
    net.inject('A0', 'B1', encodeRouteMessage({ t: 'r', frame: frame({ trace: ['A0', 'B1', 'C2', 'A0'] }) }));
    net.inject('A0', 'B1', encodeRouteMessage({ t: 'r', frame: frame({ trace: ['B1', 'A0'], origin: 'B1' }) }));
    net.inject('A0', 'B1', encodeRouteMessage({ t: 'r', frame: frame({ origin: 'Q0', trace: ['Q0', 'C2'] }) }));
    const long = Array.from({ length: 15 }, (_, i) => `X${i}`);
    net.inject('A0', 'B1', encodeRouteMessage({ t: 'r', frame: frame({ origin: 'X0', trace: [...long, 'A0'] }) }));
    const reasons = net.drops.filter((d) => d.at === 'B1').map((d) => d.reason);
    expect(reasons).toEqual(['decode:loop', 'route:loop', 'route:bad-trace', 'route:hop-limit']);
    expect(net.deliveries.get('D3')).toHaveLength(0);
  });

  it('refuses frames from non-neighbours and malformed text, and keeps routing', () => {
    const net = lineNet();
    net.inject('H7', 'B1', encodeRouteMessage({ t: 'r', frame: frame({}) }));
    const bad = ['{', '[]', '{"t":"r"}', '{"t":"lsa","a":[]}', '{"t":"r","k":"uni","o":"A0","d":"D3","m":"m","tr":["A0"],"i":5,"c":2,"p":""}'];
    for (const text of bad.map((body, i) => (i < 2 ? body : `{"k":"r","v":${i === 3 ? 2 : 1},"b":${body}}`))) {
      net.inject('A0', 'B1', text);
    }
    expect(net.drops.filter((d) => d.at === 'B1').map((d) => d.reason)).toEqual([
      'route:not-neighbour', 'decode:bad-json', 'decode:bad-shape', 'decode:bad-shape', 'decode:bad-version', 'decode:bad-shape',
    ]);
    const msgId = net.send('A0', 'D3', 'still works');
    expect(net.results.get(msgId)).toMatchObject({ ok: true });
  });

  it('bounds fragment streams that never complete, and forgets them after the time-out', () => {
    const net = new TestNetwork(IDS.slice(0, 2), { maxReassemblingPerOrigin: 2, reassemblyTimeoutMs: 5_000 });
    net.chain(['A0', 'B1']);
    for (let i = 0; i < 5; i++) {
      net.inject('A0', 'B1', encodeRouteMessage({ t: 'r', frame: frame({ target: 'B1', msgId: `endless${i}`, piece: 0, pieces: 30, body: 'QUFB' }) }));
    }
    expect(net.drops.filter((d) => d.reason === 'route:too-many-pending')).toHaveLength(3);
    net.advance(6_000);
    expect(net.drops.some((d) => d.reason === 'route:reassembly-timeout')).toBe(true);
    // Room again for a new message from the same origin.
    const msgId = net.send('A0', 'B1', 'after the flood');
    expect(net.results.get(msgId)).toMatchObject({ ok: true });
  });

  it('limits signaling per origin at relays', () => {
    const net = new TestNetwork(IDS.slice(0, 3), { signalsPerOrigin: 5 });
    net.chain(['A0', 'B1', 'C2']);
    net.advance(1_000);
    for (let i = 0; i < 20; i++) net.apply('A0', net.router('A0').sendSignal(net.nowMs, 'C2', `offer ${i}`));
    net.run();
    expect(net.signals.filter((s) => s.at === 'C2')).toHaveLength(5);
    expect(net.drops.filter((d) => d.at === 'B1' && d.reason === 'route:signal-rate')).toHaveLength(15);
    expect(net.signals[0]?.trace).toEqual(['A0', 'B1', 'C2']);
  });

  it('answers a newcomer the way its signal came, before its link is advertised', () => {
    const net = new TestNetwork(IDS.slice(0, 5), { advertMinIntervalMs: 60_000 });
    net.chain(['A0', 'B1', 'C2', 'D3']);
    net.advance(61_000, 1_000);
    net.link('E4', 'D3'); // D3's new advert (listing E4) waits for its batch interval
    expect(net.router('A0').canReach(net.nowMs, 'E4')).toBe(false);
    net.apply('E4', net.router('E4').sendSignal(net.nowMs, 'A0', 'offer'));
    net.run();
    expect(net.signals.find((s) => s.at === 'A0')?.trace).toEqual(['E4', 'D3', 'C2', 'B1', 'A0']);
    expect(net.router('A0').canReach(net.nowMs, 'E4')).toBe(true);
    net.apply('A0', net.router('A0').sendSignal(net.nowMs, 'E4', 'answer'));
    net.run();
    expect(net.signals.find((s) => s.at === 'E4')?.body).toBe('answer');
  });

  it('a forged advert cannot steal routes: only links both ends advertise are used', () => {
    const net = lineNet();
    // D3 claims a direct link to A0 that A0 never advertised.
    net.inject('C2', 'B1', encodeRouteMessage({ t: 'lsa', adverts: [{ origin: 'D3', seq: Number.MAX_SAFE_INTEGER, neighbours: ['C2', 'A0'] }] }));
    expect(net.router('A0').hopDistances().get('D3')).toBe(3);
  });
});

describe('route wire', () => {
  it('round-trips frames and adverts', () => {
    const f = frame({ body: 'QUJD', trace: ['A0', 'B1'] });
    expect(decodeRouteMessage(encodeRouteMessage({ t: 'r', frame: f }))).toEqual({ ok: true, message: { t: 'r', frame: f }, dropped: 0 });
    const adverts = [{ origin: 'A0', seq: 5, neighbours: ['B1'] }];
    expect(decodeRouteMessage(encodeRouteMessage({ t: 'lsa', adverts }))).toEqual({ ok: true, message: { t: 'lsa', adverts }, dropped: 0 });
  });

  it('sizes advert frames exactly without encoding them', () => {
    const rng = seededRng(4);
    for (let i = 0; i < 200; i++) {
      const adverts = Array.from({ length: Math.floor(rng.next() * 5) }, (_, a) => ({
        origin: `O${a}x${Math.floor(rng.next() * 1e6)}`,
        seq: Math.floor(rng.next() * 2 ** 45),
        neighbours: Array.from({ length: Math.floor(rng.next() * 9) }, (_, k) => `N${k}${'y'.repeat(Math.floor(rng.next() * 20))}`),
      }));
      const message = { t: 'lsa' as const, adverts };
      expect(encodedRouteSize(message)).toBe(encodeRouteMessage(message).length);
    }
    const routed = { t: 'r' as const, frame: frame({ body: '{"k":"ack","q":"\\"quoted\\""}' }) };
    expect(encodedRouteSize(routed)).toBe(encodeRouteMessage(routed).length);
  });

  it('drops bad adverts one by one and says when a frame is not a routing frame', () => {
    const text = JSON.stringify({ k: 'r', v: 1, b: { t: 'lsa', a: [['A0', 1, ['B1', 'B1', 'A0']], ['__proto__!', 1, []], ['C2', -1, []], ['D3', 1, 'x']] } });
    expect(decodeRouteMessage(text)).toEqual({ ok: true, message: { t: 'lsa', adverts: [{ origin: 'A0', seq: 1, neighbours: ['B1'] }] }, dropped: 3 });
    expect(decodeRouteMessage('{"k":"m","v":1,"b":{"t":"push","e":[]}}')).toEqual({ ok: false, error: 'not-routing' });
    expect(decodeRouteMessage('{"k":"r","v":1,"b":{"t":"push","e":[]}}')).toEqual({ ok: false, error: 'unknown-type' });
  });

  it('a router constructed with bad options says which', () => {
    expect(() => new Router('A0', seededRng(1), { maxHops: 40 })).toThrow(/maxHops/);
    expect(() => new Router('A0', seededRng(1), { ackTimeoutMs: Number.NaN })).toThrow(/ackTimeoutMs/);
  });
});
