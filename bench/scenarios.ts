import { DEFAULT_OPTIONS } from '../src/core/options';
import { seededRng, selectRandomPeers } from '../src/core/random';
import type { NodeId } from '../src/core/wire';
import { pushPullRumourRounds } from '../sim/rumor';
import {
  coldStart, converged, harness, percentile, randomLive, removedEverywhere, resurrectionWatch, toRounds, type Harness,
} from '../sim/scenario-kit';

/** One line of bench output. */
export type Row = { scenario: string; n: number; seeds: number } & Record<string, unknown>;

const ROUND_MS = DEFAULT_OPTIONS.gossipIntervalMs;
const MINUTE = 60_000;

/** A converged mesh of `n` nodes (cold start, then one minute to settle), or throws with the seed. */
export function warm(n: number, seed: number, network?: { lossRate: number }): { h: Harness; coldMs: number } {
  const h = harness(seed, undefined, network);
  const coldMs = coldStart(h, n, seed);
  if (coldMs === null) throw new Error(`cold start of ${n} nodes did not converge (seed ${seed})`);
  h.cluster.runFor(MINUTE);
  return { h, coldMs };
}

/** `rumor-baseline`: the textbook process, validating randomness and round counting. */
export function rumorBaseline(n: number, seeds: number): Row {
  const rounds = Array.from({ length: seeds }, (_, s) => pushPullRumourRounds(n, seededRng(1_000 + s)));
  return { scenario: 'rumor-baseline', n, seeds, roundsP50: percentile(rounds, 50), roundsP99: percentile(rounds, 99) };
}

/** `coldstart`: all nodes start at once, each knowing one earlier node. */
export function coldstart(n: number, seeds: number): Row {
  const rounds: number[] = [];
  let failed = 0;
  for (let s = 0; s < seeds; s++) {
    const ms = coldStart(harness(2_000 + s), n, 2_000 + s);
    if (ms === null) failed++;
    else rounds.push(toRounds(ms, ROUND_MS));
  }
  return { scenario: 'coldstart', n, seeds, roundsP50: percentile(rounds, 50), roundsP99: percentile(rounds, 99), failed };
}

/** `join`: one node at a time joins a converged mesh through one random member. */
export function join(n: number, seeds: number, joinsPerSeed: number): Row {
  const rounds: number[] = [];
  for (let s = 0; s < seeds; s++) rounds.push(...joinSamples(warm(n, 3_000 + s).h, s, joinsPerSeed));
  return { scenario: 'join', n, seeds, samples: rounds.length, roundsP50: percentile(rounds, 50), roundsP99: percentile(rounds, 99) };
}

function joinSamples(h: Harness, s: number, joinsPerSeed: number): number[] {
  const rounds: number[] = [];
  for (let j = 0; j < joinsPerSeed; j++) {
    const bootstrap = randomLive(h, 3_100 + s * 100 + j);
    const newcomer = h.cluster.addNode();
    h.cluster.start(newcomer, [bootstrap.id]);
    const listed = (): boolean => h.cluster.liveNodes().every((x) => x === newcomer || x.core.lists(newcomer.id));
    const ms = h.cluster.runUntil(listed, 30 * MINUTE, 200);
    rounds.push(ms === null ? Infinity : toRounds(ms, ROUND_MS));
    h.cluster.runFor(MINUTE / 2);
  }
  return rounds;
}

