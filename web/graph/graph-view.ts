/**
 * The live topology graph as SVG: one circle per member (self highlighted, suspects and departures styled by
 * `data-status`), one line per link (`data-confirmed` when both ends advertise it), laid out by the layout it is
 * given (the page's `GraphLayout`, the widget's `RingLayout`).
 * Elements are keyed by ID and reused, so an update touches only what changed; an unchanged picture is ignored.
 * The page's view adds a highlighted path and animated dots (page-graph-view.ts), which the widget's bundle then
 * does not carry. The `<svg>` carries `data-settled` (layout at rest) and `data-layout-runs` (how often the layout
 * restarted) for tests.
 */
import { memberTotalText, membersWhoText, shortId } from '../format';
import { idHue } from '../identicon';
import { edgeKey, graphSignature, structureSignature, type GraphModel } from './graph-model';
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
  /** What to insert into the page: a wrapper holding the `<svg>` (and the page's layer of animated dots). */
  readonly element: HTMLDivElement;
  /** The graph itself. */
  readonly svg: SVGSVGElement;
  protected readonly layout: Layout;
  private readonly edgeLayer = svgEl('g', { class: 'edges' });
  private readonly nodeLayer = svgEl('g', { class: 'nodes' });
  private readonly titleEl = svgEl('title');
  protected readonly nodeEls = new Map<string, SVGGElement>();
  protected readonly edgeEls = new Map<string, SVGLineElement>();
  private model: GraphModel = { nodes: [], edges: [] };
  private signature = '';
  private structure = '';
  private layoutRuns = 0;

  constructor(
    private readonly selfId: string,
    protected readonly options: GraphViewOptions,
    createLayout: LayoutFactory,
  ) {
    const { widthPx, heightPx } = options;
    this.svg = svgEl('svg', { viewBox: `0 0 ${widthPx} ${heightPx}`, class: 'graph', role: 'img', preserveAspectRatio: 'xMidYMid meet' });
    this.svg.append(this.titleEl, this.edgeLayer, this.nodeLayer);
    this.element = document.createElement('div');
    this.element.className = 'graph-wrap';
    this.element.append(this.svg);
    this.layout = createLayout({ widthPx, heightPx, linkDistancePx: Math.min(widthPx, heightPx) / 2.5, marginPx: options.nodeRadiusPx * 2 }, () => this.place(), () => {
      this.svg.dataset['settled'] = 'true';
    });
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
    this.describe();
    return true;
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

  protected place(): void {
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

  private describe(): void {
    const members = this.model.nodes.filter((n) => n.status !== 'departed').length;
    const suspects = this.model.nodes.filter((n) => n.status === 'suspect').length;
    const links = this.model.edges.length;
    const extra = suspects > 0 ? `, ${suspects} suspect` : '';
    const others = Math.max(0, members - 1);
    this.titleEl.textContent = `${this.options.title}: ${memberTotalText(others)} (${membersWhoText(others)}), ${links} ${links === 1 ? 'link' : 'links'}${extra}`;
  }
}
