/**
 * Sleep, freeze and hidden tabs. A frozen page runs no code at all; when it resumes, its node finds its timers far
 * behind (local health), re-probes and pulls before it judges anyone. Frozen for less than the others need to
 * remove it, nobody is removed; frozen until the others removed it (rightly: it did not answer), it refutes and
 * rejoins with its own ID, having removed nobody itself.
 *
 * How the page is frozen: CDP `Page.setWebLifecycleState('frozen')` does nothing in headless Chromium here
 * (measured: a 100 ms timer in the page kept beating through 25 s of "frozen", no `visibilitychange`; Chromium
 * freezes only pages that are hidden, and headless ones never are), and a CDP `Debugger.pause` was seen to leave
 * the page's timers beating in whole-suite runs. So the tab's renderer process is stopped with SIGSTOP and resumed
 * with SIGCONT (e2e/renderer-process.ts): nothing of that tab runs in between, its WebRTC stack included, as in a
 * suspended laptop. That the stopped process is the tab's is proven twice: while it is stopped the tab is silent
 * and every other tab answers, and afterwards the tab's own 100 ms beats show a gap of about the time held.
 *
 * Headless Chromium reports every page as visible and does not throttle its timers (measured: neither a second
 * tab brought to front, a minimised window nor a background target changes `visibilityState`), so the hidden tab
 * is emulated in the page: `visibilityState` reads 'hidden', `visibilitychange` fires, and every timer is aligned
 * to the next whole 1 s and then 10 s (Chrome's hidden-tab alignment, and a compressed stand-in for its
 * once-a-minute intensive throttling), while incoming messages are handled at once, as in Chrome.
 */
import type { Page } from '@playwright/test';
import { stopRenderer } from './renderer-process';
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, SUSPICION_MS, test, type OpenNodesOptions, type StarmeshNode } from './fixtures';

type OpenNodes = (n: number, options?: OpenNodesOptions) => Promise<StarmeshNode[]>;

/** Below a probe's silence (4 × pingTimeoutMs = 4 s) before anyone even suspects, let alone removes (+ 6 s). */
const SHORT_FREEZE_MS = 3_000;

type Verdict = { type: string; id?: string; reason?: string };

async function verdictsOf(node: StarmeshNode, about?: string): Promise<string[]> {
  const events = (await node.events('membership')) as Verdict[];
  return events
    .filter((e) => (e.type === 'peer:suspect' || e.type === 'peer:remove') && (about === undefined || e.id === about))
    .map((e) => `${e.type} ${e.id} ${e.reason ?? ''}`.trim());
}

/** Starts a 100 ms heartbeat inside the page (performance.now stamps), to prove later that its code stopped. */
async function startBeats(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __beats: number[] };
    w.__beats = [];
    setInterval(() => {
      w.__beats.push(performance.now());
      if (w.__beats.length > 2_000) w.__beats.shift();
    }, 100);
  });
}

/**
 * The longest gap between the page's own beats since `fromMs` (its `performance.now()`), the last beat before
 * included: a stop shows here, and a gap from before the stop cannot stand in for it.
 */
function longestGapMs(page: Page, fromMs: number): Promise<number> {
  return page.evaluate((from) => {
    const beats = (window as unknown as { __beats: number[] }).__beats;
    let gap = 0;
    for (let i = 1; i < beats.length; i++) if (beats[i]! > from) gap = Math.max(gap, beats[i]! - beats[i - 1]!);
    return gap;
  }, fromMs);
}

/** Four tabs, all alive everywhere; the first one beats every 100 ms to show later whether its code ran. */
async function meshWithBeats(openNodes: OpenNodes): Promise<{ nodes: StarmeshNode[]; frozen: StarmeshNode; others: StarmeshNode[]; before: { counter: number; late: number } }> {
  const nodes = await openNodes(4, { params: FAST_PARAMS, events: ['membership', 'state'] });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const [frozen, ...others] = nodes as [StarmeshNode, ...StarmeshNode[]];
  await startBeats(frozen.page);
  const before = await frozen.page.evaluate(() => ({ counter: window.starmesh!.stats().counter, late: window.starmesh!.stats().core.lateWakes }));
  return { nodes, frozen, others, before };
}

