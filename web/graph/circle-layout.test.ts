import { describe, expect, it } from 'vitest';
import { circleOrder, circlePositions } from './circle-layout';
import type { GraphEdge } from './graph-model';

const OPTIONS = { widthPx: 640, heightPx: 420, linkDistancePx: 160, marginPx: 18 };
const edges = (...pairs: Array<[string, string]>): GraphEdge[] => pairs.map(([a, b]) => ({ a: a < b ? a : b, b: a < b ? b : a, confirmed: true }));
const round = (p: { x: number; y: number } | undefined): [number, number] | undefined => (p ? [Math.round(p.x), Math.round(p.y)] : undefined);

describe('circle order', () => {
  it('starts with self and keeps ID order when every order is as good (a clique)', () => {
    const ids = ['d', 'b', 's', 'a', 'c'];
    const all = ids.flatMap((x, i) => ids.slice(i + 1).map((y) => [x, y] as [string, string]));
    expect(circleOrder(ids, edges(...all), 's')).toEqual(['s', 'a', 'b', 'c', 'd']);
  });

  it('puts the members of a ring side by side, so no two links cross', () => {
    // In ID order this ring would be a star polygon (every link crossing others).
    const ring = edges(['s', 'c'], ['c', 'a'], ['a', 'd'], ['d', 'b'], ['b', 's']);
    expect(circleOrder(['s', 'a', 'b', 'c', 'd'], ring, 's')).toEqual(['s', 'b', 'd', 'a', 'c']);
  });

  it('keeps the previous order unless a new one removes a crossing', () => {
    const ids = ['s', 'a', 'b', 'c'];
    const square = edges(['s', 'a'], ['a', 'b'], ['b', 'c'], ['c', 's']);
    const previous = circleOrder(ids, square, 's');
    expect(previous).toEqual(['s', 'a', 'b', 'c']);
    // One more link, a diagonal: no order has fewer crossings, so nothing moves (its mirror would be as good).
    expect(circleOrder(ids, [...square, ...edges(['s', 'b'])], 's', ['s', 'c', 'b', 'a'])).toEqual(['s', 'c', 'b', 'a']);
    // A chain s–b–a–c drawn in the order s, a, b, c crosses itself: it is reordered.
    expect(circleOrder(ids, edges(['s', 'b'], ['b', 'a'], ['a', 'c']), 's', previous)).toEqual(['s', 'b', 'a', 'c']);
  });

  it('keeps the members already drawn in their order when one joins', () => {
    const before = ['s', 'c', 'a', 'b'];
    const order = circleOrder(['s', 'a', 'b', 'c', 'n'], edges(['s', 'n']), 's', before);
    expect(order.filter((id) => id !== 'n')).toEqual(before);
  });
});

describe('circle positions', () => {
  it('draws three members as an upright equilateral triangle filling the drawing, the first at the top', () => {
    const at = circlePositions(['s', 'a', 'b'], OPTIONS);
    // Radius 420 / 2 - 18 - 12 = 180 around (320, 210).
    expect(round(at.get('s'))).toEqual([320, 30]);
    expect(round(at.get('a'))).toEqual([476, 300]);
    expect(round(at.get('b'))).toEqual([164, 300]);
  });

  it('lays two members side by side and one in the centre', () => {
    const two = circlePositions(['s', 'a'], OPTIONS);
    expect(round(two.get('s'))).toEqual([140, 210]);
    expect(round(two.get('a'))).toEqual([500, 210]);
    expect(round(circlePositions(['s'], OPTIONS).get('s'))).toEqual([320, 210]);
  });
});
