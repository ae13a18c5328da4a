/**
 * What the topology graph draws, as data: members (self, alive, suspect, recently departed) and the links between
 * them from the flooded neighbour lists. Pure, so it is tested without a DOM or a layout.
 */
import type { PeerView } from '../../src/core';

/** How a node is drawn. */
export type GraphNodeStatus = 'self' | 'alive' | 'suspect' | 'departed';

/** A node of the graph. */
export interface GraphNode {
  id: string;
  status: GraphNodeStatus;
  /** True when this node holds a link to us. */
  neighbour: boolean;
}

/** An undirected link, `a < b`. `confirmed` when both ends advertise it (the router uses only those). */
export interface GraphEdge {
  a: string;
  b: string;
  confirmed: boolean;
}

/** The whole picture. */
export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** What the model is built from (all of it as the node reports it; nothing here is trusted further). */
export interface GraphInput {
  selfId: string;
  peers: readonly PeerView[];
  /** Every member's advertised neighbour list (own included). */
  topology: Readonly<Record<string, readonly string[]>>;
  nowMs: number;
  /** How long a departed member stays visible (greyed) after its removal. */
  departedVisibleMs: number;
}

/** Edge key: the two IDs in order, joined by a space (IDs are base64url, so no space inside). */
export function edgeKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/** Builds nodes and edges: links only between drawn, not departed nodes; one-sided claims are unconfirmed. */
export function buildGraphModel(input: GraphInput): GraphModel {
  const nodes: GraphNode[] = [{ id: input.selfId, status: 'self', neighbour: false }];
  const live = new Set([input.selfId]);
  for (const peer of input.peers) {
    if (peer.id === input.selfId) continue;
    if (peer.state === 'dead') {
      if (input.nowMs - peer.stateChangedMs < input.departedVisibleMs) nodes.push({ id: peer.id, status: 'departed', neighbour: false });
      continue;
    }
    nodes.push({ id: peer.id, status: peer.state === 'suspect' ? 'suspect' : 'alive', neighbour: peer.neighbour });
    live.add(peer.id);
  }
  const claims = new Map<string, number>();
  for (const [from, list] of Object.entries(input.topology)) {
    if (!live.has(from) || !Array.isArray(list)) continue;
    for (const to of new Set(list)) {
      if (to === from || !live.has(to)) continue;
      const key = edgeKey(from, to);
      claims.set(key, (claims.get(key) ?? 0) + 1);
    }
  }
  const edges = [...claims].map(([key, count]) => {
    const [a = '', b = ''] = key.split(' ');
    return { a, b, confirmed: count >= 2 };
  });
  nodes.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  edges.sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
  return { nodes, edges };
}

/** A string that changes exactly when the drawing would (so an unchanged picture costs nothing). */
export function graphSignature(model: GraphModel): string {
  const nodes = model.nodes.map((n) => `${n.id}:${n.status}:${n.neighbour ? 1 : 0}`).join(',');
  const edges = model.edges.map((e) => `${e.a}-${e.b}:${e.confirmed ? 1 : 0}`).join(',');
  return `${nodes}|${edges}`;
}

/**
 * A string that changes only when nodes or links come or go: only then does the layout run again. A status change
 * (alive ↔ suspect, a link confirmed) restyles the drawing without moving it.
 */
export function structureSignature(model: GraphModel): string {
  return `${model.nodes.map((n) => n.id).join(',')}|${model.edges.map((e) => `${e.a}-${e.b}`).join(',')}`;
}
