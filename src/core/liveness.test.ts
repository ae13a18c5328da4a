import { describe, expect, it } from 'vitest';
import { Liveness } from './liveness';
import { resolveOptions } from './options';

const T0 = 50_000;
const options = resolveOptions({ pingIntervalMs: 20_000, pingTimeoutMs: 2_000, pingAttempts: 4 });

describe('Liveness', () => {
  it('starts a probe after the first delay and then every pingIntervalMs', () => {
    const l = new Liveness(options);
    expect(l.nextDeadlineMs()).toBe(Infinity);
    l.add('a', T0, 5_000);
    expect(l.nextDeadlineMs()).toBe(T0 + 5_000);
    expect(l.due(T0 + 4_999)).toEqual({ pings: [], failed: [] });
    const first = l.due(T0 + 5_000);
    expect(first.pings).toHaveLength(1);
    expect(first.pings[0]?.peer).toBe('a');
    expect(first.failed).toEqual([]);
    // Waiting on the answer now.
    expect(l.nextDeadlineMs()).toBe(T0 + 7_000);
    expect(l.heardFrom('a', T0 + 6_000)).toBe(true);
    expect(l.nextDeadlineMs()).toBe(T0 + 25_000);
    expect(l.due(T0 + 24_999).pings).toEqual([]);
    const second = l.due(T0 + 25_000);
    expect(second.pings).toHaveLength(1);
    expect(second.pings[0]?.nonce).not.toBe(first.pings[0]?.nonce);
  });

  it('retries with the same nonce and fails after pingAttempts silent timeouts', () => {
    const l = new Liveness(options);
    l.add('a', T0, 0);
    const start = l.due(T0);
    const nonce = start.pings[0]?.nonce;
    expect(nonce).toBeDefined();
    const sent = [start.pings.length];
    for (let attempt = 1; attempt < 4; attempt++) {
      expect(l.due(T0 + attempt * 2_000 - 1)).toEqual({ pings: [], failed: [] });
      const retry = l.due(T0 + attempt * 2_000);
      expect(retry).toEqual({ pings: [{ peer: 'a', nonce }], failed: [] });
      sent.push(retry.pings.length);
    }
    expect(sent.reduce((a, b) => a + b, 0)).toBe(4);
    expect(l.due(T0 + 8_000 - 1)).toEqual({ pings: [], failed: [] });
    expect(l.due(T0 + 8_000)).toEqual({ pings: [], failed: ['a'] });
    // Failed once: not reported again, and the next probe comes at the normal interval.
    expect(l.due(T0 + 10_000)).toEqual({ pings: [], failed: [] });
    expect(l.nextDeadlineMs()).toBe(T0 + 20_000);
    expect(l.due(T0 + 20_000).pings).toHaveLength(1);
  });

  it('succeeds on any message after the probe began, not on one from before', () => {
    const l = new Liveness(options);
    l.add('a', T0, 1_000);
    expect(l.heardFrom('a', T0 + 500)).toBe(false); // no probe open
    l.due(T0 + 1_000);
    expect(l.heardFrom('a', T0 + 999)).toBe(false); // older than the probe (late delivery)
    l.due(T0 + 3_000); // retry
    expect(l.heardFrom('a', T0 + 4_500)).toBe(true);
    expect(l.heardFrom('a', T0 + 4_600)).toBe(false); // already completed
    expect(l.due(T0 + 9_000)).toEqual({ pings: [], failed: [] });
  });

  it('remove stops probing; add again restarts cleanly', () => {
    const l = new Liveness(options);
    l.add('a', T0, 0);
    l.add('b', T0, 0);
    expect(l.due(T0).pings.map((p) => p.peer).sort()).toEqual(['a', 'b']);
    l.remove('a');
    const pinged: string[] = [];
    const failed: string[] = [];
    for (let t = T0 + 2_000; t <= T0 + 8_000; t += 2_000) {
      const actions = l.due(t);
      pinged.push(...actions.pings.map((p) => p.peer));
      failed.push(...actions.failed);
    }
    expect(pinged).toEqual(['b', 'b', 'b']);
    expect(failed).toEqual(['b']);
    expect(l.heardFrom('a', T0 + 1)).toBe(false);
    l.remove('b');
    expect(l.nextDeadlineMs()).toBe(Infinity);
    expect(l.due(T0 + 1e9)).toEqual({ pings: [], failed: [] });
    l.add('a', T0 + 1e9, 10);
    expect(l.due(T0 + 1e9 + 10).pings.map((p) => p.peer)).toEqual(['a']);
  });

  it('honours pingAttempts = 1 (fail after one timeout)', () => {
    const l = new Liveness(resolveOptions({ pingAttempts: 1, pingTimeoutMs: 500 }));
    l.add('a', 0, 0);
    expect(l.due(0).pings).toHaveLength(1);
    expect(l.due(500)).toEqual({ pings: [], failed: ['a'] });
  });
});
