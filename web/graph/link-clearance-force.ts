/**
 * A d3 force for the force layout of bigger meshes: a node closer than `clearancePx` to a link it does not end at
 * is pushed off the link, and the link's two ends the other way, so no link stays hidden behind a node. Cost per
 * step: nodes × links (16 members with ~50 links: 800 checks).
 */
import type { Force, SimulationLinkDatum, SimulationNodeDatum } from 'd3-force';

/** A link of the simulation after d3 resolved its ends to nodes. */
type ResolvedLink<N extends SimulationNodeDatum> = SimulationLinkDatum<N> & { source: N | string | number; target: N | string | number };

/** The force; `links()` gives it the current links (the same objects the link force holds). */
export interface LinkClearanceForce<N extends SimulationNodeDatum> extends Force<N, undefined> {
  links(links: ReadonlyArray<ResolvedLink<N>>): LinkClearanceForce<N>;
}

/** Distance from point (px, py) to segment (ax, ay)–(bx, by), and the segment's point nearest to it. */
export function pointToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): { distance: number; x: number; y: number } {
  const [dx, dy] = [bx - ax, by - ay];
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSq));
  const [x, y] = [ax + t * dx, ay + t * dy];
  return { distance: Math.hypot(px - x, py - y), x, y };
}

/** Keeps every node at least `clearancePx` from the links it does not end at. */
export function forceLinkClearance<N extends SimulationNodeDatum>(clearancePx: number, strength = 0.5): LinkClearanceForce<N> {
  let nodes: N[] = [];
  let links: ReadonlyArray<ResolvedLink<N>> = [];
  const force = ((alpha: number) => {
    for (const link of links) {
      const [a, b] = [link.source, link.target];
      if (typeof a !== 'object' || typeof b !== 'object') continue; // not resolved yet
      for (const node of nodes) {
        if (node === a || node === b) continue;
        const near = pointToSegment(node.x ?? 0, node.y ?? 0, a.x ?? 0, a.y ?? 0, b.x ?? 0, b.y ?? 0);
        if (near.distance >= clearancePx) continue;
        // Straight onto the line: push sideways, perpendicular to the link.
        const [ux, uy] = near.distance > 1e-6 ? [((node.x ?? 0) - near.x) / near.distance, ((node.y ?? 0) - near.y) / near.distance] : unitNormal(a, b);
        const push = (clearancePx - near.distance) * strength * alpha;
        node.vx = (node.vx ?? 0) + ux * push;
        node.vy = (node.vy ?? 0) + uy * push;
        for (const end of [a, b]) {
          end.vx = (end.vx ?? 0) - (ux * push) / 2;
          end.vy = (end.vy ?? 0) - (uy * push) / 2;
        }
      }
    }
  }) as LinkClearanceForce<N>;
  force.initialize = (next: N[]) => {
    nodes = next;
  };
  force.links = (next) => {
    links = next;
    return force;
  };
  return force;
}

function unitNormal(a: Point, b: Point): [number, number] {
  const [dx, dy] = [(b.x ?? 0) - (a.x ?? 0), (b.y ?? 0) - (a.y ?? 0)];
  const length = Math.hypot(dx, dy) || 1;
  return [-dy / length, dx / length];
}

/** A node and a link's two ends, as the repair pass moves them. */
interface Point {
  x?: number | undefined;
  y?: number | undefined;
}

/**
 * After the forces settle: moves every node still closer than `clearancePx` to a link it does not end at off that
 * link (to `clearancePx` and a little more: the node two thirds of the way, the link's ends the rest, so a node
 * held at the border still gets clear), and calls `clamp` after each pass; pass after pass until none is left or
 * `maxPasses` are spent (a move can bring a node near another link). Returns how many such spots were left.
 */
export function repairLinkClearance(
  nodes: ReadonlyMap<string, Point>,
  links: ReadonlyArray<{ a: string; b: string }>,
  clearancePx: number,
  clamp: () => void,
  maxPasses = 30,
): number {
  let left = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    left = 0;
    for (const { a, b } of links) {
      const [from, to] = [nodes.get(a), nodes.get(b)];
      if (!from || !to) continue;
      for (const [id, node] of nodes) {
        if (id === a || id === b) continue;
        const near = pointToSegment(node.x ?? 0, node.y ?? 0, from.x ?? 0, from.y ?? 0, to.x ?? 0, to.y ?? 0);
        if (near.distance >= clearancePx) continue;
        left++;
        const [ux, uy] = near.distance > 1e-6 ? [((node.x ?? 0) - near.x) / near.distance, ((node.y ?? 0) - near.y) / near.distance] : unitNormal(from, to);
        const by = clearancePx * 1.2 - near.distance;
        node.x = (node.x ?? 0) + ux * by * (2 / 3);
        node.y = (node.y ?? 0) + uy * by * (2 / 3);
        for (const end of [from, to]) {
          end.x = (end.x ?? 0) - (ux * by) / 6;
          end.y = (end.y ?? 0) - (uy * by) / 6;
        }
      }
    }
    clamp();
    if (left === 0) return 0;
  }
  return left;
}
