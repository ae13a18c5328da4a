import { describe, expect, it } from 'vitest';
import { RouteWait } from './route-wait';

function harness() {
  let nowMs = 0;
  const routes = new Set<string>();
  const dialled: Array<[string, boolean]> = [];
  const givenUp: string[] = [];
  const wait = new RouteWait(
    {
      now: () => nowMs,
      ready: (peer) => routes.has(peer),
      dial: (peer, initiator) => dialled.push([peer, initiator]),
      giveUp: (peer) => givenUp.push(peer),
    },
    5_000,
  );
  return { wait, routes, dialled, givenUp, advance: (ms: number) => (nowMs += ms) };
}

describe('RouteWait', () => {
  it('dials at once when the mesh reaches the peer', () => {
    const h = harness();
    h.routes.add('a');
    h.wait.dialOrWait('a', true);
    expect(h.dialled).toEqual([['a', true]]);
    expect(h.wait.counters.dialsWaitedForRoute).toBe(0);
    expect(h.wait.nextWakeMs()).toBe(Infinity);
  });

  it('waits for a route, then dials through it with the same role', () => {
    const h = harness();
    h.wait.dialOrWait('b', false);
    h.wait.dialOrWait('b', false); // a repeat does not restart the wait
    expect(h.dialled).toEqual([]);
    expect(h.wait.nextWakeMs()).toBe(5_000);
    h.advance(1_000);
    h.wait.check();
    expect(h.dialled).toEqual([]);
    h.routes.add('b');
    h.wait.check();
    expect(h.dialled).toEqual([['b', false]]);
    expect(h.wait.counters).toEqual({ dialsWaitedForRoute: 1, dialsNoRoute: 0 });
    h.wait.check();
    expect(h.dialled).toHaveLength(1);
  });

  it('gives up when no route comes in time, and not before', () => {
    const h = harness();
    h.wait.dialOrWait('c', true);
    h.advance(4_999);
    h.wait.check();
    expect(h.givenUp).toEqual([]);
    h.advance(1);
    h.wait.check();
    expect(h.givenUp).toEqual(['c']);
    expect(h.dialled).toEqual([]);
    expect(h.wait.counters.dialsNoRoute).toBe(1);
    expect(h.wait.nextWakeMs()).toBe(Infinity);
  });

  it('forgets a cancelled or cleared wait', () => {
    const h = harness();
    h.wait.dialOrWait('d', true);
    h.wait.dialOrWait('e', true);
    h.wait.cancel('d');
    h.routes.add('d');
    h.wait.check();
    expect(h.dialled).toEqual([]);
    h.wait.clear();
    h.advance(10_000);
    h.wait.check();
    expect(h.givenUp).toEqual([]);
  });
});
