/**
 * The graph's force layout (d3-force): positions kept per node ID across updates, so a change moves only what it
 * must; self pinned to the centre; the simulation runs only after a change and stops by itself when it settles,
 * so a picture at rest never moves.
 */
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type Simulation, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3-force';
import type { Rng } from '../../src/core/random';
import type { GraphModel } from './graph-model';
import type { Layout, LayoutOptions } from './layout';

/**
 * What the layout takes from outside: a random source (where newcomers first appear, and d3's own jiggle of
 * coincident nodes) and a clock (how long an animation has run). Injected so that a test gets the same picture
 * every run; the page seeds the random source from its own ID, so a reload draws the same picture too.
 */
export interface LayoutDeps {
  rng: Rng;
  /** Monotonic milliseconds (the page passes `performance.now`). */
  nowMs: () => number;
}

/** A node as the layout holds it (d3-force writes x, y, vx, vy). */
export interface LayoutNode extends SimulationNodeDatum {
  id: string;
}

/** Energy put into the layout when members come or go: enough to make room for a newcomer, little enough to keep the rest. */
const RESTART_ALPHA = 0.6;
/**
 * Energy for a change of links only (same members). Links change all the time in a live mesh (replacements,
 * rewiring), and every page shows every link: animating each change kept every tab drawing frames most of the
 * time (measured: 16 tabs at rest on 2 cores, 78 % busy with the graph, 37 % without). So the layout takes such a
 * change in one step, with little energy, and the picture moves a little once instead of gliding.
 */
const RELINK_ALPHA = 0.15;
/** Cooling per step for such a change: ~30 steps instead of d3's ~180, which is plenty for a nudge. */
const RELINK_ALPHA_DECAY = 0.1;
/** The simulation ends (and its timer stops) below this energy. */
const ALPHA_MIN = 0.005;
/**
 * Longest time the layout animates after a change; then it finishes at once. A busy or throttled tab gets few
 * frames, and a layout still creeping after seconds is harder to read than one jump to the end.
 */
const MAX_ANIMATION_MS = 2_500;

/** Force layout over the graph's nodes; `onTick` is called after every step while it moves. */
export class GraphLayout implements Layout {
  private readonly simulation: Simulation<LayoutNode, SimulationLinkDatum<LayoutNode>>;
  private readonly nodes = new Map<string, LayoutNode>();
  private startedAtMs = 0;

  constructor(
    private readonly options: LayoutOptions,
    private readonly onTick: () => void,
    private readonly onSettled: () => void,
    private readonly deps: LayoutDeps,
  ) {
    const { widthPx, heightPx, marginPx } = options;
    this.simulation = forceSimulation<LayoutNode>()
      .randomSource(() => deps.rng.next())
      .force('charge', forceManyBody<LayoutNode>())
      .force('link', forceLink<LayoutNode, SimulationLinkDatum<LayoutNode>>().id((n) => n.id).strength(0.4))
      .force('collide', forceCollide<LayoutNode>(marginPx))
      .force('x', forceX<LayoutNode>(widthPx / 2).strength(0.04))
      .force('y', forceY<LayoutNode>(heightPx / 2).strength(0.06))
      // Stop sooner than d3's default (0.001): the last few hundred ticks only nudge nodes by fractions of a pixel.
      .alphaMin(ALPHA_MIN)
      .on('tick', () => {
        if (this.deps.nowMs() - this.startedAtMs > MAX_ANIMATION_MS) this.finishNow();
        this.clamp();
        this.onTick();
        if (this.simulation.alpha() < ALPHA_MIN) this.onSettled();
      })
      .stop();
  }

  /** Position of `id`, if laid out. */
  position(id: string): { x: number; y: number } | undefined {
    const node = this.nodes.get(id);
    return node && node.x !== undefined && node.y !== undefined ? { x: node.x, y: node.y } : undefined;
  }

  /**
   * Takes a new picture: keeps known positions, places newcomers beside a linked node, and runs until settled:
   * animated when members came or went, in one step when only links changed.
   */
  update(model: GraphModel, selfId: string): void {
    const sameMembers = model.nodes.length === this.nodes.size && model.nodes.every(({ id }) => this.nodes.has(id));
    const next = new Map<string, LayoutNode>();
    for (const { id } of model.nodes) next.set(id, this.nodes.get(id) ?? { id });
    this.nodes.clear();
    for (const [id, node] of next) this.nodes.set(id, node);
    const self = this.nodes.get(selfId);
    if (self) {
      self.fx = this.options.widthPx / 2;
      self.fy = this.options.heightPx / 2;
    }
    for (const node of this.nodes.values()) if (node.x === undefined) this.placeNewcomer(node, model);
    const links = model.edges.map((edge) => ({ source: edge.a, target: edge.b }));
    const distancePx = this.distanceFor(this.nodes.size);
    this.simulation.nodes([...this.nodes.values()]);
    this.simulation.force<ReturnType<typeof forceLink<LayoutNode, SimulationLinkDatum<LayoutNode>>>>('link')?.links(links).distance(distancePx);
    this.simulation.force<ReturnType<typeof forceManyBody<LayoutNode>>>('charge')?.strength(-distancePx * 2.5);
    if (sameMembers && this.nodes.size > 0) {
      const decay = this.simulation.alphaDecay();
      this.simulation.alpha(RELINK_ALPHA).alphaDecay(RELINK_ALPHA_DECAY);
      this.finishNow();
      this.simulation.alphaDecay(decay);
      this.clamp();
      this.onTick();
      this.onSettled();
      return;
    }
    this.startedAtMs = this.deps.nowMs();
    this.simulation.alpha(RESTART_ALPHA).restart();
  }

  /** Stops the simulation for good (the view is going away). */
  destroy(): void {
    this.simulation.stop();
    this.simulation.on('tick', null);
  }

  /** Stops the animation and runs the remaining steps at once (manual ticks dispatch no events). */
  private finishNow(): void {
    this.simulation.stop();
    while (this.simulation.alpha() >= ALPHA_MIN) this.simulation.tick();
  }

  /** Edge length for `count` nodes: long for a handful, shorter as √count grows, never below the collide radius. */
  private distanceFor(count: number): number {
    const { linkDistancePx, marginPx } = this.options;
    return Math.max(marginPx * 2.5, (linkDistancePx * 2.6) / (1.2 + 0.8 * Math.sqrt(Math.max(1, count))));
  }

  private placeNewcomer(node: LayoutNode, model: GraphModel): void {
    const edge = model.edges.find((e) => (e.a === node.id || e.b === node.id) && this.position(e.a === node.id ? e.b : e.a));
    const anchor = edge ? this.position(edge.a === node.id ? edge.b : edge.a) : undefined;
    const { widthPx, heightPx } = this.options;
    const linkDistancePx = this.distanceFor(this.nodes.size);
    // Randomness only spreads newcomers apart; where they end up is decided by the forces.
    const angle = this.deps.rng.next() * 2 * Math.PI;
    const centre = anchor ?? { x: widthPx / 2, y: heightPx / 2 };
    node.x = centre.x + Math.cos(angle) * linkDistancePx;
    node.y = centre.y + Math.sin(angle) * linkDistancePx;
  }

  private clamp(): void {
    const { widthPx, heightPx, marginPx } = this.options;
    for (const node of this.nodes.values()) {
      node.x = Math.min(widthPx - marginPx, Math.max(marginPx, node.x ?? widthPx / 2));
      node.y = Math.min(heightPx - marginPx, Math.max(marginPx, node.y ?? heightPx / 2));
    }
  }
}
