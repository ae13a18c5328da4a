/**
 * The page's topology graph: the shared `GraphView` plus what only the page draws, a highlighted path (a selected
 * log line or a delivered message: `data-path` on its nodes and links) and dots running along gossip exchanges and
 * routed messages (graph-pulse.ts); labels are written outward from the drawing's centre, so links leaving a node
 * do not cross its label. Kept apart so that the widget's bundle carries none of it.
 */
import { edgeKey, type GraphModel } from './graph-model';
import { GraphPulses } from './graph-pulse';
import { GraphView, type GraphViewOptions } from './graph-view';
import type { LayoutFactory } from './layout';

/** The graph view with a path highlight and animated dots. */
export class PageGraphView extends GraphView {
  private readonly pulses: GraphPulses;
  private highlighted: string[] = [];

  constructor(selfId: string, options: GraphViewOptions, createLayout: LayoutFactory) {
    super(selfId, options, createLayout);
    const layer = document.createElement('div');
    layer.className = 'graph-pulses';
    layer.setAttribute('aria-hidden', 'true');
    this.element.append(layer);
    const { widthPx, heightPx, nodeRadiusPx } = options;
    this.pulses = new GraphPulses(layer, this.svg, { widthPx, heightPx }, (id) => this.layout.position(id), nodeRadiusPx / 2);
  }

  /** Draws `model`, keeping the highlighted path marked; returns false when nothing changed. */
  override update(model: GraphModel): boolean {
    const changed = super.update(model);
    if (changed) this.applyHighlight();
    return changed;
  }

  /** Places nodes and links, then each label beside its node on the side away from the centre. */
  protected override place(): void {
    super.place();
    const { widthPx, heightPx, nodeRadiusPx } = this.options;
    for (const [id, element] of this.nodeEls) {
      const at = this.layout.position(id);
      const label = element.querySelector('text');
      if (!at || !label) continue;
      const [dx, dy] = [at.x - widthPx / 2, at.y - heightPx / 2];
      const length = Math.hypot(dx, dy);
      // A lone node sits in the centre: its label goes below.
      const [ux, uy] = length < 1 ? [0, 1] : [dx / length, dy / length];
      const gapPx = nodeRadiusPx * 1.7;
      label.setAttribute('x', (ux * gapPx).toFixed(1));
      label.setAttribute('y', (uy * gapPx).toFixed(1));
      label.setAttribute('dy', uy > 0.5 ? '0.8em' : uy < -0.5 ? '0' : '0.35em');
      label.setAttribute('text-anchor', ux > 0.35 ? 'start' : ux < -0.35 ? 'end' : 'middle');
    }
  }

  /** Marks the nodes and links of `trace` (origin first); null clears. */
  highlight(trace: readonly string[] | null): void {
    this.highlighted = trace ? [...trace] : [];
    this.applyHighlight();
  }

  /** Sends a dot along `trace` (skipped when motion is reduced or too many are in flight). */
  pulse(trace: readonly string[], kind: string): void {
    this.pulses.run(trace, kind);
  }

  private applyHighlight(): void {
    const onPath = new Set(this.highlighted);
    const pathEdges = new Set<string>();
    for (let i = 1; i < this.highlighted.length; i++) pathEdges.add(edgeKey(this.highlighted[i - 1] ?? '', this.highlighted[i] ?? ''));
    for (const [id, element] of this.nodeEls) toggleData(element, 'path', onPath.has(id));
    for (const [key, element] of this.edgeEls) toggleData(element, 'path', pathEdges.has(key));
    this.svg.classList.toggle('has-path', this.highlighted.length > 0);
  }
}

function toggleData(element: SVGElement, name: string, on: boolean): void {
  if (on) element.dataset[name] = 'true';
  else delete element.dataset[name];
}
