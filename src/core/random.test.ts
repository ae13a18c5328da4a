import { describe, expect, it } from 'vitest';
import { jitter, pickOne, randomInt, seededRng, selectRandomPeers, type Rng } from './random';

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}

describe('seededRng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expect(draws(seededRng(42), 100)).toEqual(draws(seededRng(42), 100));
    expect(draws(seededRng(42), 10)).not.toEqual(draws(seededRng(43), 10));
    // Seeds are taken modulo 2^32.
    expect(draws(seededRng(2 ** 32 + 7), 5)).toEqual(draws(seededRng(7), 5));
  });

  it('stays in [0, 1) with a plausible mean', () => {
    const values = draws(seededRng(1), 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(new Set(values).size).toBeGreaterThan(19_990);
  });
});

describe('randomInt / pickOne / jitter', () => {
  it('randomInt covers [0, n) only', () => {
    const rng = seededRng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1_000; i++) seen.add(randomInt(rng, 7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('pickOne returns undefined for an empty list and a member otherwise', () => {
    const rng = seededRng(4);
    expect(pickOne([], rng)).toBeUndefined();
    for (let i = 0; i < 50; i++) expect(['a', 'b', 'c']).toContain(pickOne(['a', 'b', 'c'], rng));
  });

  it('jitter stays within [1 - spread, 1 + spread] of the value', () => {
    const rng = seededRng(5);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < 5_000; i++) {
      const v = jitter(1_000, 0.5, rng);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(500);
    expect(max).toBeLessThanOrEqual(1_500);
    expect(min).toBeLessThan(510);
    expect(max).toBeGreaterThan(1_490);
    expect(jitter(1_000, 0, rng)).toBe(1_000);
  });
});

describe('selectRandomPeers', () => {
  const items = Array.from({ length: 10 }, (_, i) => `p${i}`);

  it('returns distinct members of the input, at most maxCount', () => {
    const rng = seededRng(9);
    for (let count = 0; count <= 12; count++) {
      const picked = selectRandomPeers(items, count, rng);
      expect(picked).toHaveLength(Math.min(count, items.length));
      expect(new Set(picked).size).toBe(picked.length);
      for (const p of picked) expect(items).toContain(p);
    }
  });

  it('handles maxCount 0, > length, negative, fractional, infinite and NaN', () => {
    const rng = seededRng(10);
    expect(selectRandomPeers(items, 0, rng)).toEqual([]);
    expect(selectRandomPeers(items, -3, rng)).toEqual([]);
    expect(selectRandomPeers(items, -Infinity, rng)).toEqual([]);
    expect(selectRandomPeers(items, 2.9, rng)).toHaveLength(2);
    expect(selectRandomPeers(items, 0.5, rng)).toHaveLength(0);
    expect([...selectRandomPeers(items, 100, rng)].sort()).toEqual([...items].sort());
    expect([...selectRandomPeers(items, Infinity, rng)].sort()).toEqual([...items].sort());
    expect(selectRandomPeers([], 5, rng)).toEqual([]);
    expect(selectRandomPeers(items, Number.NaN, rng)).toEqual([]);
  });

  it('does not mutate its input', () => {
    const input = [...items];
    const frozen = Object.freeze([...items]);
    const rng = seededRng(11);
    for (let i = 0; i < 20; i++) {
      selectRandomPeers(input, 5, rng);
      selectRandomPeers(frozen, 10, rng);
    }
    expect(input).toEqual(items);
  });

  it('is deterministic for a seed', () => {
    expect(selectRandomPeers(items, 4, seededRng(12))).toEqual(selectRandomPeers(items, 4, seededRng(12)));
  });

  it('is roughly uniform: every item, and every position, equally likely (chi-square)', () => {
    const rng = seededRng(1234);
    const n = items.length;
    const k = 3;
    const trials = 30_000;
    const counts = new Map<string, number>();
    const firstCounts = new Map<string, number>();
    for (let i = 0; i < trials; i++) {
      const picked = selectRandomPeers(items, k, rng);
      for (const p of picked) counts.set(p, (counts.get(p) ?? 0) + 1);
      const first = picked[0] as string;
      firstCounts.set(first, (firstCounts.get(first) ?? 0) + 1);
    }
    const chiSquare = (observed: Map<string, number>, expected: number): number =>
      items.reduce((sum, item) => sum + ((observed.get(item) ?? 0) - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001. A biased shuffle (e.g. always skipping the last item) fails.
    expect(chiSquare(counts, (trials * k) / n)).toBeLessThan(27.9);
    expect(chiSquare(firstCounts, trials / n)).toBeLessThan(27.9);
    // Pairs: a selection of 2 from 4 gives each of the 6 pairs with probability 1/6.
    const pairs = new Map<string, number>();
    const four = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 12_000; i++) {
      const key = selectRandomPeers(four, 2, rng).sort().join('');
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
    expect(pairs.size).toBe(6);
    let chi = 0;
    for (const c of pairs.values()) chi += (c - 2_000) ** 2 / 2_000;
    expect(chi).toBeLessThan(20.5); // 5 dof, p = 0.001
  });
});
