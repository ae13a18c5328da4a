/**
 * Geometry of a drawn topology graph, read from the SVG in the page: where each node sits, how big it is drawn,
 * and the links that pass through a node they do not end at. Shared by the UI specs (not a spec itself).
 */
import type { Page } from '@playwright/test';

/** A node as drawn: centre and radius in SVG user units. */
export interface DrawnNode {
  id: string;
  status: string;
  x: number;
  y: number;
  r: number;
}

/** What the graph under `selector` draws: nodes, links (by their node IDs), and the viewBox size. */
export interface DrawnGraph {
  nodes: DrawnNode[];
  links: Array<{ a: string; b: string; x1: number; y1: number; x2: number; y2: number }>;
  width: number;
  height: number;
}

/** Reads the drawing (the page's `#graph` by default). */
export function drawnGraph(page: Page, selector = '#graph svg.graph'): Promise<DrawnGraph> {
  return page.evaluate((sel) => {
    const svg = document.querySelector<SVGSVGElement>(sel);
    const nodes = [...(svg?.querySelectorAll<SVGGElement>('[data-node]') ?? [])].map((g) => {
      const [, x = '0', y = '0'] = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(g.getAttribute('transform') ?? '') ?? [];
      return { id: g.dataset['node'] ?? '', status: g.dataset['status'] ?? '', x: Number(x), y: Number(y), r: Number(g.querySelector('circle')?.getAttribute('r') ?? 0) };
    });
    const links = [...(svg?.querySelectorAll<SVGLineElement>('[data-edge]') ?? [])].map((line) => {
      const [a = '', b = ''] = (line.dataset['edge'] ?? '').split(' ');
      const at = (name: string): number => Number(line.getAttribute(name) ?? 0);
      return { a, b, x1: at('x1'), y1: at('y1'), x2: at('x2'), y2: at('y2') };
    });
    const box = svg?.viewBox.baseVal;
    return { nodes, links, width: box?.width ?? 0, height: box?.height ?? 0 };
  }, selector);
}

/** Every link that passes within a node's drawn radius (stroke included) of a node it does not end at. */
export function linksThroughNodes(graph: DrawnGraph, strokePx = 2): string[] {
  const found: string[] = [];
  for (const link of graph.links) {
    for (const node of graph.nodes) {
      if (node.id === link.a || node.id === link.b) continue;
      const distance = pointToSegment(node.x, node.y, link.x1, link.y1, link.x2, link.y2);
      if (distance <= node.r + strokePx) found.push(`link ${link.a.slice(0, 6)}–${link.b.slice(0, 6)} behind ${node.id.slice(0, 6)} (${distance.toFixed(1)})`);
    }
  }
  return found;
}

function pointToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const [dx, dy] = [bx - ax, by - ay];
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSq));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The three angles of the triangle a, b, c in degrees. */
export function triangleAngles(a: DrawnNode, b: DrawnNode, c: DrawnNode): number[] {
  const angle = (p: DrawnNode, q: DrawnNode, r: DrawnNode): number => {
    const [ux, uy, vx, vy] = [q.x - p.x, q.y - p.y, r.x - p.x, r.y - p.y];
    return (Math.acos((ux * vx + uy * vy) / (Math.hypot(ux, uy) * Math.hypot(vx, vy))) * 180) / Math.PI;
  };
  return [angle(a, b, c), angle(b, c, a), angle(c, a, b)];
}
