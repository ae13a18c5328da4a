import { describe, expect, it } from 'vitest';
import type { MembershipOptions } from './options';
import { CHECK_IN_DELAY_MS, PLACEMENT_DELAY_MS, isSuccessor } from './server-check-in';
import { Net } from './test-net';
import type { NodeId } from './wire';

/** 22-character IDs whose order is the letter's. */
const id = (letter: string): NodeId => letter.repeat(22);
const A = id('a'), B = id('b'), C = id('c'), D = id('d'), E = id('e'), F = id('f'), G = id('g'), H = id('h');

/** Times at which `node` asked the server, by reason. */
function asks(net: Net, node: NodeId, reason: 'isolated' | 'check-in'): number[] {
  return net.effectsOf(node, 'introduce').filter((l) => l.effect.type === 'introduce' && l.effect.reason === reason).map((l) => l.at);
}

/** Two groups that never heard of each other: each fully meshed within itself (started, settled). */
function islands(west: NodeId[], east: NodeId[], options: Partial<MembershipOptions> = {}): Net {
  const net = new Net();
  [...west, ...east].forEach((x, i) => net.add(x, 40 + i, options));
  for (const group of [west, east]) group.forEach((x, i) => net.start(x, group.slice(0, i)));
  net.advance(5_000);
  return net;
}

describe('who checks in after a removal', () => {
  it('the k members after the removed one in ID order, wrapping', () => {
    const listed = [A, B, D, E, G];
    expect(isSuccessor(D, C, listed, 2)).toBe(true);
    expect(isSuccessor(E, C, listed, 2)).toBe(true);
    expect(isSuccessor(G, C, listed, 2)).toBe(false);
    expect(isSuccessor(A, C, listed, 2)).toBe(false);
    // Wrapping past the highest ID.
    expect(isSuccessor(A, H, listed, 2)).toBe(true);
    expect(isSuccessor(B, H, listed, 2)).toBe(true);
    expect(isSuccessor(D, H, listed, 2)).toBe(false);
    // A room of two: the one left always checks in.
    expect(isSuccessor(A, B, [A], 2)).toBe(true);
  });
});

describe('small rooms leave the server alone', () => {
  for (const n of [2, 3, 4, 5]) {
    it(`a complete room of ${n} (below the target degree) asks for no introductions at rest`, () => {
      const ids = [A, B, C, D, E].slice(0, n);
      const net = Net.mesh(ids);
      net.introducer = () => ids;
      for (const x of ids) expect(net.node(x).neighbours()).toHaveLength(n - 1);
      const settledMs = net.now;
      net.advance(3_600_000);
      const later = net.log.filter((l) => l.at > settledMs && l.effect.type === 'introduce');
      expect(later).toEqual([]);
      for (const x of ids) expect(net.node(x).members()).toHaveLength(n - 1);
    });
  }

  it('an isolated node still asks (the server is its only way in)', () => {
    const net = new Net();
    net.add(A, 1);
    net.start(A);
    net.advance(60_000);
    expect(asks(net, A, 'isolated').length).toBeGreaterThan(2);
  });
});

describe('check-ins after a removal', () => {
  it('only the two successors of a member that left check in, once each, after a short jittered delay', () => {
    const ids = [A, B, C, D, E, F];
    const net = Net.mesh(ids);
    net.introducer = () => [];
    const leftMs = net.now;
    net.run(C, net.node(C).leave(net.now));
    net.nodes.delete(C);
    net.advance(leftMs + 3_600_000);
    for (const x of [D, E]) {
      const times = asks(net, x, 'check-in');
      expect(times, `check-ins of ${x[0]}`).toHaveLength(1);
      expect((times[0] as number) - leftMs).toBeGreaterThanOrEqual(CHECK_IN_DELAY_MS / 2);
      expect((times[0] as number) - leftMs).toBeLessThanOrEqual((CHECK_IN_DELAY_MS * 3) / 2);
    }
    for (const x of [A, B, F]) expect(asks(net, x, 'check-in'), `check-ins of ${x[0]}`).toEqual([]);
  });

  it('departures that come together make one check-in per node', () => {
    const ids = [A, B, C, D, E, F, G];
    const net = Net.mesh(ids);
    net.introducer = () => [];
    for (const x of [B, C, D]) {
      net.run(x, net.node(x).leave(net.now));
      net.nodes.delete(x);
    }
    net.advance(net.now + 600_000);
    // E follows B, C and D; F follows C and D; nobody checks in twice.
    expect(asks(net, E, 'check-in')).toHaveLength(1);
    expect(asks(net, F, 'check-in')).toHaveLength(1);
    expect(asks(net, G, 'check-in')).toEqual([]);
  });

  it('an unanswered check-in is retried with growing back-off (at most a minute, ±50 %) until answered', () => {
    const ids = [A, B, C, D];
    const net = Net.mesh(ids);
    net.run(B, net.node(B).leave(net.now));
    net.nodes.delete(B);
    const goneMs = net.now;
    net.advance(goneMs + 600_000); // no introducer: the server is unreachable
    const times = asks(net, C, 'check-in');
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(times.length).toBeGreaterThan(5);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(90_000);
    expect(Math.max(...gaps)).toBeGreaterThan(30_000);
    net.introducer = () => [];
    const answeredFrom = net.now;
    net.advance(net.now + 3_600_000);
    expect(asks(net, C, 'check-in').filter((t) => t > answeredFrom)).toHaveLength(1);
  });
});

