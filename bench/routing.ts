/**
 * `routing` bench rows (issue 4 in the simulator): how much of a node's signaling the mesh carries once the node
 * has joined, how fast a mesh-signaled connection sets up, and whether routed unicast reaches live members.
 *
 * Phase 1 runs the membership simulator (real cores, virtual time): a converged mesh, then churn (joins and silent
 * crashes), counting how every connection attempt was signaled. Phase 2 puts real routers (`src/routing`) on the
 * resulting overlay and sends unicasts between random live pairs, before and right after 10 % of the nodes die.
 */
import { seededRng } from '../src/core/random';
import type { NodeId } from '../src/core/wire';
import { TestNetwork } from '../src/routing/test-network';
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
  const before = { ...cluster.counters };
  const meshConnectFrom = cluster.meshConnectMs.length;
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
  const firstContacts = cluster.counters.firstContacts - before.firstContacts;
  const meshSignaled = cluster.counters.meshSignaled - before.meshSignaled;
  const meshConnect = cluster.meshConnectMs.slice(meshConnectFrom);
  const viaServerLater = cluster.counters.linksOpenedViaServerLater - before.linksOpenedViaServerLater;

  log(`routing n=${n}: churn done after ${Date.now() - startedMs} ms`);
  // Phase 2: routers on the overlay the cores built.
  const live = cluster.liveNodes();
  const ids = live.map((node) => node.id);
  const alive = new Set(ids);
  const pairs: [NodeId, NodeId][] = [];
  for (const node of live) {
    for (const other of cluster.linksOf(node.id)) if (node.id < other && alive.has(other)) pairs.push([node.id, other]);
  }
  const net = new TestNetwork(ids, {}, seed, n <= 100);
  net.linkAll(pairs);
  net.advance(1_000, 250);
  const rng = seededRng(seed);
  const pick = (from: readonly NodeId[]): NodeId => from[Math.floor(rng.next() * from.length)] as NodeId;
  const unicasts = (from: readonly NodeId[], count: number): { delivered: number; hops: number[]; frames: number } => {
    // Routed frames only: at n = 1 000 the adverts of the freshly linked routers are still flooding meanwhile.
    const framesBefore = net.routedFramesSent;
    const sent: string[] = [];
    for (let i = 0; i < count; i++) {
      const a = pick(from);
      let b = pick(from);
      while (b === a) b = pick(from);
      sent.push(net.send(a, b, `m${i}`));
    }
    net.advance(30_000, 500);
    const results = sent.map((msgId) => net.results.get(msgId));
    const hops = results.flatMap((r) => (r?.ok === true ? [r.hops] : []));
    return { delivered: hops.length, hops, frames: net.routedFramesSent - framesBefore };
  };
  log(`routing n=${n}: routers converged after ${Date.now() - startedMs} ms`);
  const samples = n <= 100 ? 2_000 : 1_000;
  const steady = unicasts(ids, samples);

  // 10 % die at once (their neighbours notice the closed links); survivors send at once, before adverts settle.
  const victims = new Set(ids.filter(() => rng.next() < 0.1));
  const survivors = ids.filter((id) => !victims.has(id));
  for (const [a, b] of pairs) if (victims.has(a) || victims.has(b)) net.unlink(a, b);
  const afterCrash = unicasts(survivors, samples);

  return {
    scenario: 'routing',
    n,
    seeds: 1,
    // Of the links that opened after their dialler's first contact, the share signaled entirely through the mesh.
    meshSignaledShare: round(meshConnect.length / Math.max(1, meshConnect.length + viaServerLater), 3),
    connectAttempts: attempts,
    firstContacts,
    meshSignaledAttempts: meshSignaled,
    meshConnectMsP50: percentile(meshConnect, 50),
    meshConnectMsP99: percentile(meshConnect, 99),
    serverMessagesPerNodeMinuteSteady: round(serverMessagesPerNodeMinuteSteady, 4),
    unicastSamples: samples,
    unicastDeliveryRate: round(steady.delivered / samples, 4),
    unicastHopsP50: percentile(steady.hops, 50),
    unicastHopsP99: percentile(steady.hops, 99),
    framesPerUnicast: round(steady.frames / samples, 1),
    unicastDeliveryRateAfter10PctCrash: round(afterCrash.delivered / samples, 4),
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
