/**
 * A small deterministic layout for the widget's mini graph: this node at the top of a ring, the other nodes
 * clockwise after it in ID order, links drawn as chords. Positions depend only on the set of IDs, so the picture
 * never moves at rest and is the same for the same members; no simulation, no timer.
 */
import type { GraphModel } from './graph-model';
import type { Layout, LayoutOptions } from './layout';

/** Ring layout; settles at once on every update. */
export class RingLayout implements Layout {
  private positions = new Map<string, { x: number; y: number }>();

  constructor(
    private readonly options: LayoutOptions,
    private readonly onSettled: () => void = () => {},
  ) {}

  position(id: string): { x: number; y: number } | undefined {
    return this.positions.get(id);
  }

  update(model: GraphModel, selfId: string): void {
    this.positions = ringPositions(
      model.nodes.map((n) => n.id),
      selfId,
      this.options,
    );
    this.onSettled();
  }

  destroy(): void {}
}

/**
 * Places `ids` on a ring inside the drawing area: `selfId` (if present) at the top, the others clockwise in ID
 * order starting after it (wrapping round). A lone node sits in the centre.
 */
export function ringPositions(ids: readonly string[], selfId: string, options: LayoutOptions): Map<string, { x: number; y: number }> {
  const { widthPx, heightPx, marginPx } = options;
  const centre = { x: widthPx / 2, y: heightPx / 2 };
  const sorted = [...new Set(ids)].sort();
  const start = Math.max(0, sorted.indexOf(selfId));
  const ordered = [...sorted.slice(start), ...sorted.slice(0, start)];
  const positions = new Map<string, { x: number; y: number }>();
  if (ordered.length === 1) positions.set(ordered[0] ?? '', centre);
  if (ordered.length <= 1) return positions;
  const radius = Math.max(0, Math.min(widthPx, heightPx) / 2 - marginPx);
  ordered.forEach((id, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / ordered.length;
    positions.set(id, { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) });
  });
  return positions;
}
