/**
 * The wall clock moved in running tabs (a laptop that wakes up and corrects its clock, someone setting the
 * time): the node runs on `performance.now()`, so nobody is suspected or removed and heartbeats keep their rate.
 * Playwright's clock (installed before the page loads, running in real time) moves `Date` only.
 */
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, test, type StarmeshNode } from './fixtures';

const HOUR_MS = 3_600_000;
/** How long each jump is left to act: several heartbeats (2 s), cleanups (1 s) and probe rounds. */
const SETTLE_MS = 12_000;
/** How far Date may stray from the jump in SETTLE_MS; well below the smallest jump (262 s). */
const DATE_DRIFT_MS = 60_000;

interface Reading {
  date: number;
  perf: number;
  counter: number;
}

function read(node: StarmeshNode): Promise<Reading> {
  return node.page.evaluate(() => ({ date: Date.now(), perf: performance.now(), counter: window.starmesh!.stats().counter }));
}

/** Suspicions and removals a node announced (recorded from its start). */
async function verdicts(node: StarmeshNode): Promise<string[]> {
  const events = (await node.events('membership')) as Array<{ type: string; id?: string; reason?: string }>;
  return events.filter((e) => e.type === 'peer:suspect' || e.type === 'peer:remove').map((e) => `${node.index}: ${e.type} ${e.id} ${e.reason ?? ''}`);
}

test('wall-clock jumps of ±2 h and ±262 s in running tabs: no suspicion, no removal, heartbeats at the same rate', async ({ openNodes }) => {
  const nodes = await openNodes(4, {
    params: FAST_PARAMS,
    events: ['membership'],
    setup: (context) => context.clock.install(),
  });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const [forward, backward, ...steady] = nodes as [StarmeshNode, StarmeshNode, StarmeshNode, StarmeshNode];
  const rates: string[] = [];
  for (const jumpMs of [2 * HOUR_MS, -2 * HOUR_MS, 262_000, -262_000]) {
    const before = await Promise.all(nodes.map(read));
    // `forward` jumps by +jumpMs, `backward` by -jumpMs, each from its own current wall time.
    await forward.page.clock.setSystemTime(before[0]!.date + jumpMs);
    await backward.page.clock.setSystemTime(before[1]!.date - jumpMs);
    // The point is to let time pass with the jumped clocks: heartbeats, probes and cleanups run meanwhile.
    await forward.page.waitForTimeout(SETTLE_MS);
    const after = await Promise.all(nodes.map(read));
    const moved = (i: number): { date: number; perf: number; beats: number } => ({
      date: after[i]!.date - before[i]!.date,
      perf: after[i]!.perf - before[i]!.perf,
      beats: after[i]!.counter - before[i]!.counter,
    });
    // The jump moved Date in the page, and not performance.now. Within a minute, far below either jump: the
    // installed clock's Date drifts from real time on a loaded machine (8 s in 12 s measured, 2026-12-03).
    expect(Math.abs(moved(0).date - moved(0).perf - jumpMs), 'Date moved by the jump, performance.now did not').toBeLessThan(DATE_DRIFT_MS);
    expect(Math.abs(moved(1).date - moved(1).perf + jumpMs)).toBeLessThan(DATE_DRIFT_MS);
    // Heartbeats at the same rate as the untouched tabs' (within a factor of 2 either way, plus one).
    const steadyBeats = [2, 3].map((i) => moved(i).beats);
    for (const i of [0, 1]) {
      expect(moved(i).beats, `tab ${i} heartbeats after a ${jumpMs} ms jump (steady tabs: ${steadyBeats})`).toBeGreaterThanOrEqual(Math.min(...steadyBeats) / 2 - 1);
      expect(moved(i).beats).toBeLessThanOrEqual(Math.max(...steadyBeats) * 2 + 1);
    }
    rates.push(`${jumpMs} ms: ${nodes.map((_, i) => moved(i).beats).join('/')}`);
    // What the page shows stays right: every member seen within seconds, on the node's own display time.
    for (const node of [forward, backward]) {
      const ages = await node.page.evaluate(() => {
        const h = window.starmesh!;
        return h.peers().filter((p) => p.state !== 'dead').map((p) => h.wallNow() - p.lastSeenMs);
      });
      for (const age of ages) expect(age, `age shown by tab ${node.index}`).toBeLessThan(SETTLE_MS);
    }
  }
  test.info().annotations.push({ type: 'heartbeats per 12 s (jumped +, jumped −, steady, steady)', description: rates.join('; ') });
  expect((await Promise.all(nodes.map(verdicts))).flat()).toEqual([]);
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  for (const node of steady) expect(await node.page.evaluate(() => window.starmesh!.state())).toBe('connected');
});
