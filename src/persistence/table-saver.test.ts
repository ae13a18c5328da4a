import { describe, expect, it } from 'vitest';
import { createTableSaver } from './table-saver';
import type { TableSnapshot } from './table-store';
import type { Store } from './types';

const NOW_MS = 1_700_000_000_000;

function snapshot(counter = 42): TableSnapshot {
  return { savedAtMs: NOW_MS, self: { counter }, peers: [] };
}

/** A store that records every write and can be told to fail. */
function recordingStore(): Store & { writes: unknown[]; failWrites: boolean } {
  const data = new Map<string, unknown>();
  const store = {
    writes: [] as unknown[],
    failWrites: false,
    get: async (key: string) => data.get(key),
    set: async (key: string, value: unknown) => {
      if (store.failWrites) throw new Error('disk on fire');
      store.writes.push(value);
      data.set(key, value);
    },
    update: async () => undefined,
    del: async (key: string) => void data.delete(key),
    keys: async () => [...data.keys()],
  };
  return store;
}

/** A virtual clock with timers that fire only when advanced. */
function fakeClock() {
  let nowMs = 0;
  let nextId = 0;
  const timers = new Map<number, { dueMs: number; fn: () => void }>();
  return {
    now: () => nowMs,
    setTimer: (fn: () => void, delayMs: number): unknown => {
      timers.set(++nextId, { dueMs: nowMs + delayMs, fn });
      return nextId;
    },
    clearTimer: (handle: unknown) => void timers.delete(handle as number),
    pendingTimers: () => timers.size,
    advance(ms: number): void {
      const endMs = nowMs + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.dueMs <= endMs).sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
        if (!due) break;
        timers.delete(due[0]);
        nowMs = due[1].dueMs;
        due[1].fn();
      }
      nowMs = endMs;
    },
  };
}

describe('createTableSaver', () => {
  function setup(overrides: { debounceMs?: number; maxDelayMs?: number } = {}) {
    const clock = fakeClock();
    const store = recordingStore();
    const errors: unknown[] = [];
    const saver = createTableSaver({
      store, key: 'k', now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer,
      onError: (error) => errors.push(error), ...overrides,
    });
    return { clock, store, saver, errors };
  }

  it('coalesces 100 schedule() calls into one write of the latest snapshot', async () => {
    const { clock, store, saver } = setup({ debounceMs: 2000 });
    let built = 0;
    for (let i = 0; i < 100; i++) {
      saver.schedule(() => (built++, snapshot(i)));
      clock.advance(10);
    }
    expect(store.writes).toHaveLength(0);
    clock.advance(1999);
    await saver.flush(); // waits for any write in flight; nothing left to write
    expect(store.writes).toHaveLength(1);
    expect(store.writes[0]).toMatchObject({ v: 1, self: { counter: 99 } });
    expect(built).toBe(1);
    clock.advance(60_000);
    expect(await saver.flush()).toEqual({ ok: true, wrote: false });
    expect(store.writes).toHaveLength(1);
  });

  it('writes no later than maxDelayMs under constant change', async () => {
    const { clock, store, saver } = setup({ debounceMs: 2000, maxDelayMs: 10_000 });
    for (let t = 0; t < 25_000; t += 1000) {
      saver.schedule(() => snapshot(t));
      clock.advance(1000);
      await Promise.resolve();
    }
    saver.dispose();
    await saver.flush();
    expect(store.writes).toHaveLength(2);
  });

  it('flush() writes immediately and cancels the pending timer', async () => {
    const { clock, store, saver } = setup();
    saver.schedule(() => snapshot(1));
    expect(await saver.flush()).toEqual({ ok: true, wrote: true });
    expect(store.writes).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(60_000);
    await saver.flush();
    expect(store.writes).toHaveLength(1);
  });

  it('reports failures instead of throwing', async () => {
    const { clock, store, saver, errors } = setup();
    store.failWrites = true;
    saver.schedule(() => snapshot());
    clock.advance(2000);
    await saver.flush();
    expect(errors).toMatchObject([{ code: 'write-failed' }]);
    saver.schedule(() => {
      throw new Error('core broke');
    });
    const result = await saver.flush();
    expect(result.ok === false && result.error.code).toBe('snapshot-failed');
  });

  it('never runs two writes at once and ignores schedule() after dispose()', async () => {
    const clock = fakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const releases: Array<() => void> = [];
    const store: Store = {
      ...recordingStore(),
      set: () => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        return new Promise<void>((resolve) => releases.push(() => (inFlight--, resolve())));
      },
    };
    const saver = createTableSaver({ store, key: 'k', now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer });
    saver.schedule(() => snapshot());
    const first = saver.flush();
    await expect.poll(() => releases.length).toBe(1);
    saver.schedule(() => snapshot(2));
    const second = saver.flush();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(releases).toHaveLength(1);
    releases.shift()?.();
    await first;
    await expect.poll(() => releases.length).toBe(1);
    releases.shift()?.();
    expect(await second).toEqual({ ok: true, wrote: true });
    expect(maxInFlight).toBe(1);

    saver.dispose();
    saver.schedule(() => snapshot());
    clock.advance(60_000);
    expect(await saver.flush()).toEqual({ ok: true, wrote: false });
  });
});

describe('createTableSaver defaults and page hide', () => {
  it('writes a change within 1 s by default, even under constant change', async () => {
    const clock = fakeClock();
    const store = recordingStore();
    const saver = createTableSaver({ store, key: 'k', now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer });
    saver.schedule(() => snapshot(1));
    for (let t = 0; t < 1_000; t += 100) {
      clock.advance(100);
      saver.schedule(() => snapshot(2));
    }
    await Promise.resolve();
    expect(store.writes.length).toBeGreaterThanOrEqual(1);
  });

  it('flushNow() calls the store synchronously, even with a write in flight, and reports the outcome', async () => {
    const clock = fakeClock();
    const calls: number[] = [];
    const releases: Array<() => void> = [];
    const store: Store = {
      ...recordingStore(),
      set: (_key, value) => {
        calls.push((value as { self: { counter: number } }).self.counter);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    };
    const written: number[] = [];
    const saver = createTableSaver({ store, key: 'k', now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer, onWritten: () => written.push(1) });
    saver.schedule(() => snapshot(1));
    void saver.flush();
    await expect.poll(() => calls.length).toBe(1);
    saver.schedule(() => snapshot(2));
    saver.flushNow();
    expect(calls).toEqual([1, 2]); // started at once, not queued behind the first
    for (const release of releases) release();
    await expect.poll(() => written.length).toBe(2);
  });
});