/** `crash`: a node dies silently; time until no live node lists it. */
export function crash(n: number, seeds: number, crashesPerSeed: number): Row {
  const removedMs: number[] = [];
  let resurrections = 0;
  for (let s = 0; s < seeds; s++) {
    const { h } = warm(n, 4_000 + s);
    const watch = resurrectionWatch(h, (id) => h.cluster.node(id)?.alive === false);
    for (let c = 0; c < crashesPerSeed; c++) {
      const victim = randomLive(h, 4_100 + s * 100 + c);
      h.cluster.crash(victim);
      const ms = h.cluster.runUntil(() => removedEverywhere(h.cluster, victim.id), 20 * MINUTE, 1_000);
      removedMs.push(ms ?? Infinity);
    }
    // Watch long enough for any stale copy to come back: past the stale limit and the tombstone lifetime.
    h.cluster.runFor(DEFAULT_OPTIONS.tombstoneTtlMs + MINUTE);
    resurrections += watch.count();
    watch.stop();
  }
  return {
    scenario: 'crash', n, seeds, samples: removedMs.length,
    removedEverywhereP50Ms: percentile(removedMs, 50), removedEverywhereP99Ms: percentile(removedMs, 99), resurrections,
  };
}

/** `loss`: hours of steady state at a message-loss rate; false suspicions and removals per node-hour. */
export function loss(n: number, lossRate: number, hours: number, seed: number): Row {
  const { h } = warm(n, 5_000 + Math.round(lossRate * 1_000), { lossRate });
  // Incidents, not echoes: one suspicion or removal floods to every node, so count each (peer, counter) once.
  const removals = new Set<string>();
  const suspicions = new Set<string>();
  const stop = h.listen((node, event) => {
    if (event.type !== 'peer:remove' && event.type !== 'peer:suspect') return;
    if (!h.cluster.node(event.id)?.alive) return;
    const key = `${event.id}@${node.core.peer(event.id)?.counter ?? -1}`;
    (event.type === 'peer:remove' ? removals : suspicions).add(key);
  });
  const sent0 = h.cluster.counters.messagesSent;
  const lost0 = h.cluster.counters.messagesLost;
  h.cluster.runFor(hours * 60 * MINUTE);
  stop();
  const nodeHours = n * hours;
  const sent = h.cluster.counters.messagesSent - sent0;
  return {
    scenario: 'loss', n, seeds: 1, seed, hours, lossRate,
    measuredLossRate: Math.round(((h.cluster.counters.messagesLost - lost0) / sent) * 10_000) / 10_000,
    falseRemovals: removals.size,
    falseRemovalsPerNodeHour: Math.round((removals.size / nodeHours) * 10_000) / 10_000,
    falseSuspicions: suspicions.size,
    falseSuspicionsPerNodeHour: Math.round((suspicions.size / nodeHours) * 1_000) / 1_000,
    stillConverged: converged(h.cluster),
  };
}

/** `traffic`: bytes each node sends in steady state. */
export function traffic(n: number, windowMs: number): Row {
  return trafficOf(warm(n, 6_000).h, n, windowMs);
}

function trafficOf(h: Harness, n: number, windowMs: number): Row {
  // Nobody dies in this window: any removal is a false one (e.g. a heartbeat that did not reach someone in time).
  const falseRemovals = new Set<string>();
  const stop = h.listen((node, event) => {
    if (event.type === 'peer:remove' && h.cluster.node(event.id)?.alive) falseRemovals.add(`${event.id}@${node.core.peer(event.id)?.counter}`);
  });
  const before = h.cluster.nodes.map((node) => node.bytesSent);
  const byType0 = { ...h.cluster.counters.bytesByType };
  h.cluster.runFor(windowMs);
  stop();
  const perSec = h.cluster.nodes.map((node, i) => ((node.bytesSent - (before[i] ?? 0)) * 1_000) / windowMs);
  const byType: Record<string, number> = {};
  for (const [type, bytes] of Object.entries(h.cluster.counters.bytesByType)) {
    byType[type] = Math.round((((bytes - (byType0[type] ?? 0)) * 1_000) / windowMs / n) * 10) / 10;
  }
  return {
    scenario: 'traffic', n, seeds: 1, windowMs,
    bytesPerNodePerSecMean: Math.round(perSec.reduce((a, b) => a + b, 0) / n),
    bytesPerNodePerSecMax: Math.round(Math.max(...perSec)),
    maxMessageBytes: h.cluster.counters.maxMessageBytes,
    falseRemovals: falseRemovals.size,
    bytesPerNodePerSecByType: byType,
  };
}

