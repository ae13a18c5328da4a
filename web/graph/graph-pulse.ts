/**
 * Animated dots along a path of the graph (a gossip exchange or a routed message's trace). Positions are read
 * once at the start: at rest the layout does not move, and a dot is over in well under a second per hop.
 *
 * The dots are HTML elements in a layer over the `<svg>`, moved by `transform` animations with `will-change`, so
 * the compositor can run them without repainting the SVG on every frame. They still cost frames: with 16 tabs at
 * rest on a 2-core machine they were ~13 points of ~51 % busy, hence the cap below.
 */

/** Time a dot takes per hop. */
const HOP_DURATION_MS = 450;
/** Dots in flight at most; beyond that new ones are skipped (a gossip storm must not swamp the page). */
const MAX_PULSES = 12;

/** Runs dots in `layer` (an element over `svg`), looking positions up with `position`; positions and radius in SVG user units. */
export class GraphPulses {
  private inFlight = 0;

  constructor(
    private readonly layer: HTMLElement,
    private readonly svg: SVGSVGElement,
    private readonly viewBox: { widthPx: number; heightPx: number },
    private readonly position: (id: string) => { x: number; y: number } | undefined,
    private readonly radiusPx: number,
  ) {}

  /** Animates a dot along `trace`; returns false when skipped (reduced motion, too many, unknown node, one node). */
  run(trace: readonly string[], kind: string): boolean {
    if (trace.length < 2 || this.inFlight >= MAX_PULSES) return false;
    if (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches) return false;
    const box = this.placement();
    if (box === null) return false;
    const points: Array<{ x: number; y: number }> = [];
    for (const id of trace) {
      const at = this.position(id);
      if (!at) return false;
      points.push({ x: box.left + (at.x - this.radiusPx) * box.scale, y: box.top + (at.y - this.radiusPx) * box.scale });
    }
    const dot = document.createElement('span');
    dot.className = `pulse pulse-${kind.replace(/[^a-z]/g, '')}`;
    // In SVG units, like the nodes: on a phone's narrow drawing a dot shrinks with them (else it looks like one).
    dot.style.width = dot.style.height = `${(this.radiusPx * 2 * box.scale).toFixed(1)}px`;
    this.layer.append(dot);
    this.inFlight++;
    const animation = dot.animate(
      points.map((p) => ({ transform: `translate(${p.x.toFixed(1)}px, ${p.y.toFixed(1)}px)` })),
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

  /** Where the SVG's user space sits in the layer: offset and scale (viewBox is fitted, aspect kept). */
  private placement(): { left: number; top: number; scale: number } | null {
    const svgBox = this.svg.getBoundingClientRect();
    const layerBox = this.layer.getBoundingClientRect();
    if (svgBox.width === 0 || svgBox.height === 0) return null; // not shown (hidden panel, not attached)
    const scale = Math.min(svgBox.width / this.viewBox.widthPx, svgBox.height / this.viewBox.heightPx);
    return {
      left: svgBox.left - layerBox.left + (svgBox.width - this.viewBox.widthPx * scale) / 2,
      top: svgBox.top - layerBox.top + (svgBox.height - this.viewBox.heightPx * scale) / 2,
      scale,
    };
  }
}
