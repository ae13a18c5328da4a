import type { MembershipEvent, MembershipOptions } from '../src/core';
import { seededRng } from '../src/core/random';
import type { NodeId } from '../src/core/wire';
import { SimCluster, type NetworkModel, type SimNode } from './cluster';
export { percentile } from '../src/util/percentile';

/** A listener for membership events of every node of a cluster. */
export type EventListener = (node: SimNode, event: MembershipEvent, timeMs: number) => void;

/** A cluster with a replaceable set of event listeners, as scenarios need. */
export interface Harness {
  cluster: SimCluster;
  listen(listener: EventListener): () => void;
}

/** Builds a cluster whose events fan out to listeners added later. */
export function harness(
  seed: number,
  membership?: Partial<MembershipOptions>,
  network?: Partial<NetworkModel>,
  wire: 'text' | 'size' = 'size',
): Harness {
  const listeners = new Set<EventListener>();
  const cluster = new SimCluster({
    seed,
    wire,
    ...(membership ? { membership } : {}),
    ...(network ? { network } : {}),
    onEvent: (node, event, timeMs) => {
      for (const listener of listeners) listener(node, event, timeMs);
    },
  });
  return {
    cluster,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** True when every live node lists exactly the other live nodes. */
export function converged(cluster: SimCluster): boolean {
  const live = cluster.liveNodes();
  for (const node of live) {
    const members = node.core.members();
    if (members.length !== live.length - 1) return false;
    for (const id of members) if (!cluster.node(id)?.alive) return false;
  }
  return true;
}

/**
 * Cold start: `n` nodes start at once, each knowing one random earlier node (node 0 knows nobody). Returns the
 * virtual milliseconds until every table equals the live set, or null if not within `maxMs`.
 */
export function coldStart(h: Harness, n: number, seed: number, maxMs = 1_800_000): number | null {
  const rng = seededRng(seed ^ 0x5eed);
  const nodes: SimNode[] = [];
  for (let i = 0; i < n; i++) nodes.push(h.cluster.addNode());
  nodes.forEach((node, i) => {
    const earlier = i === 0 ? [] : [(nodes[Math.floor(rng.next() * i)] as SimNode).id];
    h.cluster.start(node, earlier);
  });
  return h.cluster.runUntil(() => converged(h.cluster), maxMs);
}

/** A random live node (the kind of introduction the signaling server gives). */
export function randomLive(h: Harness, seed: number): SimNode {
  const live = h.cluster.liveNodes();
  return live[Math.floor(seededRng(seed).next() * live.length)] as SimNode;
}

/** True when no live node lists `id`. */
export function removedEverywhere(cluster: SimCluster, id: NodeId): boolean {
  return cluster.liveNodes().every((node) => !node.core.lists(id));
}

/** Rounds of `gossipIntervalMs`, to one decimal. */
export function toRounds(ms: number, gossipIntervalMs: number): number {
  return Math.round((ms / gossipIntervalMs) * 10) / 10;
}

/**
 * Counts resurrections: a node that removed a dead peer and later lists it again. `dead(id)` tells whether a
 * peer is really dead (crashed) at that moment.
 */
export function resurrectionWatch(h: Harness, dead: (id: NodeId) => boolean): { count: () => number; stop: () => void } {
  const removed = new Set<string>();
  let resurrections = 0;
  const stop = h.listen((node, event) => {
    if (event.type === 'peer:remove' && dead(event.id)) removed.add(`${node.id}>${event.id}`);
    if ((event.type === 'peer:join' || event.type === 'peer:alive') && removed.has(`${node.id}>${event.id}`) && dead(event.id)) {
      resurrections++;
    }
  });
  return { count: () => resurrections, stop };
}
