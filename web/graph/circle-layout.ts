/**
 * How the page draws a small mesh: every member on one circle, links as chords. A chord never passes through a
 * third point of the circle, so with the members spread evenly no link runs behind a node it does not end at, and
 * the shape is the mesh's own: a triangle for three, a square with its diagonals for a 4-clique. Pure: the same
 * members, links and previous order always give the same picture.
 */
import type { GraphEdge } from './graph-model';
import type { LayoutOptions } from './layout';

/**
 * Largest mesh drawn on a circle; bigger ones get the force layout. With n members evenly spaced on a circle of
 * radius R, a chord passes no nearer than 2R·sin²(π/n) to a third member (a chord over two steps, from the member
 * between): 52 px at 8 members and 13.7 px at 16 for the page's R = 180, both clear of a node's 9 px and stroke.
 */
export const CIRCLE_MAX_MEMBERS = 16;
/** Up to here the order is searched exhaustively (7! = 5 040 orders at 8); above, improved by local moves. */
export const EXACT_ORDER_MAX_MEMBERS = 8;
/** Rounds of local moves at most (each tries every member at every position). */
const MAX_IMPROVEMENT_ROUNDS = 8;

/** Room under the lowest node for its label (the page writes the short ID below each node). */
const LABEL_ROOM_PX = 12;

/** What an order costs, compared in this order: crossings, then moves against the previous order, then chord length. */
type Cost = [crossings: number, inversions: number, span: number];

/** Lexicographic `a < b`. */
function less(a: Cost, b: Cost): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/**
 * The order of `ids` around the circle, `selfId` first (at the top), the rest clockwise: the order with the fewest
 * crossing links; among those, the one that moves the fewest members against `previous` (so a picture is not
 * reshuffled unless that removes a crossing); then the one with the shortest chords; then the first found trying
 * members in their previous order, newcomers after them in ID order.
 *
 * Exhaustive, by branch and bound: members are placed one position after another, and each part of the cost only
 * grows as more are placed, so a partial order whose lower bound is no better than the best full one is
 * abandoned. Placing a member at position k (after every member placed so far) fixes exactly its crossings with
 * the links already drawn: its link to the member at p crosses a drawn link a–b (a < b < k) when p lies strictly
 * between a and b. Bounds: any four members linked all to all cross exactly once in every order (of the three ways
 * to pair them, the one pairing opposite corners crosses), and a link not yet drawn spans at least one step.
 */
export function circleOrder(ids: readonly string[], edges: readonly GraphEdge[], selfId: string, previous: readonly string[] = []): string[] {
  const members = orderToTry(ids, selfId, previous);
  const n = members.length;
  if (n <= 2) return members;
  // The search is exponential (and its sets are bit masks): beyond its size, local moves instead.
  if (n > EXACT_ORDER_MAX_MEMBERS) return improveOrder(members, edges);
  const index = new Map(members.map((id, i) => [id, i]));
  const linked = new Uint8Array(n * n);
  let links = 0;
  for (const { a, b } of edges) {
    const [i, j] = [index.get(a), index.get(b)];
    if (i === undefined || j === undefined || i === j || linked[i * n + j]) continue;
    linked[i * n + j] = linked[j * n + i] = 1;
    links++;
  }
  const cliques = fourCliques(linked, n);
  const rank = Int32Array.from(members, (id) => previous.indexOf(id));
  const floor: Cost = [cliques.total, 0, spanFloor(linked, n)];
  // The search's state, kept in flat arrays: it may visit ~14 000 partial orders at 8 members.
  const order = new Int32Array(n);
  const used = new Uint8Array(n);
  used[0] = 1;
  const drawnFrom = new Int32Array(links);
  const drawnTo = new Int32Array(links);
  let drawn = 0;
  let best: Cost | undefined;
  let bestOrder = Array.from(order);
  const place = (k: number, placedMask: number, crossings: number, completedCliques: number, inversions: number, span: number): void => {
    if (best && !less([crossings + cliques.total - completedCliques, inversions, span + links - drawn], best)) return;
    if (k === n) {
      best = [crossings, inversions, span];
      bestOrder = Array.from(order);
      return;
    }
    for (let member = 1; member < n && !(best && !less(floor, best)); member++) {
      if (used[member]) continue;
      let [c, inv, sp, done] = [crossings, inversions, span, completedCliques];
      const drawnBefore = drawn;
      for (let p = 0; p < k; p++) {
        if (!linked[member * n + (order[p] ?? 0)]) continue;
        for (let l = 0; l < drawnBefore; l++) if ((drawnFrom[l] ?? 0) < p && p < (drawnTo[l] ?? 0)) c++;
        sp += Math.min(k - p, n - (k - p));
        drawnFrom[drawn] = p;
        drawnTo[drawn++] = k;
      }
      for (const others of cliques.of[member] ?? []) if ((others & placedMask) === others) done++;
      const r = rank[member] ?? -1;
      if (r >= 0) for (let p = 0; p < k; p++) if ((rank[order[p] ?? 0] ?? -1) > r) inv++;
      used[member] = 1;
      order[k] = member;
      place(k + 1, placedMask | (1 << member), c, done, inv, sp);
      used[member] = 0;
      drawn = drawnBefore;
    }
  };
  place(1, 1, 0, 0, 0, 0);
  return bestOrder.map((member) => members[member] ?? '');
}

