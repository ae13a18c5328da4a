/**
 * Identicons: a 5 × 5 mirrored pattern and a hue derived from a node ID, so the same ID always looks the same on
 * every page and widget. No dependency: FNV-1a over the ID's characters gives enough bits for 15 cells and a hue.
 */

/** The cells (row-major, 5 × 5, mirrored left-right) and the hue (0–359) of an ID's identicon. */
export interface IdenticonModel {
  hue: number;
  cells: boolean[];
}

/** Grid side in cells. */
const GRID = 5;
/** Columns that carry information; the rest mirror them. */
const HALF = Math.ceil(GRID / 2);

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Hue (0–359) for an ID; also used to colour its node in the graph. */
export function idHue(id: string): number {
  return fnv1a(`hue:${id}`) % 360;
}

/** The identicon of `id`. Deterministic; different IDs almost always differ. */
export function identiconModel(id: string): IdenticonModel {
  const bits = fnv1a(id);
  const cells: boolean[] = [];
  for (let row = 0; row < GRID; row++) {
    for (let col = 0; col < GRID; col++) {
      const source = col < HALF ? col : GRID - 1 - col;
      cells.push(((bits >>> (row * HALF + source)) & 1) === 1);
    }
  }
  return { hue: idHue(id), cells };
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An `<svg>` of `id`'s identicon, `sizePx` square, decorative (hidden from screen readers: the ID is in text). */
export function renderIdenticon(id: string, sizePx: number): SVGSVGElement {
  const { hue, cells } = identiconModel(id);
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${GRID} ${GRID}`);
  svg.setAttribute('width', String(sizePx));
  svg.setAttribute('height', String(sizePx));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'identicon');
  svg.dataset['id'] = id;
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', String(GRID));
  background.setAttribute('height', String(GRID));
  background.setAttribute('fill', `hsl(${hue} 40% 92%)`);
  svg.append(background);
  cells.forEach((on, index) => {
    if (!on) return;
    const cell = document.createElementNS(SVG_NS, 'rect');
    cell.setAttribute('x', String(index % GRID));
    cell.setAttribute('y', String(Math.floor(index / GRID)));
    cell.setAttribute('width', '1');
    cell.setAttribute('height', '1');
    cell.setAttribute('fill', `hsl(${hue} 60% 38%)`);
    svg.append(cell);
  });
  return svg;
}
