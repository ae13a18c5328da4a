/**
 * `routing` bench rows (issue 4 in the simulator): how much of a node's signaling the mesh carries once the node
 * has joined, how fast a mesh-signaled connection sets up, and whether routed unicast reaches live members.
 *
 * Phase 1 runs the simulator (the real mesh machines, virtual time): a converged mesh, then churn (joins and silent
 * crashes), counting how every link that opened was signaled (the machines' own accounting). Phase 2 sends unicasts
 * between random live pairs through the same machines, before and right after 10 % of the nodes close at once.
 */
import { seededRng, type Rng } from '../src/core/random';
import type { SimCluster, SimNode } from '../sim/cluster';
import { percentile, randomLive } from '../sim/scenario-kit';
import { warm, type Row } from './scenarios';

const MINUTE = 60_000;

/** One `routing` row for `n` nodes. */
export function routing(n: number, seed: number, log: (line: string) => void = () => {}): Row {
  const startedMs = Date.now();
  const { h } = warm(n, seed);
  log(`routing n=${n}: warm after ${Date.now() - startedMs} ms`);
  const cluster = h.cluster;

  // Steady state: three quiet minutes; the server should hear nothing from the mesh.
  const quietBefore = cluster.counters.serverSignalMessages;
  cluster.runFor(3 * MINUTE);
  const serverMessagesPerNodeMinuteSteady = (cluster.counters.serverSignalMessages - quietBefore) / (n * 3);

  // Churn: 5 % of n (at most 20) join and as many crash, one of each every 20 s.
  const before = { ...cluster.counters, ...cluster.linkKinds };
  const setupFrom = cluster.setupMs.mesh.length;
  const churn = Math.min(20, Math.max(2, Math.round(n * 0.05)));
  for (let i = 0; i < churn; i++) {
    const bootstrap = randomLive(h, seed * 1_000 + i);
    const newcomer = cluster.addNode();
    cluster.start(newcomer, [bootstrap.id]);
    cluster.runFor(10_000);
    const victim = randomLive(h, seed * 2_000 + i);
    if (victim !== newcomer) cluster.crash(victim);
    cluster.runFor(10_000);
  }
  cluster.runFor(2 * MINUTE);
  const attempts = cluster.counters.connectAttempts - before.connectAttempts;
  const firstContacts = cluster.linkKinds.firstContact - before.firstContact;
  const viaMesh = cluster.linkKinds.viaMesh - before.viaMesh;
  const viaServer = cluster.linkKinds.viaServer - before.viaServer;
  const meshConnect = cluster.setupMs.mesh.slice(setupFrom);
  log(`routing n=${n}: churn done after ${Date.now() - startedMs} ms`);

  // Phase 2: unicasts between random live pairs through the same machines, over the simulated network.
  const rng = seededRng(seed);
  const unicasts = (from: readonly SimNode[], count: number): { delivered: number; hops: number[]; frames: number } => {
    const framesBefore = routedFrames(cluster);
    const sent: string[] = [];
    for (let i = 0; i < count; i++) {
      const a = pick(rng, from);
      let b = pick(rng, from);
      while (b === a) b = pick(rng, from);
      sent.push(cluster.unicast(a, b.id, `m${i}`));
    }
    cluster.runFor(30_000);
    const hops = sent.flatMap((msgId) => {
      const result = cluster.results.get(msgId);
      return result?.ok === true ? [result.hops] : [];
    });
    return { delivered: hops.length, hops, frames: routedFrames(cluster) - framesBefore };
  };
  const samples = n <= 100 ? 2_000 : 1_000;
  const live = cluster.liveNodes();
  const steady = unicasts(live, samples);

  // 10 % close at once (their neighbours see the links close); survivors send at once, before adverts settle.
  const victims = new Set(live.filter(() => rng.next() < 0.1));
  for (const victim of victims) cluster.closeAbruptly(victim);
  const afterClose = unicasts(live.filter((node) => !victims.has(node)), samples);

  return {
    scenario: 'routing',
    n,
    seeds: 1,
    // Of the links that opened after their dialler's first contact, the share signaled entirely through the mesh.
    meshSignaledShare: round(viaMesh / Math.max(1, viaMesh + viaServer), 3),
    connectAttempts: attempts,
    firstContacts,
    linksViaMesh: viaMesh,
    linksViaServer: viaServer,
    meshConnectMsP50: roundOrNull(percentile(meshConnect, 50)),
    meshConnectMsP99: roundOrNull(percentile(meshConnect, 99)),
    serverMessagesPerNodeMinuteSteady: round(serverMessagesPerNodeMinuteSteady, 4),
    unicastSamples: samples,
    unicastDeliveryRate: round(steady.delivered / samples, 4),
    unicastHopsP50: percentile(steady.hops, 50),
    unicastHopsP99: percentile(steady.hops, 99),
    framesPerUnicast: round(steady.frames / samples, 1),
    unicastDeliveryRateAfter10PctClose: round(afterClose.delivered / samples, 4),
  };
}

/** Data, acknowledgement and failure frames sent so far (not adverts or signaling). */
function routedFrames(cluster: SimCluster): number {
  const f = cluster.counters.framesByType;
  return (f['r:uni'] ?? 0) + (f['r:ack'] ?? 0) + (f['r:fail'] ?? 0);
}

function pick<T>(rng: Rng, from: readonly T[]): T {
  return from[Math.floor(rng.next() * from.length)] as T;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
