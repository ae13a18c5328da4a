/**
 * The live topology graph as SVG: one circle per member (self highlighted, suspects and departures styled by
 * `data-status`), one line per link (`data-confirmed` when both ends advertise it), laid out by the layout it is
 * given (the page's d3-force `GraphLayout`, the widget's `RingLayout`).
 * Elements are keyed by ID and reused, so an update touches only what changed; an unchanged picture is ignored.
 * `highlight(trace)` marks a path (`data-path`); `pulse(trace)` animates a dot along it in a view given dots (the
 * page's; the widget draws none, so its bundle carries no animation code). The `<svg>` carries `data-settled`
 * (layout at rest) and `data-layout-runs` (how often the layout restarted) for tests.
 */
import { memberTotalText, membersWhoText, shortId } from '../format';
import { idHue } from '../identicon';
import { edgeKey, graphSignature, structureSignature, type GraphModel } from './graph-model';
import type { Pulses, PulsesFactory } from './graph-pulse';
import type { Layout, LayoutFactory } from './layout';

/** How the graph is drawn. */
export interface GraphViewOptions {
  widthPx: number;
  heightPx: number;
  nodeRadiusPx: number;
  /** Show a short ID beside each node (the page does, the widget's mini graph does not). */
  labels: boolean;
  /** Accessible name prefix, e.g. "Mesh topology". */
  title: string;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string> = {}): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  return element;
}

/** The graph of one node's view of the mesh. */
export class GraphView {
  /** What to insert into the page: a wrapper holding the `<svg>` and the layer its animated dots run in. */
  readonly element: HTMLDivElement;
  /** The graph itself. */
  readonly svg: SVGSVGElement;
  private readonly layout: Layout;
  /** Absent in a view that draws no dots (the widget: its bundle then carries no animation code). */
  private readonly pulses: Pulses | undefined;
  private readonly edgeLayer = svgEl('g', { class: 'edges' });
  private readonly nodeLayer = svgEl('g', { class: 'nodes' });
  private readonly titleEl = svgEl('title');
  private readonly nodeEls = new Map<string, SVGGElement>();
  private readonly edgeEls = new Map<string, SVGLineElement>();
  private model: GraphModel = { nodes: [], edges: [] };
  private signature = '';
  private structure = '';
  private layoutRuns = 0;
  private highlighted: string[] = [];

  constructor(
    private readonly selfId: string,
    private readonly options: GraphViewOptions,
    createLayout: LayoutFactory,
    createPulses?: PulsesFactory,
  ) {
    const { widthPx, heightPx } = options;
    this.svg = svgEl('svg', { viewBox: `0 0 ${widthPx} ${heightPx}`, class: 'graph', role: 'img', preserveAspectRatio: 'xMidYMid meet' });
    this.svg.append(this.titleEl, this.edgeLayer, this.nodeLayer);
    const pulseLayer = document.createElement('div');
    pulseLayer.className = 'graph-pulses';
    pulseLayer.setAttribute('aria-hidden', 'true');
    this.element = document.createElement('div');
    this.element.className = 'graph-wrap';
    this.element.append(this.svg, pulseLayer);
    this.layout = createLayout({ widthPx, heightPx, linkDistancePx: Math.min(widthPx, heightPx) / 2.5, marginPx: options.nodeRadiusPx * 2 }, () => this.place(), () => {
      this.svg.dataset['settled'] = 'true';
    });
    this.pulses = createPulses?.(pulseLayer, this.svg, { widthPx, heightPx }, (id) => this.layout.position(id), options.nodeRadiusPx / 2);
    this.describe();
  }

  /** Draws `model` (moving nodes only when members or links changed); returns false when nothing changed. */
  update(model: GraphModel): boolean {
    const signature = graphSignature(model);
    if (signature === this.signature) return false;
    this.signature = signature;
    this.model = model;
    this.syncNodes();
    this.syncEdges();
    const structure = structureSignature(model);
    if (structure !== this.structure) {
      this.structure = structure;
      this.svg.dataset['settled'] = 'false';
      this.layout.update(model, this.selfId);
      // Counted for tests and debugging: a picture at rest must not restart the layout.
      this.svg.dataset['layoutRuns'] = String(++this.layoutRuns);
    }
    this.place();
    this.applyHighlight();
    this.describe();
    return true;
  }

