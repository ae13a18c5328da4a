import { describe, expect, it } from 'vitest';
import { seededRng } from '../core/random';
import { MAX_PAYLOAD_BYTES, PIECE_BYTES } from './fragments';
import { Router } from './router';
import { decodeRouteMessage, encodedRouteSize, encodeRouteMessage, type RoutedFrame } from './route-wire';
import { TestNetwork } from './test-network';

const IDS = ['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC', 'D3DDDDDDDDDDDDDDDDDDDD', 'E4EEEEEEEEEEEEEEEEEEEE', 'F5FFFFFFFFFFFFFFFFFFFF', 'G6GGGGGGGGGGGGGGGGGGGG', 'H7HHHHHHHHHHHHHHHHHHHH'];

function frame(over: Partial<RoutedFrame>): RoutedFrame {
  return { kind: 'uni', origin: 'A0AAAAAAAAAAAAAAAAAAAA', target: 'D3DDDDDDDDDDDDDDDDDDDD', msgId: 'm1', trace: ['A0AAAAAAAAAAAAAAAAAAAA'], piece: 0, pieces: 1, body: new Uint8Array([0]), ...over };
}

/** True when every consecutive pair of the trace is a link of the network. */
function isRealPath(net: TestNetwork, trace: string[]): boolean {
  return trace.every((id, i) => i === 0 || net.isLinked(trace[i - 1] as string, id));
}

