/**
 * What the graph view needs from a layout: positions by node ID, a new picture to lay out, and a way to stop.
 * The page uses the d3-force layout (graph-layout.ts); the widget's mini graph the small ring (ring-layout.ts),
 * so the widget bundle carries no force simulation.
 */
import type { GraphModel } from './graph-model';

/** Size of the drawing area and spacing, in SVG user units. */
export interface LayoutOptions {
  widthPx: number;
  heightPx: number;
  /** Preferred edge length of a small mesh; it shrinks as the mesh grows so a big one still fits. */
  linkDistancePx: number;
  /** Keeps nodes at least this far from the border. */
  marginPx: number;
}

/** A layout of the graph's nodes. */
export interface Layout {
  /** Position of `id`, if laid out. */
  position(id: string): { x: number; y: number } | undefined;
  /** Takes a new picture (members or links came or went). */
  update(model: GraphModel, selfId: string): void;
  /** Stops for good (the view is going away). */
  destroy(): void;
}

/** Makes a layout; it calls `onTick` after every step while it moves and `onSettled` once it is at rest. */
export type LayoutFactory = (options: LayoutOptions, onTick: () => void, onSettled: () => void) => Layout;
