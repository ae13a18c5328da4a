/**
 * One tier of a room's members (its introducers, or its guests): a set of ids that supports O(1) add and remove,
 * O(1) access to the member that has been in the tier longest, and uniform sampling in O(count).
 */
import type { NodeId } from '../src/identity/keys';

/** A set of member ids with join order and uniform sampling. */
export interface MemberTier {
  readonly size: number;
  /** Adds `id` as the newest member (no-op if present). */
  add(id: NodeId): void;
  /** Removes `id`; false if it was not there. */
  remove(id: NodeId): boolean;
  has(id: NodeId): boolean;
  /** The member added longest ago that is still present. */
  oldest(): NodeId | undefined;
  /** The members, the one added longest ago first. */
  inOrder(): IterableIterator<NodeId>;
  /** Up to `count` distinct random ids other than `exclude`; uniform, in random order. */
  sample(count: number, exclude: NodeId, randomInt: (maxExclusive: number) => number): NodeId[];
}

/** Creates an empty tier. */
export function createMemberTier(): MemberTier {
  // A dense array plus each id's slot makes sampling O(count) and removal O(1) (swap with the last slot).
  const ids: NodeId[] = [];
  const slots = new Map<NodeId, number>();
  // Sets iterate in insertion order, and deleting from one is O(1): this is the join order.
  const order = new Set<NodeId>();

  return {
    get size() {
      return ids.length;
    },
    add(id) {
      if (slots.has(id)) return;
      slots.set(id, ids.length);
      ids.push(id);
      order.add(id);
    },
    remove(id) {
      const slot = slots.get(id);
      if (slot === undefined) return false;
      const last = ids.pop();
      if (last !== undefined && last !== id) {
        ids[slot] = last;
        slots.set(last, slot);
      }
      slots.delete(id);
      order.delete(id);
      return true;
    },
    has(id) {
      return slots.has(id);
    },
    oldest() {
      for (const id of order) return id;
      return undefined;
    },
    inOrder() {
      return order.values();
    },
    sample(count, exclude, randomInt) {
      const excludedSlot = slots.get(exclude);
      const candidates = ids.length - (excludedSlot === undefined ? 0 : 1);
      const k = Math.min(Math.max(0, Math.floor(count)), candidates);
      // Indices are over the ids without `exclude`: shift the ones at or past its slot by one.
      return sampleIndices(candidates, k, randomInt).map(
        (i) => ids[excludedSlot !== undefined && i >= excludedSlot ? i + 1 : i] ?? '',
      );
    },
  };
}

/**
 * `k` distinct uniform indices from [0, n) in uniform random order: Floyd's sampling (O(k)) followed by a
 * Fisher–Yates shuffle of the k picks, since Floyd's order is not uniform.
 */
export function sampleIndices(n: number, k: number, randomInt: (maxExclusive: number) => number): number[] {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = randomInt(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const out = [...chosen];
  for (let i = out.length - 1; i > 0; i--) {
    const r = randomInt(i + 1);
    const tmp = out[i] as number;
    out[i] = out[r] as number;
    out[r] = tmp;
  }
  return out;
}
