/**
 * Randomness is an input of the core, never a global: every decision that needs a coin flip takes an `Rng`.
 * The driver passes one backed by `crypto.getRandomValues`; tests and the simulator pass `seededRng(seed)` so that
 * the same seed always gives the same run.
 */

/** A source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/**
 * A small, fast, seeded generator (mulberry32). Not cryptographic: it drives gossip choices, where the only
 * requirement is good statistical spread and reproducibility.
 */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A uniform integer in [0, maxExclusive). */
export function randomInt(rng: Rng, maxExclusive: number): number {
  return Math.floor(rng.next() * maxExclusive);
}

/**
 * Picks up to `maxCount` distinct items uniformly at random (a partial Fisher–Yates shuffle over a copy).
 * The input is not modified. Cost: O(items) for the copy plus O(maxCount) swaps.
 */
export function selectRandomPeers<T>(peers: readonly T[], maxCount: number, rng: Rng): T[] {
  const pool = peers.slice();
  const wanted = Math.floor(maxCount);
  const count = wanted > 0 ? Math.min(wanted, pool.length) : 0; // NaN and negatives pick nothing
  for (let i = 0; i < count; i++) {
    const j = i + randomInt(rng, pool.length - i);
    const picked = pool[j] as T;
    pool[j] = pool[i] as T;
    pool[i] = picked;
  }
  pool.length = count;
  return pool;
}

/** A random element of a non-empty array, or undefined for an empty one. */
export function pickOne<T>(items: readonly T[], rng: Rng): T | undefined {
  return items.length === 0 ? undefined : items[randomInt(rng, items.length)];
}

/** Scales `valueMs` by a random factor in [1 - spread, 1 + spread] so that many nodes do not act in lockstep. */
export function jitter(valueMs: number, spread: number, rng: Rng): number {
  return valueMs * (1 - spread + 2 * spread * rng.next());
}
