/**
 * Islands and polling with the server's introducer pool modelled (`sim-server.ts`), at the default protocol
 * timings: a room must not split into two meshes when every introducer leaves, must merge two meshes that formed
 * apart once the server is reachable again, and must not ask the server anything at rest, whatever its size.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster, type SimNode } from './cluster';
import { converged } from './scenario-kit';

/** A small pool, so that a room of a dozen has guests that let go of the server. */
const POOL = 3;

function cluster(seed: number): SimCluster {
  return new SimCluster({ seed, server: { pool: POOL } });
}

/** `n` tabs join one after the other, 300 ms apart, as a room fills. */
function joinAll(c: SimCluster, n: number): SimNode[] {
  const nodes: SimNode[] = [];
  for (let i = 0; i < n; i++) {
    const node = c.addNode();
    nodes.push(node);
    c.join(node);
    c.runFor(300);
  }
  return nodes;
}

function server(c: SimCluster): NonNullable<SimCluster['server']> {
  if (c.server === undefined) throw new Error('no server model');
  return c.server;
}

/** Every introducer leaves at once and `fresh` newcomers join right away: they are introduced to each other only. */
function splitRoom(c: SimCluster, fresh: number): SimNode[] {
  const pool = server(c).introducers().map((id) => c.node(id) as SimNode);
  expect(pool).toHaveLength(POOL);
  for (const node of pool) c.leave(node);
  return joinAll(c, fresh);
}

describe('islands: a room stays one mesh (simulated, server pool modelled)', () => {
  it('every introducer leaves and newcomers join: two meshes form, then merge into one', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const c = cluster(seed);
      joinAll(c, 12);
      expect(c.runUntil(() => converged(c) && c.liveComponents() === 1, 60_000), `seed ${seed}: formed`).not.toBeNull();
      // Past the guests' hold: only the pool holds sockets.
      c.runFor(30_000);
      const checkInsBefore = c.nodes.reduce((sum, node) => sum + node.checkIns, 0);
      const newcomers = splitRoom(c, 4);
      // The newcomers met only each other: the room is two meshes now (the case the check-ins must repair).
      expect(c.liveComponents(), `seed ${seed}: islands formed`).toBe(2);
      for (const node of newcomers) expect(node.core.members().length, `seed ${seed}: newcomer knows old mesh`).toBeLessThan(4);
      const tookMs = c.runUntil(() => converged(c) && c.liveComponents() === 1, 60_000);
      expect(tookMs, `seed ${seed}: not merged`).not.toBeNull();
      // No herd: per removal at most two members check in (three introducers left).
      const checkIns = c.nodes.reduce((sum, node) => sum + node.checkIns, 0) - checkInsBefore;
      expect(checkIns, `seed ${seed}: check-ins`).toBeLessThanOrEqual(2 * POOL);
      // The pool refilled from the old mesh or the newcomers.
      expect(server(c).introducers().length, `seed ${seed}: pool`).toBe(POOL);
    }
  });

  it('two meshes that formed while the old one could not reach the server merge once it can', () => {
    for (let seed = 11; seed <= 14; seed++) {
      const c = cluster(seed);
      const old = joinAll(c, 12);
      expect(c.runUntil(() => converged(c) && c.liveComponents() === 1, 60_000), `seed ${seed}: formed`).not.toBeNull();
      c.runFor(30_000);
      const oldIds = new Set(old.map((node) => node.id));
      server(c).reachable = (id) => !oldIds.has(id);
      splitRoom(c, 4);
      // Two minutes apart: the old mesh's check-ins go unanswered and back off.
      c.runFor(120_000);
      expect(c.liveComponents(), `seed ${seed}: apart while unreachable`).toBe(2);
      server(c).reachable = () => true;
      // Bound: one check-in retry (back-off at most 60 s, +50 % jitter) plus a link's set-up and a table exchange.
      const tookMs = c.runUntil(() => converged(c) && c.liveComponents() === 1, 100_000);
      expect(tookMs, `seed ${seed}: not merged after the server came back`).not.toBeNull();
    }
  });
});

describe('first contacts: a burst of joins forms one mesh (simulated, server pool modelled)', () => {
  it('newcomers that met only each other (their introductions were full) find the rest', () => {
    // Seed 19 makes such a pair: two newcomers whose first contacts refused them linked with each other only.
    for (let seed = 1; seed <= 20; seed++) {
      const c = cluster(seed);
      joinAll(c, 12);
      expect(c.runUntil(() => converged(c) && c.liveComponents() === 1, 60_000), `seed ${seed}: not one mesh`).not.toBeNull();
    }
  });
});

describe('zero polling at rest (simulated, server pool modelled)', () => {
  it('rooms of 2 to 10 send the server nothing once formed', () => {
    for (let n = 2; n <= 10; n++) {
      const c = cluster(100 + n);
      joinAll(c, n);
      expect(c.runUntil(() => converged(c) && c.liveComponents() === 1, 60_000), `n = ${n}: formed`).not.toBeNull();
      c.runFor(30_000);
      const before = c.counters.serverSignalMessages;
      c.runFor(120_000);
      expect(c.counters.serverSignalMessages - before, `n = ${n}: server frames at rest`).toBe(0);
    }
  });
});