/**
 * After the resume: the page's code really stopped for (nearly) `frozenMs`, its node noticed, it is back with its
 * own ID and a newer counter, everyone lists everyone alive, and it suspected and removed nobody itself.
 */
async function expectCameBack(nodes: StarmeshNode[], frozen: StarmeshNode, before: { counter: number; late: number }, stop: { frozenMs: number; pageClockAtStopMs: number }): Promise<void> {
  // Polled: the beat after the resume and the node's late wake-up run in tasks of their own.
  const message = `longest gap between the page's own 100 ms beats since the stop (held ${Math.round(stop.frozenMs)} ms; no such gap: its code did not stop, the process stopped was not its renderer)`;
  await expect.poll(() => longestGapMs(frozen.page, stop.pageClockAtStopMs), { message, timeout: PATIENT_MS }).toBeGreaterThan(stop.frozenMs * 0.8);
  const lateWakes = (): Promise<number> => frozen.page.evaluate(() => window.starmesh!.stats().core.lateWakes);
  await expect.poll(lateWakes, { message: 'the node noticed its timers ran late', timeout: PATIENT_MS }).toBeGreaterThan(before.late);
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  expect(await frozen.page.evaluate(() => window.starmesh!.id), 'its own ID').toBe(frozen.id);
  expect(await frozen.page.evaluate(() => window.starmesh!.stats().counter), 'its counter').toBeGreaterThan(before.counter);
  expect(await verdictsOf(frozen), 'its own verdicts').toEqual([]);
}

/** Per tab, its lateWakes and its verdicts: for the report. */
async function figures(nodes: StarmeshNode[]): Promise<string> {
  const rows = await Promise.all(nodes.map(async (n) => `tab ${n.index}: lateWakes ${await n.page.evaluate(() => window.starmesh!.stats().core.lateWakes)}, ${JSON.stringify(await verdictsOf(n))}`));
  return rows.join('; ');
}

test('a page frozen for less than the others need to remove it: its code stops, nobody removes anybody, it comes back', async ({ openNodes }) => {
  const { nodes, frozen, others, before } = await meshWithBeats(openNodes);
  const stopped = await stopRenderer(frozen.page);
  let frozenMs = 0;
  try {
    // The point is to let this time pass with the tab stopped: below probe (4 × 1 s silent) + suspicion (6 s).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, SHORT_FREEZE_MS - stopped.heldMs())));
  } finally {
    frozenMs = stopped.resume();
  }
  await expectCameBack(nodes, frozen, before, { frozenMs, pageClockAtStopMs: stopped.pageClockAtStopMs });
  // Nobody removed it (a suspicion, refuted, is allowed on a busy machine).
  for (const node of others) expect((await verdictsOf(node)).filter((v) => v.startsWith('peer:remove')), `tab ${node.index}`).toEqual([]);
  test.info().annotations.push({ type: `frozen ${Math.round(frozenMs)} ms`, description: `${stopped.evidence}; ${await figures(nodes)}` });
});

test('a page frozen until the others removed it: its code stops, it removes nobody, it refutes and rejoins with its ID', async ({ openNodes }) => {
  const { nodes, frozen, others, before } = await meshWithBeats(openNodes);
  const stopped = await stopRenderer(frozen.page);
  let frozenMs = 0;
  try {
    // The others' view: silent for longer than probe + suspicion, it is removed everywhere (rightly).
    for (const node of others) {
      await expect.poll(() => verdictsOf(node, frozen.id), { message: `tab ${node.index} removed the frozen tab`, timeout: PATIENT_MS }).toContain(`peer:remove ${frozen.id} dead`);
    }
  } finally {
    frozenMs = stopped.resume();
  }
  expect(frozenMs, 'frozen for longer than the suspicion time-out').toBeGreaterThan(SUSPICION_MS);
  await expectCameBack(nodes, frozen, before, { frozenMs, pageClockAtStopMs: stopped.pageClockAtStopMs });
  test.info().annotations.push({ type: `frozen ${Math.round(frozenMs)} ms`, description: `${stopped.evidence}; ${await figures(nodes)}` });
});

