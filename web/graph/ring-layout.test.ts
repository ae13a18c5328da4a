import { describe, expect, it } from 'vitest';
import type { GraphModel } from './graph-model';
import { RingLayout, ringPositions } from './ring-layout';

const options = { widthPx: 300, heightPx: 180, linkDistancePx: 72, marginPx: 16 };
const round = (p: { x: number; y: number } | undefined): [number, number] | undefined => (p ? [Math.round(p.x), Math.round(p.y)] : undefined);

describe('ring layout', () => {
  it('puts self at the top and the others clockwise in ID order after it', () => {
    const at = ringPositions(['d', 'b', 'a', 'c'], 'c', options);
    // Radius min(300, 180) / 2 - 16 = 74 around (150, 90): c top, d right, a bottom, b left.
    expect(round(at.get('c'))).toEqual([150, 16]);
    expect(round(at.get('d'))).toEqual([224, 90]);
    expect(round(at.get('a'))).toEqual([150, 164]);
    expect(round(at.get('b'))).toEqual([76, 90]);
  });

  it('depends only on the set of IDs: same members, same picture', () => {
    const one = ringPositions(['x', 'y', 'z', 'y'], 'y', options);
    const two = ringPositions(['z', 'y', 'x'], 'y', options);
    expect([...one.entries()].sort()).toEqual([...two.entries()].sort());
  });

  it('centres a lone node and keeps every node inside the margin', () => {
    expect(round(ringPositions(['a'], 'a', options).get('a'))).toEqual([150, 90]);
    const ids = Array.from({ length: 40 }, (_, i) => `n${i}`);
    for (const p of ringPositions(ids, 'n7', options).values()) {
      expect(p.x).toBeGreaterThanOrEqual(16 - 1e-9);
      expect(p.x).toBeLessThanOrEqual(284 + 1e-9);
      expect(p.y).toBeGreaterThanOrEqual(16 - 1e-9);
      expect(p.y).toBeLessThanOrEqual(164 + 1e-9);
    }
  });

  it('settles at once on every update and forgets departed nodes', () => {
    let settled = 0;
    const layout = new RingLayout(options, () => settled++);
    const model = (ids: string[]): GraphModel => ({ nodes: ids.map((id) => ({ id, status: 'alive', neighbour: false })), edges: [] });
    layout.update(model(['a', 'b', 'c']), 'a');
    expect(settled).toBe(1);
    expect(layout.position('b')).toBeDefined();
    layout.update(model(['a', 'c']), 'a');
    expect(settled).toBe(2);
    expect(layout.position('b')).toBeUndefined();
    expect(round(layout.position('c'))).toEqual([150, 164]);
  });
});
