import { randomInt, type Rng } from '../src/core/random';

/**
 * Rounds until one rumour reaches all `n` nodes with plain push-pull on a complete graph, in synchronous rounds:
 * every node calls one uniformly random other node; an informed caller pushes, an informed callee answers the
 * pull. This is the textbook process (Karp et al. 2000); the bench runs it to check the simulator's random
 * source and round accounting against the known figures (p99 8 / 10 / 13 at n = 100 / 1 000 / 10 000).
 */
export function pushPullRumourRounds(n: number, rng: Rng): number {
  let informed = new Uint8Array(n);
  informed[randomInt(rng, n)] = 1;
  let count = 1;
  let rounds = 0;
  while (count < n) {
    rounds++;
    const next = informed.slice();
    for (let caller = 0; caller < n; caller++) {
      let callee = randomInt(rng, n - 1);
      if (callee >= caller) callee++;
      if (informed[caller] === 1 && next[callee] === 0) {
        next[callee] = 1;
        count++;
      } else if (informed[callee] === 1 && next[caller] === 0) {
        next[caller] = 1;
        count++;
      }
    }
    informed = next;
  }
  return rounds;
}