describe('Router: topology', () => {
  it('floods link-state adverts so every node knows every link', () => {
    const net = new TestNetwork(IDS.slice(0, 4));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC', 'D3DDDDDDDDDDDDDDDDDDDD']);
    net.advance(1_000);
    const topology = net.router('D3DDDDDDDDDDDDDDDDDDDD').topology();
    expect(topology['A0AAAAAAAAAAAAAAAAAAAA']).toEqual(['B1BBBBBBBBBBBBBBBBBBBB']);
    expect([...(topology['B1BBBBBBBBBBBBBBBBBBBB'] ?? [])].sort()).toEqual(['A0AAAAAAAAAAAAAAAAAAAA', 'C2CCCCCCCCCCCCCCCCCCCC']);
    expect(net.router('A0AAAAAAAAAAAAAAAAAAAA').hopDistances().get('D3DDDDDDDDDDDDDDDDDDDD')).toBe(3);
  });

  it('a newcomer gets the whole database from its first link', () => {
    const net = new TestNetwork(IDS.slice(0, 5));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC', 'D3DDDDDDDDDDDDDDDDDDDD']);
    net.advance(1_000);
    net.link('E4EEEEEEEEEEEEEEEEEEEE', 'D3DDDDDDDDDDDDDDDDDDDD');
    expect(Object.keys(net.router('E4EEEEEEEEEEEEEEEEEEEE').topology()).sort()).toEqual(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC', 'D3DDDDDDDDDDDDDDDDDDDD', 'E4EEEEEEEEEEEEEEEEEEEE']);
  });

  it('forgets adverts that are not refreshed, and members the membership removed', () => {
    const net = new TestNetwork(IDS.slice(0, 3), { advertRefreshMs: 1_000, advertExpiryMs: 3_000 });
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']);
    net.advance(1_000);
    expect(net.router('A0AAAAAAAAAAAAAAAAAAAA').topology()['C2CCCCCCCCCCCCCCCCCCCC']).toBeDefined();
    net.router('A0AAAAAAAAAAAAAAAAAAAA').forget('C2CCCCCCCCCCCCCCCCCCCC');
    expect(net.router('A0AAAAAAAAAAAAAAAAAAAA').topology()['C2CCCCCCCCCCCCCCCCCCCC']).toBeUndefined();
    net.unlink('B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC');
    net.advance(5_000);
    expect(net.router('A0AAAAAAAAAAAAAAAAAAAA').topology()['C2CCCCCCCCCCCCCCCCCCCC']).toBeUndefined();
  });
});

describe('Router: unicast', () => {
  it('delivers along a shortest path with its trace and acknowledges with it', () => {
    const net = new TestNetwork(IDS.slice(0, 5));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC', 'D3DDDDDDDDDDDDDDDDDDDD']);
    net.link('A0AAAAAAAAAAAAAAAAAAAA', 'E4EEEEEEEEEEEEEEEEEEEE');
    net.link('E4EEEEEEEEEEEEEEEEEEEE', 'C2CCCCCCCCCCCCCCCCCCCC');
    net.advance(1_000);
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'D3DDDDDDDDDDDDDDDDDDDD', 'hello');
    const got = net.deliveries.get('D3DDDDDDDDDDDDDDDDDDDD') ?? [];
    expect(got).toHaveLength(1);
    expect(got[0]?.data).toBe('hello');
    expect(got[0]?.from).toBe('A0AAAAAAAAAAAAAAAAAAAA');
    expect(got[0]?.trace).toHaveLength(4); // A0 → (B1|E4) → C2 → D3
    expect(isRealPath(net, got[0]?.trace ?? [])).toBe(true);
    expect(net.results.get(msgId)).toMatchObject({ ok: true, hops: 3, trace: got[0]?.trace });
  });

  it('carries a 256 KiB payload in pieces and puts it back together', () => {
    const net = new TestNetwork(IDS.slice(0, 3));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']);
    net.advance(1_000);
    const data = 'ü€'.repeat(Math.floor(MAX_PAYLOAD_BYTES / 5)); // multi-byte text, ~256 KiB of UTF-8
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'C2CCCCCCCCCCCCCCCCCCCC', data);
    expect(net.deliveries.get('C2CCCCCCCCCCCCCCCCCCCC')?.[0]?.data).toBe(data);
    expect(net.results.get(msgId)).toMatchObject({ ok: true, hops: 2 });
  });

  it('reports the progress of a message of several pieces where it arrives, not at relays, once per piece', () => {
    const net = new TestNetwork(IDS.slice(0, 3));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']);
    net.advance(1_000);
    const bytes = new Uint8Array(3 * PIECE_BYTES); // with its content tag: 4 pieces
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'C2CCCCCCCCCCCCCCCCCCCC', bytes);
    expect(net.results.get(msgId)).toMatchObject({ ok: true });
    const atTarget = net.progress.filter((p) => p.at === 'C2CCCCCCCCCCCCCCCCCCCC').map((p) => p.progress);
    expect(net.progress.every((p) => p.at === 'C2CCCCCCCCCCCCCCCCCCCC')).toBe(true); // the relay B1 reports nothing
    expect(atTarget.map((p) => [p.receivedPieces, p.totalPieces, p.receivedBytes])).toEqual([
      [1, 4, PIECE_BYTES],
      [2, 4, 2 * PIECE_BYTES],
      [3, 4, 3 * PIECE_BYTES],
    ]);
    expect(atTarget.every((p) => p.msgId === msgId && p.kind === 'unicast' && p.from === 'A0AAAAAAAAAAAAAAAAAAAA')).toBe(true);
    expect(net.deliveries.get('C2CCCCCCCCCCCCCCCCCCCC')).toHaveLength(1);

    // A broadcast reports at every node it reaches; a one-piece message reports nothing.
    net.progress.length = 0;
    const { msgId: bcId, effects } = net.router('A0AAAAAAAAAAAAAAAAAAAA').broadcast(net.nowMs, new Uint8Array(PIECE_BYTES));
    net.apply('A0AAAAAAAAAAAAAAAAAAAA', effects);
    net.run();
    for (const id of ['B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']) {
      expect(net.progress.filter((p) => p.at === id).map((p) => [p.progress.msgId, p.progress.kind, p.progress.receivedPieces, p.progress.totalPieces])).toEqual([[bcId, 'broadcast', 1, 2]]);
    }
    net.progress.length = 0;
    net.send('A0AAAAAAAAAAAAAAAAAAAA', 'C2CCCCCCCCCCCCCCCCCCCC', 'small');
    expect(net.progress).toEqual([]);
  });

  it('carries bytes as bytes, unicast and broadcast, over multiple hops in binary pieces', () => {
    const net = new TestNetwork(IDS.slice(0, 3));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']);
    net.advance(1_000);
    const bytes = Uint8Array.from({ length: MAX_PAYLOAD_BYTES }, (_, i) => (i * 31) & 0xff);
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'C2CCCCCCCCCCCCCCCCCCCC', bytes);
    expect(net.results.get(msgId)).toMatchObject({ ok: true, hops: 2 });
    expect(net.deliveries.get('C2CCCCCCCCCCCCCCCCCCCC')?.[0]?.data).toEqual(bytes);
    const { effects } = net.router('A0AAAAAAAAAAAAAAAAAAAA').broadcast(net.nowMs, new Uint8Array([7, 8]));
    net.apply('A0AAAAAAAAAAAAAAAAAAAA', effects);
    net.run();
    for (const id of ['B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']) {
      expect(net.deliveries.get(id)?.find((d) => d.kind === 'broadcast')?.data).toEqual(new Uint8Array([7, 8]));
    }
  });

  it('refuses a payload over 256 KiB at once, and a message to itself', () => {
    const net = new TestNetwork(IDS.slice(0, 2));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB']);
    const big = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'x'.repeat(MAX_PAYLOAD_BYTES + 1));
    expect(net.results.get(big)).toMatchObject({ ok: false, code: 'too-large' });
    const self = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'A0AAAAAAAAAAAAAAAAAAAA', 'x');
    expect(net.results.get(self)).toMatchObject({ ok: false, code: 'bad-target' });
  });

  it('fails clearly, without flooding, when the target is unreachable', () => {
    const net = new TestNetwork(IDS.slice(0, 4));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']);
    net.advance(1_000);
    const before = net.framesSent;
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'H7HHHHHHHHHHHHHHHHHHHH', 'anyone?');
    net.advance(5_000);
    expect(net.results.get(msgId)).toMatchObject({ ok: false, code: 'unreachable' });
    expect(net.framesSent - before).toBeLessThan(20);
  });

  it('tries again over another route when a link on the path goes down', () => {
    const net = new TestNetwork(IDS.slice(0, 4), { advertMinIntervalMs: 0 });
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'D3DDDDDDDDDDDDDDDDDDDD']);
    net.link('A0AAAAAAAAAAAAAAAAAAAA', 'C2CCCCCCCCCCCCCCCCCCCC');
    net.link('C2CCCCCCCCCCCCCCCCCCCC', 'D3DDDDDDDDDDDDDDDDDDDD');
    net.advance(1_000);
    // B1 loses its link to D3 but A0 does not know yet when it sends: B1 answers with a failure.
    net.unlink('B1BBBBBBBBBBBBBBBBBBBB', 'D3DDDDDDDDDDDDDDDDDDDD');
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'D3DDDDDDDDDDDDDDDDDDDD', 'around');
    net.advance(3_000);
    expect(net.results.get(msgId)).toMatchObject({ ok: true });
    expect(net.deliveries.get('D3DDDDDDDDDDDDDDDDDDDD')?.map((d) => d.data)).toEqual(['around']);
  });

  it('times out when the target never answers, and delivers a retried message only once', () => {
    const net = new TestNetwork(IDS.slice(0, 2), { ackTimeoutMs: 1_000, sendAttempts: 2 });
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB']);
    net.advance(1_000);
    // Swallow acknowledgements: B1 receives but its answers never arrive.
    const router = net.router('B1BBBBBBBBBBBBBBBBBBBB');
    const receive = router.receive.bind(router);
    router.receive = (now, from, message) => receive(now, from, message).filter((e) => e.type !== 'send');
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'once');
    net.advance(5_000);
    expect(net.results.get(msgId)).toMatchObject({ ok: false, code: 'timeout' });
    expect(net.deliveries.get('B1BBBBBBBBBBBBBBBBBBBB')?.map((d) => d.data)).toEqual(['once']);
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
    const { msgId, effects } = net.router('C2CCCCCCCCCCCCCCCCCCCC').broadcast(net.nowMs, 'to all');
    net.apply('C2CCCCCCCCCCCCCCCCCCCC', effects);
    net.run();
    for (const id of ids) {
      const got = (net.deliveries.get(id) ?? []).filter((d) => d.msgId === msgId);
      if (id === 'C2CCCCCCCCCCCCCCCCCCCC') {
        expect(got).toHaveLength(0);
        continue;
      }
      expect(got).toHaveLength(1);
      expect(got[0]?.trace[0]).toBe('C2CCCCCCCCCCCCCCCCCCCC');
      expect(got[0]?.trace.at(-1)).toBe(id);
      expect(isRealPath(net, got[0]?.trace ?? [])).toBe(true);
    }
  });
});