  /** Marks the nodes and links of `trace` (origin first); null clears. */
  highlight(trace: readonly string[] | null): void {
    this.highlighted = trace ? [...trace] : [];
    this.applyHighlight();
  }

  /** Sends a dot along `trace` (skipped when motion is reduced or too many are in flight). */
  pulse(trace: readonly string[], kind: string): void {
    this.pulses?.run(trace, kind);
  }

  /** Stops the layout. */
  destroy(): void {
    this.layout.destroy();
  }

  private syncNodes(): void {
    const wanted = new Set(this.model.nodes.map((n) => n.id));
    for (const [id, element] of this.nodeEls) {
      if (wanted.has(id)) continue;
      element.remove();
      this.nodeEls.delete(id);
    }
    for (const node of this.model.nodes) {
      let element = this.nodeEls.get(node.id);
      if (!element) {
        element = this.createNode(node.id);
        this.nodeEls.set(node.id, element);
        this.nodeLayer.append(element);
      }
      element.dataset['status'] = node.status;
      element.dataset['neighbour'] = String(node.neighbour);
      const title = element.querySelector('title');
      if (title) title.textContent = `${node.id} (${node.status === 'self' ? 'this node' : node.status})`;
    }
  }

  private createNode(id: string): SVGGElement {
    const group = svgEl('g', { class: 'node' });
    group.dataset['node'] = id;
    const hue = idHue(id);
    group.append(svgEl('title'), svgEl('circle', { r: String(this.options.nodeRadiusPx), style: `--node-hue: ${hue}` }));
    if (this.options.labels) {
      const label = svgEl('text', { dy: String(this.options.nodeRadiusPx * 2.4), 'text-anchor': 'middle' });
      label.textContent = shortId(id).slice(0, 6);
      group.append(label);
    }
    return group;
  }

  private syncEdges(): void {
    const wanted = new Map(this.model.edges.map((e) => [edgeKey(e.a, e.b), e]));
    for (const [key, element] of this.edgeEls) {
      if (wanted.has(key)) continue;
      element.remove();
      this.edgeEls.delete(key);
    }
    for (const [key, edge] of wanted) {
      let element = this.edgeEls.get(key);
      if (!element) {
        element = svgEl('line', { class: 'edge' });
        element.dataset['edge'] = key;
        this.edgeEls.set(key, element);
        this.edgeLayer.append(element);
      }
      element.dataset['confirmed'] = String(edge.confirmed);
    }
  }

  private place(): void {
    for (const [id, element] of this.nodeEls) {
      const at = this.layout.position(id);
      if (at) element.setAttribute('transform', `translate(${at.x.toFixed(1)} ${at.y.toFixed(1)})`);
    }
    for (const [key, element] of this.edgeEls) {
      const [a = '', b = ''] = key.split(' ');
      const from = this.layout.position(a);
      const to = this.layout.position(b);
      if (!from || !to) continue;
      element.setAttribute('x1', from.x.toFixed(1));
      element.setAttribute('y1', from.y.toFixed(1));
      element.setAttribute('x2', to.x.toFixed(1));
      element.setAttribute('y2', to.y.toFixed(1));
    }
  }

  private applyHighlight(): void {
    const onPath = new Set(this.highlighted);
    const pathEdges = new Set<string>();
    for (let i = 1; i < this.highlighted.length; i++) pathEdges.add(edgeKey(this.highlighted[i - 1] ?? '', this.highlighted[i] ?? ''));
    for (const [id, element] of this.nodeEls) toggleData(element, 'path', onPath.has(id));
    for (const [key, element] of this.edgeEls) toggleData(element, 'path', pathEdges.has(key));
    this.svg.classList.toggle('has-path', this.highlighted.length > 0);
  }

  private describe(): void {
    const members = this.model.nodes.filter((n) => n.status !== 'departed').length;
    const suspects = this.model.nodes.filter((n) => n.status === 'suspect').length;
    const links = this.model.edges.length;
    const extra = suspects > 0 ? `, ${suspects} suspect` : '';
    const others = Math.max(0, members - 1);
    this.titleEl.textContent = `${this.options.title}: ${memberTotalText(others)} (${membersWhoText(others)}), ${links} ${links === 1 ? 'link' : 'links'}${extra}`;
  }
}

function toggleData(element: SVGElement, name: string, on: boolean): void {
  if (on) element.dataset[name] = 'true';
  else delete element.dataset[name];
}
