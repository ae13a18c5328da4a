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
 * not which page each renderer serves, so the page is made to burn CPU for a while and the renderer whose CPU time
 * grew by (most of) that is the page's. The check is strict (a clear winner or an error), never a guess.
 */
import type { Page } from '@playwright/test';

/** How long the page spins (wall time) to mark its renderer. */
const MARK_BUSY_MS = 1_000;
/**
 * The marked renderer must have grown by this much CPU time and by this many times more than any other renderer.
 * On a machine whose two cores are shared with other work the spin gets well under all of its wall time as CPU
 * (seen: 280 ms of a 600 ms spin), while the other tabs' renderers, idle meshes, grow by 40-70 ms.
 */
const MARK_MIN_CPU_MS = 150;
const MARK_LEAD_FACTOR = 3;

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

/** The PID of the renderer process that runs `page`. Throws when no single renderer clearly did the page's work. */
export async function rendererPidOf(page: Page): Promise<number> {
  const before = await renderers(page);
  await page.evaluate((busyMs) => {
    const start = performance.now();
    while (performance.now() - start < busyMs) {
      // Spin: the point is CPU time in this page's renderer.
    }
  }, MARK_BUSY_MS);
  const after = await renderers(page);
  const grown = [...after]
    .map(([pid, cpuSec]) => ({ pid, grownMs: (cpuSec - (before.get(pid) ?? cpuSec)) * 1000 }))
    .sort((a, b) => b.grownMs - a.grownMs);
  const [first, second] = grown;
  if (first === undefined || first.grownMs < MARK_MIN_CPU_MS || (second !== undefined && second.grownMs * MARK_LEAD_FACTOR > first.grownMs)) {
    throw new Error(`renderer-process: no clear renderer for the page (CPU grown per renderer, ms: ${JSON.stringify(grown)})`);
  }
  return first.pid;
}

/**
 * Stops `page`'s renderer until the returned function resumes it (idempotent; call it in a `finally`). The resume
 * answers for how long the process was held, in ms.
 */
export async function stopRenderer(page: Page): Promise<() => number> {
  const pid = await rendererPidOf(page);
  process.kill(pid, 'SIGSTOP');
  const stoppedAt = performance.now();
  let heldMs: number | undefined;
  return () => {
    if (heldMs === undefined) {
      heldMs = performance.now() - stoppedAt;
      process.kill(pid, 'SIGCONT');
    }
    return heldMs;
  };
}
