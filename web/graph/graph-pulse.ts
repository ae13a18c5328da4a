/**
 * Animated dots along a path of the graph (a gossip exchange or a routed message's trace). Positions are read
 * once at the start: at rest the layout does not move, and a dot is over in well under a second per hop.
 */

/** Time a dot takes per hop. */
const HOP_DURATION_MS = 450;
/** Dots in flight at most; beyond that new ones are skipped (a gossip storm must not swamp the page). */
const MAX_PULSES = 24;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Runs dots in `layer`, looking positions up with `position`. */
export class GraphPulses {
  private inFlight = 0;

  constructor(
    private readonly layer: SVGGElement,
    private readonly position: (id: string) => { x: number; y: number } | undefined,
    private readonly radiusPx: number,
  ) {}

  /** Animates a dot along `trace`; returns false when skipped (reduced motion, too many, unknown node, one node). */
  run(trace: readonly string[], kind: string): boolean {
    if (trace.length < 2 || this.inFlight >= MAX_PULSES) return false;
    if (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches) return false;
    const points: Array<{ x: number; y: number }> = [];
    for (const id of trace) {
      const at = this.position(id);
      if (!at) return false;
      points.push(at);
    }
    const dot = document.createElementNS(SVG_NS, 'circle');
    dot.setAttribute('r', String(this.radiusPx));
    dot.setAttribute('class', `pulse pulse-${kind.replace(/[^a-z]/g, '')}`);
    this.layer.append(dot);
    this.inFlight++;
    const animation = dot.animate(
      points.map((p) => ({ transform: `translate(${p.x}px, ${p.y}px)` })),
      { duration: HOP_DURATION_MS * (points.length - 1), easing: 'linear' },
    );
    const done = (): void => {
      this.inFlight--;
      dot.remove();
    };
    animation.onfinish = done;
    animation.oncancel = done;
    return true;
  }
}