describe('check-in after a first contact gone wrong', () => {
  it('two newcomers that could link only with each other check in once their table shows the rest was elsewhere', () => {
    const net = new Net();
    // A never answers B or D (its links full): they meet only each other.
    net.canLink = (from, to) => !(from === A || to === A);
    [A, B, D].forEach((x, i) => net.add(x, 70 + i));
    net.introducer = () => [];
    net.start(A);
    net.start(B, [A, D]);
    net.start(D, [A, B]);
    net.advance(net.now + 600_000);
    expect(net.node(B).neighbours()).toEqual([D]);
    for (const x of [B, D]) {
      const times = asks(net, x, 'check-in');
      expect(times, `check-ins of ${x[0]}`).toHaveLength(1);
      expect(times[0] as number).toBeGreaterThanOrEqual(PLACEMENT_DELAY_MS);
    }
    expect(asks(net, A, 'check-in')).toEqual([]);
  });

  it('the newcomer does not check in when its mesh knows every member it was introduced to', () => {
    const ids = [A, B, C, D];
    const net = Net.mesh(ids);
    net.introducer = () => [];
    net.add(E, 80);
    net.start(E, [A, B, C, D]);
    net.advance(net.now + 600_000);
    expect(net.node(E).members()).toHaveLength(4);
    for (const x of [...ids, E]) expect(asks(net, x, 'check-in'), `check-ins of ${x[0]}`).toEqual([]);
  });
});

describe('islands merge through one introduction', () => {
  it('a node introduced to a member of another mesh dials it, and both meshes learn each other', () => {
    const west = [A, C, E];
    const east = [B, D, F, G];
    const net = islands(west, east);
    expect(net.node(A).members().sort()).toEqual([C, E]);
    expect(net.node(B).members().sort()).toEqual([D, F, G]);
    net.run(A, net.node(A).introduce(net.now, [B]));
    net.advance(net.now + 5_000);
    const all = [...west, ...east];
    for (const x of all) expect(net.node(x).members().sort(), `members of ${x[0]}`).toEqual(all.filter((y) => y !== x).sort());
    // The merge link carried whole tables both ways: the dialler's went unasked.
    expect(net.sends(A, B, 'table').length).toBeGreaterThan(0);
    expect(net.sends(B, A, 'table').length).toBeGreaterThan(0);
  });

  it('with its links full, the node still dials one stranger (an old link makes room), never a known member', () => {
    const options: Partial<MembershipOptions> = { targetDegree: 2, maxDegree: 2, inboundSlack: 1, minLinkAgeMs: 1_000 };
    const west = [A, C, E, G];
    const east = [B, D, F, H];
    const net = islands(west, east, options);
    net.advance(net.now + 60_000);
    expect(net.node(A).neighbours()).toHaveLength(2);
    const connectsBefore = net.effectsOf(A, 'connect').length;
    net.run(A, net.node(A).introduce(net.now, [C, B, D]));
    const dialled = net.effectsOf(A, 'connect').slice(connectsBefore).map((l) => (l.effect.type === 'connect' ? l.effect.to : ''));
    expect(dialled).toEqual([B]);
    net.advance(net.now + 30_000);
    const all = [...west, ...east];
    for (const x of all) expect(net.node(x).members(), `members of ${x[0]}`).toHaveLength(all.length - 1);
    for (const x of all) expect(net.node(x).neighbours().length).toBeLessThanOrEqual(3);
  });
});
