import { afterEach, describe, expect, it } from 'vitest';
import { GraphLayout } from './graph-layout';
import type { GraphModel } from './graph-model';

const OPTIONS = { widthPx: 640, heightPx: 420, linkDistancePx: 160, marginPx: 18 };

function model(ids: string[], edges: Array<[string, string]>): GraphModel {
  return {
    nodes: ids.map((id, i) => ({ id, status: i === 0 ? 'self' : 'alive', neighbour: i > 0 })),
    edges: edges.map(([a, b]) => ({ a, b, confirmed: true })),
  };
}

const layouts: GraphLayout[] = [];
afterEach(() => {
  for (const layout of layouts.splice(0)) layout.destroy();
});

function layoutWithCounters(): { layout: GraphLayout; settled: () => number } {
  let settled = 0;
  const layout = new GraphLayout(OPTIONS, () => {}, () => settled++);
  layouts.push(layout);
  return { layout, settled: () => settled };
}

describe('GraphLayout', () => {
  const ids = ['self', 'a', 'b', 'c', 'd', 'e'];
  const ring: Array<[string, string]> = [['self', 'a'], ['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'self']];

  it('animates when members come, but takes a change of links only in one small synchronous step', () => {
    const { layout, settled } = layoutWithCounters();
    layout.update(model(ids, ring), 'self');
    expect(settled()).toBe(0); // members came: the simulation runs on its timer
    expect(layout.position('self')).toEqual({ x: 320, y: 210 }); // self is pinned to the centre
    const before = new Map(ids.map((id) => [id, layout.position(id)!]));

    layout.update(model(ids, [...ring, ['a', 'd']]), 'self');
    expect(settled()).toBe(1); // same members, one more link: settled at once, nothing left to animate
    for (const id of ids) {
      const [was, now] = [before.get(id)!, layout.position(id)!];
      // A nudge, not a new picture: nobody crosses the drawing.
      expect(Math.hypot(now.x - was.x, now.y - was.y)).toBeLessThan(OPTIONS.linkDistancePx);
      expect(now.x).toBeGreaterThanOrEqual(OPTIONS.marginPx);
      expect(now.x).toBeLessThanOrEqual(OPTIONS.widthPx - OPTIONS.marginPx);
    }
  });

  it('keeps known positions when a member is added and places the newcomer inside the drawing', () => {
    const { layout } = layoutWithCounters();
    layout.update(model(ids.slice(0, 3), [['self', 'a'], ['a', 'b']]), 'self');
    const a = layout.position('a')!;
    layout.update(model(ids.slice(0, 4), [['self', 'a'], ['a', 'b'], ['b', 'c']]), 'self');
    expect(layout.position('a')).toEqual(a); // not moved until the simulation's next step
    const c = layout.position('c')!;
    expect(Number.isFinite(c.x) && Number.isFinite(c.y)).toBe(true);
  });
});