/** `partition`: two halves for five minutes, then heal; rounds until every table equals the live set again. */
export function partition(n: number, seeds: number): Row {
  const healRounds: number[] = [];
  let falseRemovals = 0;
  for (let s = 0; s < seeds; s++) {
    const { h } = warm(n, 7_000 + s);
    // A removal of a live node on the same side of the cut is false (the far side is rightly removed).
    const incidents = new Set<string>();
    const stop = h.listen((node, event) => {
      if (event.type !== 'peer:remove') return;
      const other = h.cluster.node(event.id);
      if (other?.alive && other.group === node.group) incidents.add(`${event.id}@${node.core.peer(event.id)?.counter}`);
    });
    h.cluster.setGroups((node) => node.index % 2);
    h.cluster.runFor(5 * MINUTE);
    h.cluster.setGroups(() => 0);
    const ms = h.cluster.runUntil(() => converged(h.cluster), 60 * MINUTE, 1_000);
    healRounds.push(ms === null ? Infinity : toRounds(ms, ROUND_MS));
    stop();
    falseRemovals += incidents.size;
  }
  return { scenario: 'partition', n, seeds, healRoundsP50: percentile(healRounds, 50), healRoundsP99: percentile(healRounds, 99), falseRemovals };
}

/** `massfailure`: a fraction of nodes die at once; are the survivors one mesh, and how fast are the dead purged? */
export function massfailure(n: number, fraction: number, seed: number): Row {
  const { h } = warm(n, 8_000 + Math.round(fraction * 100));
  const killed = selectRandomPeers(h.cluster.nodes, Math.round(fraction * n), seededRng(seed));
  for (const node of killed) h.cluster.crash(node);
  const purgedAt = new Map<NodeId, number>();
  const startMs = h.cluster.nowMs;
  h.cluster.runUntil(() => {
    for (const node of killed) {
      if (!purgedAt.has(node.id) && removedEverywhere(h.cluster, node.id)) purgedAt.set(node.id, h.cluster.nowMs - startMs);
    }
    return purgedAt.size === killed.length;
  }, 30 * MINUTE, 5_000);
  h.cluster.runFor(2 * MINUTE);
  const purged = killed.map((node) => purgedAt.get(node.id) ?? Infinity);
  return {
    scenario: 'massfailure', n, seeds: 1, seed, killedFraction: Math.round((killed.length / n) * 1_000) / 1_000,
    survivorComponents: h.cluster.liveComponents(), survivorsConverged: converged(h.cluster),
    purgedEverywhereP50Ms: percentile(purged, 50), purgedEverywhereP99Ms: percentile(purged, 99),
  };
}

/**
 * The quick bench's n = 1 000 rows from one mesh, to fit the time budget: the warm-up is the cold start
 * (measured), then a steady-state traffic window, then joins. Full runs measure each scenario on its own mesh.
 */
export function sharedLarge(n: number, trafficWindowMs: number, joins: number): Row[] {
  const h = harness(2_000);
  const coldMs = coldStart(h, n, 2_000);
  const cold = coldMs === null ? Infinity : toRounds(coldMs, ROUND_MS);
  h.cluster.runFor(MINUTE);
  const trafficRow = trafficOf(h, n, trafficWindowMs);
  const rounds = joinSamples(h, 0, joins);
  return [
    { scenario: 'join', n, seeds: 1, samples: rounds.length, roundsP50: percentile(rounds, 50), roundsP99: percentile(rounds, 99) },
    { scenario: 'coldstart', n, seeds: 1, roundsP50: cold, roundsP99: cold, failed: coldMs === null ? 1 : 0 },
    trafficRow,
  ];
}