describe('Router: hostile input', () => {
  function lineNet(): TestNetwork {
    const net = new TestNetwork(IDS.slice(0, 4));
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC', 'D3DDDDDDDDDDDDDDDDDDDD']);
    net.advance(1_000);
    return net;
  }

  it('drops a frame that claims a loop, a trace not ending with its sender, or one over the hop limit', () => {
    const net = lineNet();
    net.inject('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', encodeRouteMessage({ t: 'r', frame: frame({ trace: ['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC', 'A0AAAAAAAAAAAAAAAAAAAA'] }) }));
    net.inject('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', encodeRouteMessage({ t: 'r', frame: frame({ trace: ['B1BBBBBBBBBBBBBBBBBBBB', 'A0AAAAAAAAAAAAAAAAAAAA'], origin: 'B1BBBBBBBBBBBBBBBBBBBB' }) }));
    net.inject('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', encodeRouteMessage({ t: 'r', frame: frame({ origin: 'Q0QQQQQQQQQQQQQQQQQQQQ', trace: ['Q0QQQQQQQQQQQQQQQQQQQQ', 'C2CCCCCCCCCCCCCCCCCCCC'] }) }));
    const long = Array.from({ length: 15 }, (_, i) => `X${i}`.padEnd(22, 'X'));
    net.inject('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', encodeRouteMessage({ t: 'r', frame: frame({ origin: 'X0XXXXXXXXXXXXXXXXXXXX', trace: [...long, 'A0AAAAAAAAAAAAAAAAAAAA'] }) }));
    const reasons = net.drops.filter((d) => d.at === 'B1BBBBBBBBBBBBBBBBBBBB').map((d) => d.reason);
    expect(reasons).toEqual(['decode:loop', 'route:loop', 'route:bad-trace', 'route:hop-limit']);
    expect(net.deliveries.get('D3DDDDDDDDDDDDDDDDDDDD')).toHaveLength(0);
  });

  it('refuses frames from non-neighbours and malformed text, and keeps routing', () => {
    const net = lineNet();
    net.inject('H7HHHHHHHHHHHHHHHHHHHH', 'B1BBBBBBBBBBBBBBBBBBBB', encodeRouteMessage({ t: 'r', frame: frame({}) }));
    const bad = ['{', '[]', '{"t":"r"}', '{"t":"lsa","a":[]}', '{"t":"r","k":"uni","o":"A0AAAAAAAAAAAAAAAAAAAA","d":"D3DDDDDDDDDDDDDDDDDDDD","m":"m","tr":["A0AAAAAAAAAAAAAAAAAAAA"],"i":5,"c":2,"p":""}'];
    for (const text of bad.map((body, i) => (i < 2 ? body : `{"k":"r","v":${i === 3 ? 2 : 1},"b":${body}}`))) {
      net.inject('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', text);
    }
    expect(net.drops.filter((d) => d.at === 'B1BBBBBBBBBBBBBBBBBBBB').map((d) => d.reason)).toEqual([
      'route:not-neighbour', 'decode:bad-json', 'decode:bad-shape', 'decode:bad-shape', 'decode:bad-version', 'decode:bad-shape',
    ]);
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'D3DDDDDDDDDDDDDDDDDDDD', 'still works');
    expect(net.results.get(msgId)).toMatchObject({ ok: true });
  });

  it('bounds fragment streams that never complete, and forgets them after the time-out', () => {
    const net = new TestNetwork(IDS.slice(0, 2), { maxReassemblingPerOrigin: 2, reassemblyTimeoutMs: 5_000 });
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB']);
    for (let i = 0; i < 5; i++) {
      net.inject('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', encodeRouteMessage({ t: 'r', frame: frame({ target: 'B1BBBBBBBBBBBBBBBBBBBB', msgId: `endless${i}`, piece: 0, pieces: 30, body: new Uint8Array([1, 2, 3]) }) }));
    }
    expect(net.drops.filter((d) => d.reason === 'route:too-many-pending')).toHaveLength(3);
    net.advance(6_000);
    expect(net.drops.some((d) => d.reason === 'route:reassembly-timeout')).toBe(true);
    // Room again for a new message from the same origin.
    const msgId = net.send('A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'after the flood');
    expect(net.results.get(msgId)).toMatchObject({ ok: true });
  });

  it('limits signaling per origin at relays', () => {
    const net = new TestNetwork(IDS.slice(0, 3), { signalsPerOrigin: 5 });
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']);
    net.advance(1_000);
    for (let i = 0; i < 20; i++) net.apply('A0AAAAAAAAAAAAAAAAAAAA', net.router('A0AAAAAAAAAAAAAAAAAAAA').sendSignal(net.nowMs, 'C2CCCCCCCCCCCCCCCCCCCC', `offer ${i}`));
    net.run();
    expect(net.signals.filter((s) => s.at === 'C2CCCCCCCCCCCCCCCCCCCC')).toHaveLength(5);
    expect(net.drops.filter((d) => d.at === 'B1BBBBBBBBBBBBBBBBBBBB' && d.reason === 'route:signal-rate')).toHaveLength(15);
    expect(net.signals[0]?.trace).toEqual(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC']);
  });

  it('answers a newcomer the way its signal came, before its link is advertised', () => {
    const net = new TestNetwork(IDS.slice(0, 5), { advertMinIntervalMs: 60_000 });
    net.chain(['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB', 'C2CCCCCCCCCCCCCCCCCCCC', 'D3DDDDDDDDDDDDDDDDDDDD']);
    net.advance(61_000, 1_000);
    net.link('E4EEEEEEEEEEEEEEEEEEEE', 'D3DDDDDDDDDDDDDDDDDDDD'); // D3's new advert (listing E4) waits for its batch interval
    expect(net.router('A0AAAAAAAAAAAAAAAAAAAA').canReach(net.nowMs, 'E4EEEEEEEEEEEEEEEEEEEE')).toBe(false);
    net.apply('E4EEEEEEEEEEEEEEEEEEEE', net.router('E4EEEEEEEEEEEEEEEEEEEE').sendSignal(net.nowMs, 'A0AAAAAAAAAAAAAAAAAAAA', 'offer'));
    net.run();
    expect(net.signals.find((s) => s.at === 'A0AAAAAAAAAAAAAAAAAAAA')?.trace).toEqual(['E4EEEEEEEEEEEEEEEEEEEE', 'D3DDDDDDDDDDDDDDDDDDDD', 'C2CCCCCCCCCCCCCCCCCCCC', 'B1BBBBBBBBBBBBBBBBBBBB', 'A0AAAAAAAAAAAAAAAAAAAA']);
    expect(net.router('A0AAAAAAAAAAAAAAAAAAAA').canReach(net.nowMs, 'E4EEEEEEEEEEEEEEEEEEEE')).toBe(true);
    net.apply('A0AAAAAAAAAAAAAAAAAAAA', net.router('A0AAAAAAAAAAAAAAAAAAAA').sendSignal(net.nowMs, 'E4EEEEEEEEEEEEEEEEEEEE', 'answer'));
    net.run();
    expect(net.signals.find((s) => s.at === 'E4EEEEEEEEEEEEEEEEEEEE')?.body).toBe('answer');
  });

  it('a forged advert cannot steal routes: only links both ends advertise are used', () => {
    const net = lineNet();
    // D3 claims a direct link to A0 that A0 never advertised.
    net.inject('C2CCCCCCCCCCCCCCCCCCCC', 'B1BBBBBBBBBBBBBBBBBBBB', encodeRouteMessage({ t: 'lsa', adverts: [{ origin: 'D3DDDDDDDDDDDDDDDDDDDD', seq: Number.MAX_SAFE_INTEGER, neighbours: ['C2CCCCCCCCCCCCCCCCCCCC', 'A0AAAAAAAAAAAAAAAAAAAA'] }] }));
    expect(net.router('A0AAAAAAAAAAAAAAAAAAAA').hopDistances().get('D3DDDDDDDDDDDDDDDDDDDD')).toBe(3);
  });
});

describe('route wire', () => {
  it('round-trips frames and adverts', () => {
    const f = frame({ body: new Uint8Array([0, 0x41, 0xff]), trace: ['A0AAAAAAAAAAAAAAAAAAAA', 'B1BBBBBBBBBBBBBBBBBBBB'] });
    expect(decodeRouteMessage(encodeRouteMessage({ t: 'r', frame: f }))).toEqual({ ok: true, message: { t: 'r', frame: f }, dropped: 0 });
    const adverts = [{ origin: 'A0AAAAAAAAAAAAAAAAAAAA', seq: 5, neighbours: ['B1BBBBBBBBBBBBBBBBBBBB'] }];
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
    const routed = { t: 'r' as const, frame: frame({ kind: 'ack', body: '{"k":"ack","q":"\\"quoted\\""}' }) };
    expect(encodedRouteSize(routed)).toBe(encodeRouteMessage(routed).length);
    const piece = { t: 'r' as const, frame: frame({ body: new Uint8Array(300) }) };
    expect(encodedRouteSize(piece)).toBe((encodeRouteMessage(piece) as Uint8Array).byteLength);
  });

  it('drops bad adverts one by one and says when a frame is not a routing frame', () => {
    const text = JSON.stringify({ k: 'r', v: 1, b: { t: 'lsa', a: [['A0AAAAAAAAAAAAAAAAAAAA', 1, ['B1BBBBBBBBBBBBBBBBBBBB', 'B1BBBBBBBBBBBBBBBBBBBB', 'A0AAAAAAAAAAAAAAAAAAAA']], ['__proto__!', 1, []], ['C2CCCCCCCCCCCCCCCCCCCC', -1, []], ['D3DDDDDDDDDDDDDDDDDDDD', 1, 'x']] } });
    expect(decodeRouteMessage(text)).toEqual({ ok: true, message: { t: 'lsa', adverts: [{ origin: 'A0AAAAAAAAAAAAAAAAAAAA', seq: 1, neighbours: ['B1BBBBBBBBBBBBBBBBBBBB'] }] }, dropped: 3 });
    expect(decodeRouteMessage('{"k":"m","v":1,"b":{"t":"push","e":[]}}')).toEqual({ ok: false, error: 'not-routing' });
    expect(decodeRouteMessage('{"k":"r","v":1,"b":{"t":"push","e":[]}}')).toEqual({ ok: false, error: 'unknown-type' });
  });

  it('a router constructed with bad options says which', () => {
    expect(() => new Router('A0AAAAAAAAAAAAAAAAAAAA', seededRng(1), { maxHops: 40 })).toThrow(/maxHops/);
    expect(() => new Router('A0AAAAAAAAAAAAAAAAAAAA', seededRng(1), { ackTimeoutMs: Number.NaN })).toThrow(/ackTimeoutMs/);
  });
});
