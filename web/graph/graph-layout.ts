/**
 * The page's graph layout. A small mesh (up to `CIRCLE_MAX_MEMBERS`) is drawn on a circle, in the order with the
 * fewest crossing links (circle-layout.ts): a triangle as a triangle, and no link behind a node. A bigger one gets
 * a force layout (d3-force) that also pushes nodes off links they do not end at. Either way positions are kept per
 * node ID across updates, the simulation runs only after a change (moving nodes towards the circle, or letting the
 * forces settle) and stops by itself, so a picture at rest never moves.
 */
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type Simulation, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3-force';
import type { Rng } from '../../src/core/random';
import { circleOrder, circlePositions, CIRCLE_MAX_MEMBERS } from './circle-layout';
import type { GraphModel } from './graph-model';
import type { Layout, LayoutOptions } from './layout';
import { forceLinkClearance, repairLinkClearance } from './link-clearance-force';

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

/** Strength of the pull towards a member's place on the circle (per step, times the simulation's energy). */
const CIRCLE_PULL = 0.3;
/** Links avoid nodes by this many node margins (the margin is twice the drawn radius) in the force layout. */
const LINK_CLEARANCE_MARGINS = 0.9;

type LinkForce = ReturnType<typeof forceLink<LayoutNode, SimulationLinkDatum<LayoutNode>>>;

/** The graph's layout; `onTick` is called after every step while it moves, `onSettled` once it is at rest. */
export class GraphLayout implements Layout {
  private readonly simulation: Simulation<LayoutNode, SimulationLinkDatum<LayoutNode>>;
  private readonly nodes = new Map<string, LayoutNode>();
  private startedAtMs = 0;
  /** Members in circle order (self first) while the mesh is drawn on a circle; empty for the force layout. */
  private order: string[] = [];
  /** Where each member goes on the circle (circle mode only). */
  private targets = new Map<string, { x: number; y: number }>();
  /** The links of the force layout (force mode only), for the repair pass once it settles. */
  private links: Array<{ a: string; b: string }> = [];

  constructor(
    private readonly options: LayoutOptions,
    private readonly onTick: () => void,
    private readonly onSettled: () => void,
    private readonly deps: LayoutDeps,
  ) {
    this.simulation = forceSimulation<LayoutNode>()
      .randomSource(() => deps.rng.next())
      // Stop sooner than d3's default (0.001): the last few hundred ticks only nudge nodes by fractions of a pixel.
      .alphaMin(ALPHA_MIN)
      .on('tick', () => {
        if (this.deps.nowMs() - this.startedAtMs > MAX_ANIMATION_MS) this.finishNow();
        const settled = this.simulation.alpha() < ALPHA_MIN;
        if (settled) this.finishPlaces();
        else this.clamp();
        this.onTick();
        if (settled) this.onSettled();
      })
      .stop();
  }

  /** Position of `id`, if laid out. */
  position(id: string): { x: number; y: number } | undefined {
    const node = this.nodes.get(id);
    return node && node.x !== undefined && node.y !== undefined ? { x: node.x, y: node.y } : undefined;
  }

  /**
   * Takes a new picture: keeps known positions, places newcomers (on their place of the circle, or beside a linked
   * node), and runs until settled: animated when members came or went, in one step when only links changed.
   */
  update(model: GraphModel, selfId: string): void {
    const sameMembers = model.nodes.length === this.nodes.size && model.nodes.every(({ id }) => this.nodes.has(id));
    const next = new Map<string, LayoutNode>();
    for (const { id } of model.nodes) next.set(id, this.nodes.get(id) ?? { id });
    this.nodes.clear();
    for (const [id, node] of next) this.nodes.set(id, node);
    if (this.nodes.size <= CIRCLE_MAX_MEMBERS) this.useCircle(model, selfId);
    else this.useForces(model);
    if (sameMembers && this.nodes.size > 0) {
      const decay = this.simulation.alphaDecay();
      this.simulation.alpha(RELINK_ALPHA).alphaDecay(RELINK_ALPHA_DECAY);
      this.finishNow();
      this.simulation.alphaDecay(decay);
      this.finishPlaces();
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

  /** Circle mode: each member is pulled to its place on the circle, and put exactly there once settled. */
  private useCircle(model: GraphModel, selfId: string): void {
    this.links = [];
    this.order = circleOrder([...this.nodes.keys()], model.edges, selfId, this.order);
    this.targets = circlePositions(this.order, this.options);
    const target = (node: LayoutNode): { x: number; y: number } => this.targets.get(node.id) ?? { x: this.options.widthPx / 2, y: this.options.heightPx / 2 };
    for (const node of this.nodes.values()) {
      node.fx = node.fy = null;
      if (node.x === undefined) Object.assign(node, target(node));
    }
    this.simulation
      .nodes([...this.nodes.values()])
      .force('charge', null)
      .force('link', null)
      .force('collide', null)
      .force('clearance', null)
      .force('x', forceX<LayoutNode>((node) => target(node).x).strength(CIRCLE_PULL))
      .force('y', forceY<LayoutNode>((node) => target(node).y).strength(CIRCLE_PULL));
  }

  /** Force mode: charge, links, collision and a gentle pull to the centre; nodes kept off links they do not end at. */
  private useForces(model: GraphModel): void {
    this.order = [];
    this.targets.clear();
    this.links = model.edges;
    const { widthPx, heightPx, marginPx } = this.options;
    for (const node of this.nodes.values()) {
      node.fx = node.fy = null;
      if (node.x === undefined) this.placeNewcomer(node, model);
    }
    const links = model.edges.map((edge) => ({ source: edge.a, target: edge.b }));
    const distancePx = this.distanceFor(this.nodes.size);
    const linkForce: LinkForce = forceLink<LayoutNode, SimulationLinkDatum<LayoutNode>>().id((n) => n.id).strength(0.4).distance(distancePx);
    this.simulation
      .nodes([...this.nodes.values()])
      .force('charge', forceManyBody<LayoutNode>().strength(-distancePx * 2.5))
      .force('link', linkForce.links(links))
      .force('collide', forceCollide<LayoutNode>(marginPx))
      .force('clearance', forceLinkClearance<LayoutNode>(marginPx * LINK_CLEARANCE_MARGINS).links(linkForce.links()))
      .force('x', forceX<LayoutNode>(widthPx / 2).strength(0.04))
      .force('y', forceY<LayoutNode>(heightPx / 2).strength(0.06));
  }

  /** Stops the animation and runs the remaining steps at once (manual ticks dispatch no events). */
  private finishNow(): void {
    this.simulation.stop();
    while (this.simulation.alpha() >= ALPHA_MIN) this.simulation.tick();
  }

  /**
   * Once settled: in circle mode every member goes exactly on its place (the pull only gets close); in force mode
   * nodes still too near a link they do not end at are moved off it (the clearance force only pushes).
   */
  private finishPlaces(): void {
    for (const [id, at] of this.targets) {
      const node = this.nodes.get(id);
      if (node) Object.assign(node, { x: at.x, y: at.y, vx: 0, vy: 0 });
    }
    this.clamp();
    if (this.links.length > 0) {
      repairLinkClearance(this.nodes, this.links, this.options.marginPx * LINK_CLEARANCE_MARGINS, () => this.clamp());
    }
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
