/**
 * Stopping a tab the way a suspended laptop or a frozen process stops it: SIGSTOP of the tab's renderer process,
 * SIGCONT to resume. Nothing of that page runs in between (main thread, timers, its WebRTC stack), while the
 * browser and the other tabs (each its own context, so its own renderer) go on.
 *
 * Why not CDP: `Page.setWebLifecycleState('frozen')` does nothing in headless Chromium (it freezes hidden pages
 * only, and headless pages are never hidden), and `Debugger.pause` was seen, in whole-suite runs, to report the
 * page paused while the page's own timers kept beating.
 *
 * Which process: CDP's `SystemInfo.getProcessInfo` lists the browser's processes with their PIDs and CPU time but
 * not which page each renderer serves, so the page is made to burn CPU for a while, the renderers are ranked by
 * how much their CPU time grew, and the likeliest is proven by stopping it: the page must stop answering.
 */
import type { Page } from '@playwright/test';

/** How long the page spins (wall time) to mark its renderer. */
const MARK_BUSY_MS = 1_000;
/** How many renderers, most grown first, are tried. */
const MAX_CANDIDATES = 3;
/**
 * A page whose renderer is stopped cannot answer; a running one answers a trivial evaluate within milliseconds,
 * and well within this even on a loaded machine.
 */
const ANSWER_WAIT_MS = 2_000;

interface ProcessInfo {
  type: string;
  id: number;
  /** CPU time used so far, in seconds. */
  cpuTime: number;
}

async function renderers(page: Page): Promise<Map<number, number>> {
  const browser = page.context().browser();
  if (browser === null) throw new Error('renderer-process: the page has no Browser (persistent context?)');
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: ProcessInfo[] };
    return new Map(processInfo.filter((p) => p.type === 'renderer').map((p) => [p.id, p.cpuTime]));
  } finally {
    await cdp.detach();
  }
}

/**
 * The renderers of `page`'s browser, the one that grew most while the page spun first. On a loaded 2-core machine
 * the spin gets as little as a third of its wall time as CPU, while other tabs' renderers grow by up to 150 ms in
 * the same time (both seen), so this ranks and does not decide.
 */
async function rankedRenderers(page: Page): Promise<Array<{ pid: number; grownMs: number }>> {
  const before = await renderers(page);
  await page.evaluate((busyMs) => {
    const start = performance.now();
    while (performance.now() - start < busyMs) {
      // Spin: the point is CPU time in this page's renderer.
    }
  }, MARK_BUSY_MS);
  const after = await renderers(page);
  return [...after]
    .map(([pid, cpuSec]) => ({ pid, grownMs: Math.round((cpuSec - (before.get(pid) ?? cpuSec)) * 1000) }))
    .sort((a, b) => b.grownMs - a.grownMs);
}

/** Whether `page` answers a trivial evaluate within `waitMs` (a stopped renderer cannot). */
async function answers(page: Page, waitMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const answered = page.evaluate(() => true).then(
    () => true,
    () => true,
  );
  const silent = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), waitMs);
  });
  try {
    return await Promise.race([answered, silent]);
  } finally {
    clearTimeout(timer);
  }
}

/** A stopped renderer: how long it has been held so far, and its resume (idempotent; call it in a `finally`). */
export interface StoppedRenderer {
  heldMs(): number;
  /** Resumes the process; answers for how long it was held, in ms. */
  resume(): number;
}

/**
 * Stops `page`'s renderer until `resume()`. The renderer is found by ranking (see `rankedRenderers`) and
 * proven by stopping it: the page no longer answers. A wrongly stopped candidate is resumed at once (another tab
 * then stood still for `ANSWER_WAIT_MS`, below any suspicion). Throws when no candidate silences the page.
 */
export async function stopRenderer(page: Page): Promise<StoppedRenderer> {
  const ranked = await rankedRenderers(page);
  for (const { pid } of ranked.slice(0, MAX_CANDIDATES)) {
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = performance.now();
    if (await answers(page, ANSWER_WAIT_MS)) {
      process.kill(pid, 'SIGCONT');
      continue;
    }
    let resumedAfterMs: number | undefined;
    return {
      heldMs: () => resumedAfterMs ?? performance.now() - stoppedAt,
      resume: () => {
        if (resumedAfterMs === undefined) {
          resumedAfterMs = performance.now() - stoppedAt;
          process.kill(pid, 'SIGCONT');
        }
        return resumedAfterMs;
      },
    };
  }
  throw new Error(`renderer-process: stopping none of the likeliest renderers silenced the page (CPU grown per renderer while it spun, ms: ${JSON.stringify(ranked)})`);
}
