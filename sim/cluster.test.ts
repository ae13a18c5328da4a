import { describe, expect, it } from 'vitest';
import { seededRng } from '../src/core/random';
import type { NodeId } from '../src/core/wire';
import { SimCluster, type SimNode } from './cluster';
import { converged, harness, removedEverywhere, resurrectionWatch, type Harness } from './scenario-kit';

/** Compressed protocol timings so a property run covers many protocol periods quickly. */
const FAST = {
  gossipIntervalMs: 1_000,
  pingIntervalMs: 2_000,
  pingTimeoutMs: 300,
  suspicionTimeoutMs: 6_000,
  cleanupIntervalMs: 3_000,
  staleAfterMs: 60_000,
  heartbeatIntervalMs: 12_000,
  tombstoneTtlMs: 120_000,
  minLinkAgeMs: 3_000,
  connectTimeoutMs: 3_000,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
  retryDeadIntervalMs: 3_000,
};

/** Invariants that must hold at every check, whatever happened. Returns a description of the first violation. */
function violation(cluster: SimCluster): string | null {
  for (const node of cluster.liveNodes()) {
    const members = node.core.members();
    if (members.includes(node.id)) return `${node.index} lists itself`;
    if (new Set(members).size !== members.length) return `${node.index} lists a peer twice`;
    const peers = node.core.peers().map((peer) => peer.id);
    if (new Set(peers).size !== peers.length) return `${node.index} has a duplicate record`;
    const degree = node.core.neighbours().length;
    const bound = node.core.options.maxDegree + node.core.options.inboundSlack;
    if (degree > bound) return `${node.index} has ${degree} neighbours (bound ${bound})`;
  }
  if (cluster.counters.sendsWithoutLink > 0) return `${cluster.counters.sendsWithoutLink} sends without a link`;
  if (cluster.counters.decodeErrors > 0) return `${cluster.counters.decodeErrors} frames failed to decode`;
  return null;
}

/** Runs `durationMs`, checking the invariants every second. */
function runChecked(h: Harness, durationMs: number, seed: number): void {
  for (let t = 0; t < durationMs; t += 1_000) {
    h.cluster.runFor(1_000);
    const problem = violation(h.cluster);
    if (problem !== null) throw new Error(`seed ${seed}: ${problem} at ${h.cluster.nowMs} ms`);
  }
}

function startAll(h: Harness, n: number, seed: number): SimNode[] {
  const rng = seededRng(seed);
  const nodes = Array.from({ length: n }, () => h.cluster.addNode());
  nodes.forEach((node, i) => h.cluster.start(node, i === 0 ? [] : [(nodes[Math.floor(rng.next() * i)] as SimNode).id]));
  return nodes;
}

function textHarness(seed: number, lossRate: number): Harness {
  // `text` mode: every frame goes through the real encoder and decoder, as on a data channel.
  return harness(seed, FAST, { lossRate }, 'text');
}

describe('simulation properties over many seeds', () => {
  it('cold start converges to full membership with the invariants intact', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const h = textHarness(seed, 0);
      startAll(h, 24, seed);
      runChecked(h, 20_000, seed);
      expect(converged(h.cluster), `seed ${seed}: not converged`).toBe(true);
    }
  });

  it('crashed nodes are removed everywhere and never come back', () => {
    for (let seed = 20; seed <= 24; seed++) {
      const h = textHarness(seed, 0.02);
      const nodes = startAll(h, 20, seed);
      runChecked(h, 15_000, seed);
      const rng = seededRng(seed * 7);
      const victims = [0, 1, 2].map(() => nodes[1 + Math.floor(rng.next() * (nodes.length - 1))] as SimNode);
      const dead = new Set<NodeId>(victims.map((victim) => victim.id));
      const watch = resurrectionWatch(h, (id) => dead.has(id));
      for (const victim of victims) h.cluster.crash(victim);
      runChecked(h, 60_000, seed);
      for (const victim of victims) expect(removedEverywhere(h.cluster, victim.id), `seed ${seed}: ${victim.index} still listed`).toBe(true);
      // Past the stale limit and the tombstone lifetime: old gossip must not bring anyone back.
      runChecked(h, 150_000, seed);
      expect(watch.count(), `seed ${seed}: resurrections`).toBe(0);
      expect(converged(h.cluster), `seed ${seed}: survivors not converged`).toBe(true);
    }
  });

  it('a partition heals into one mesh with full membership', () => {
    for (let seed = 40; seed <= 43; seed++) {
      const h = textHarness(seed, 0.01);
      startAll(h, 20, seed);
      runChecked(h, 15_000, seed);
      h.cluster.setGroups((node) => node.index % 2);
      runChecked(h, 40_000, seed);
      h.cluster.setGroups(() => 0);
      runChecked(h, 60_000, seed);
      expect(converged(h.cluster), `seed ${seed}: not healed`).toBe(true);
      expect(h.cluster.liveComponents(), `seed ${seed}: components`).toBe(1);
    }
  });

  it('churn: joins, leaves and crashes under loss keep the invariants and end converged', () => {
    for (let seed = 60; seed <= 63; seed++) {
      const h = textHarness(seed, 0.05);
      const nodes = startAll(h, 16, seed);
      const rng = seededRng(seed * 13);
      for (let step = 0; step < 20; step++) {
        const live = h.cluster.liveNodes();
        const roll = rng.next();
        if (roll < 0.4) {
          const bootstrap = live[Math.floor(rng.next() * live.length)] as SimNode;
          const fresh = h.cluster.addNode();
          h.cluster.start(fresh, [bootstrap.id]);
          nodes.push(fresh);
        } else if (roll < 0.7 && live.length > 8) {
          h.cluster.crash(live[Math.floor(rng.next() * live.length)] as SimNode);
        }
        runChecked(h, 5_000, seed);
      }
      runChecked(h, 120_000, seed);
      expect(converged(h.cluster), `seed ${seed}: not converged after churn`).toBe(true);
    }
  });

  it('skewed clocks change nothing: the same seed with and without skew converges alike', () => {
    const skewed = new SimCluster({ seed: 5, membership: FAST, maxClockSkewMs: 86_400_000 });
    const nodes = Array.from({ length: 12 }, () => skewed.addNode());
    nodes.forEach((node, i) => skewed.start(node, i === 0 ? [] : [(nodes[0] as SimNode).id]));
    const took = skewed.runUntil(() => converged(skewed), 60_000);
    expect(took).not.toBeNull();
  });
});