/** Init script: a hidden tab whose timers Chrome throttles (see the file comment); `__hide(alignMs)` turns it on. */
function emulateHiddenTab(): void {
  const w = window as unknown as { __alignMs: number; __hide(alignMs: number): void; __beats: number[] };
  w.__alignMs = 0;
  const realSetTimeout = window.setTimeout.bind(window);
  const realSetInterval = window.setInterval.bind(window);
  const aligned = (delayMs: number): number => {
    if (w.__alignMs <= 0) return delayMs;
    const dueMs = performance.now() + Math.max(0, delayMs);
    return Math.ceil(dueMs / w.__alignMs) * w.__alignMs - performance.now();
  };
  window.setTimeout = ((fn: TimerHandler, delayMs?: number, ...args: unknown[]) => realSetTimeout(fn, aligned(delayMs ?? 0), ...args)) as typeof window.setTimeout;
  window.setInterval = ((fn: TimerHandler, delayMs?: number, ...args: unknown[]) => realSetInterval(fn, Math.max(delayMs ?? 0, w.__alignMs), ...args)) as typeof window.setInterval;
  let hidden = false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  w.__hide = (alignMs) => {
    w.__alignMs = alignMs;
    if (!hidden) {
      hidden = true;
      document.dispatchEvent(new Event('visibilitychange'));
    }
  };
  // Counts timer wake-ups (a 100 ms timer chain), to show the throttling is real.
  w.__beats = [];
  const beat = (): void => {
    w.__beats.push(performance.now());
    if (w.__beats.length > 2_000) w.__beats.shift();
    setTimeout(beat, 100);
  };
  beat();
}

test('a hidden tab with throttled timers (1 s, then 10 s alignment): nobody suspected or removed, its heartbeats go on', async ({ openNodes }) => {
  const nodes = await openNodes(4, {
    params: FAST_PARAMS,
    events: ['membership'],
    setup: async (context, index) => {
      if (index % 4 === 0) await context.addInitScript(emulateHiddenTab);
    },
  });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const hidden = nodes.find((node) => node.index % 4 === 0)!;
  const beatsIn = (fromMs: number): Promise<number> =>
    hidden.page.evaluate((from) => (window as unknown as { __beats: number[] }).__beats.filter((t) => t >= from).length, fromMs);
  const figures: string[] = [];
  for (const alignMs of [1_000, 10_000]) {
    const start = await hidden.page.evaluate((align) => {
      (window as unknown as { __hide(alignMs: number): void }).__hide(align);
      return { perf: performance.now(), counter: window.starmesh!.stats().counter };
    }, alignMs);
    const steadyStart = await nodes[1]!.page.evaluate(() => window.starmesh!.stats().counter);
    // The point is to let time pass with the throttled timers.
    await hidden.page.waitForTimeout(30_000);
    const wakeUps = await beatsIn(start.perf);
    const counter = await hidden.page.evaluate(() => window.starmesh!.stats().counter);
    const steady = (await nodes[1]!.page.evaluate(() => window.starmesh!.stats().counter)) - steadyStart;
    // A 100 ms timer chain woke at most about once per alignment period: the throttling is real.
    expect(wakeUps, `timer wake-ups in 30 s at ${alignMs} ms alignment`).toBeLessThanOrEqual(30_000 / alignMs + 3);
    // Its heartbeats went on: at least half of what its throttled timers allow (or of the steady tab's, if fewer).
    const allowed = Math.min(steady, Math.floor(30_000 / Math.max(alignMs, FAST_PARAMS.heartbeatMs)));
    expect(counter - start.counter, 'its heartbeats went on').toBeGreaterThanOrEqual(Math.max(1, Math.floor(allowed / 2)));
    figures.push(`align ${alignMs} ms: ${wakeUps} wake-ups, heartbeats ${counter - start.counter} (steady tab ${steady})`);
  }
  expect(await hidden.page.evaluate(() => document.visibilityState)).toBe('hidden');
  for (const node of nodes) expect(await verdictsOf(node), `tab ${node.index}`).toEqual([]);
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  test.info().annotations.push({ type: 'hidden tab', description: figures.join('; ') });
});