/**
 * For a bigger circle: starting from `start` (self first, the previous order, newcomers after), moves one member
 * at a time to the position that lowers [crossings, chord length], round after round until no move helps. Self
 * stays first. Deterministic, and a picture that was good stays as it is.
 */
function improveOrder(start: readonly string[], edges: readonly GraphEdge[]): string[] {
  const n = start.length;
  const index = new Map(start.map((id, i) => [id, i]));
  const ends = edges.flatMap(({ a, b }) => {
    const [i, j] = [index.get(a), index.get(b)];
    return i === undefined || j === undefined || i === j ? [] : [i, j];
  });
  const order = Int32Array.from(start, (_, i) => i);
  const candidate = new Int32Array(n);
  const position = new Int32Array(n);
  let cost = orderCost(order, ends, position);
  for (let round = 0; round < MAX_IMPROVEMENT_ROUNDS; round++) {
    let improved = false;
    for (let member = 1; member < n; member++) {
      for (let at = 1; at < n; at++) {
        // `order` without `member`, with `member` put back at position `at`.
        let from = 0;
        for (let to = 0; to < n; to++) {
          if (to === at) {
            candidate[to] = member;
            continue;
          }
          if (order[from] === member) from++;
          candidate[to] = order[from++] ?? 0;
        }
        const candidateCost = orderCost(candidate, ends, position);
        if (!less(candidateCost, cost)) continue;
        order.set(candidate);
        [cost, improved] = [candidateCost, true];
      }
    }
    if (!improved) break;
  }
  return Array.from(order, (member) => start[member] ?? '');
}

/**
 * [crossings, 0, chord length] of `order` (member indices by position), its links given as pairs of member indices
 * in `ends`; `position` is scratch space. The middle place is the exact search's count of moves.
 */
function orderCost(order: Int32Array, ends: readonly number[], position: Int32Array): Cost {
  const n = order.length;
  order.forEach((member, at) => (position[member] = at));
  let [crossings, span] = [0, 0];
  for (let x = 0; x < ends.length; x += 2) {
    let [a, b] = [position[ends[x] ?? 0] ?? 0, position[ends[x + 1] ?? 0] ?? 0];
    if (a > b) [a, b] = [b, a];
    span += Math.min(b - a, n - (b - a));
    for (let y = x + 2; y < ends.length; y += 2) {
      const [c, d] = [position[ends[y] ?? 0] ?? 0, position[ends[y + 1] ?? 0] ?? 0];
      // Two chords cross when exactly one end of the second lies strictly between the ends of the first.
      if (c !== a && c !== b && d !== a && d !== b && (a < c && c < b) !== (a < d && d < b)) crossings++;
    }
  }
  return [crossings, 0, span];
}

/** Self first, then the members of `previous` in their order, then newcomers in ID order. */
function orderToTry(ids: readonly string[], selfId: string, previous: readonly string[]): string[] {
  const sorted = [...new Set(ids)].sort();
  const first = sorted.includes(selfId) ? selfId : sorted[0];
  if (first === undefined) return [];
  const kept = previous.filter((id) => id !== first && sorted.includes(id));
  return [first, ...new Set([...kept, ...sorted.filter((id) => id !== first)])];
}

/** Every four members linked all to all: how many, and for each member the other three of each (as bit masks). */
function fourCliques(linked: Uint8Array, n: number): { total: number; of: number[][] } {
  const of: number[][] = Array.from({ length: n }, () => []);
  let total = 0;
  const is = (i: number, j: number): boolean => linked[i * n + j] === 1;
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++)
      for (let c = b + 1; c < n && is(a, b); c++)
        for (let d = c + 1; d < n && is(a, c) && is(b, c); d++) {
          if (!is(a, d) || !is(b, d) || !is(c, d)) continue;
          total++;
          const quad = [a, b, c, d];
          const all = quad.reduce((mask, m) => mask | (1 << m), 0);
          for (const m of quad) of[m]?.push(all & ~(1 << m));
        }
  return { total, of };
}

/**
 * Least total chord length any order can have: a member's links take at best the nearest free positions, two at
 * each distance 1, 2, 3… (one at n/2 when n is even); each link counted from both ends, so halved and rounded up.
 */
function spanFloor(linked: Uint8Array, n: number): number {
  let twice = 0;
  for (let member = 0; member < n; member++) {
    let degree = 0;
    for (let other = 0; other < n; other++) degree += linked[member * n + other] ?? 0;
    for (let i = 0; i < degree; i++) twice += Math.floor(i / 2) + 1;
  }
  return Math.ceil(twice / 2);
}

/**
 * Positions for `order` on a circle filling the drawing area: the first at the top and the others clockwise at
 * equal angles (two members side by side, a lone member in the centre).
 */
export function circlePositions(order: readonly string[], options: LayoutOptions): Map<string, { x: number; y: number }> {
  const { widthPx, heightPx, marginPx } = options;
  const centre = { x: widthPx / 2, y: heightPx / 2 };
  const positions = new Map<string, { x: number; y: number }>();
  if (order.length === 1) positions.set(order[0] ?? '', centre);
  if (order.length <= 1) return positions;
  const radius = Math.max(0, Math.min(widthPx, heightPx) / 2 - marginPx - LABEL_ROOM_PX);
  // Two members read best as a level link; from three on the first sits at the top.
  const startAngle = order.length === 2 ? Math.PI : -Math.PI / 2;
  order.forEach((id, i) => {
    const angle = startAngle + (2 * Math.PI * i) / order.length;
    positions.set(id, { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) });
  });
  return positions;
}
