/**
 * Stopping a tab the way a suspended laptop or a frozen process stops it: SIGSTOP of the tab's renderer process,
 * SIGCONT to resume. Nothing of that page runs in between (main thread, timers, its WebRTC stack), while the
 * browser and the other tabs (each its own context, so its own renderer) go on.
 *
 * Why not CDP: `Page.setWebLifecycleState('frozen')` does nothing in headless Chromium (it freezes hidden pages
 * only, and headless pages are never hidden), and `Debugger.pause` was seen, in whole-suite runs, to report the
 * page paused while the page's own timers kept beating.
 *
 * Which process: CDP's `SystemInfo.getProcessInfo` lists the browser's processes with their PIDs but not which
 * page each renderer serves. Ranking by the CPU a spin in the page adds was tried and once stopped another
 * process (2026-12-04): on a loaded 2-core machine the spin gets a third of its time as CPU and other renderers
 * grow by 150 ms too, and "the page no longer answers within 2 s" was then true of a page that was merely slow.
 * So now each step is specific:
 * - only processes whose own command line says `--type=renderer` are candidates (never the GPU, network,
 *   storage or other utility process, which would stall every page);
 * - the page marks its renderer by touching every 4 KiB memory page of a fresh 64 MiB buffer: that process's
 *   count of minor page faults (/proc/<pid>/stat, only ever grows) rises by about 16 000 within a fraction of a
 *   second, which no other tab's does (measured with four idle tabs: the marked one +16–17 thousand, every other
 *   +0). Resident memory was tried first and is no proof: the big allocation makes V8 collect garbage, and the
 *   memory freed cancelled the marker's (seen: +0 MiB everywhere). Ties or no such growth throw;
 * - stopped, the process must show state `T` in /proc, and the page must stay silent for at least 2 s and until
 *   every page of every other context has answered. The others get up to 6 s: at a load average of 25 (other
 *   test runs on this 2-core machine plus two busy loops) they took more than 2 s. If they stall for longer, the
 *   proof is not taken: resumed, tried again, at most 3 times.
 * The caller proves the stop from inside afterwards: the page's own timers show a gap of about `heldMs`, after
 * `pageClockAtStopMs` (see sleep.spec.ts).
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';

/** The marker's size: its page faults are far above a tab renderer's own in the marking time. */
const MARK_MIB = 64;
/** A renderer counts as marked when its minor page faults grew by at least this part of the marker's pages. */
const MARKED_PART = 0.75;
/** How long the stopped page must stay silent at least (a running one answers a trivial evaluate in milliseconds). */
const ANSWER_WAIT_MS = 2_000;
/**
 * How long the other pages may take to answer while the page is held: below the 10 s of silence (4 s of probes,
 * 6 s of suspicion at FAST_PARAMS) after which the others would remove it, so the short freeze stays short.
 */
const OTHERS_WAIT_MS = 6_000;
/** Attempts when the other pages stalled too (the proof is then not taken, the machine stalled). */
const MAX_ATTEMPTS = 3;
const PAGE_SIZE_BYTES = 4096;
/** How long a process just sent SIGSTOP may take to show it in /proc (measured: it may still read `R` at once). */
const STATE_WAIT_MS = 1_000;

interface ProcessInfo {
  type: string;
  id: number;
}

/** The PIDs of `page`'s browser's renderers, each confirmed by its own command line. */
async function rendererPids(page: Page): Promise<number[]> {
  const browser = page.context().browser();
  if (browser === null) throw new Error('renderer-process: the page has no Browser (persistent context?)');
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: ProcessInfo[] };
    return processInfo.filter((p) => p.type === 'renderer' && commandLine(p.id).includes('--type=renderer')).map((p) => p.id);
  } finally {
    await cdp.detach();
  }
}

/** The process's arguments ('' when it is gone); Chromium may join them with spaces instead of NULs. */
function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
  } catch {
    return [];
  }
}

/** The fields of /proc/<pid>/stat from the state on (field 3 is index 0), [] when the process is gone. */
function statFields(pid: number): string[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name in parentheses may hold spaces; the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

/** The process's minor page faults so far (field 10), NaN when gone. */
function minorFaults(pid: number): number {
  return Number(statFields(pid)[7] ?? Number.NaN);
}

/** The process state letter (`T` once stopped), '?' when gone. */
function processState(pid: number): string {
  return statFields(pid)[0] ?? '?';
}

/** The one renderer whose page faults grew by the marker while the page touched it, or why there is none. */
async function markedRenderer(page: Page): Promise<{ pid: number; faults: number; nextMostFaults: number } | string> {
  const pids = await rendererPids(page);
  const before = new Map(pids.map((pid) => [pid, minorFaults(pid)]));
  await page.evaluate((mib) => {
    const buffer = new Uint8Array(mib * 2 ** 20);
    // Touch every memory page so it becomes resident.
    for (let i = 0; i < buffer.length; i += 4096) buffer[i] = 1;
    (window as unknown as { __rendererMark?: Uint8Array }).__rendererMark = buffer;
  }, MARK_MIB);
  const grown = pids.map((pid) => ({ pid, faults: minorFaults(pid) - before.get(pid)! }));
  await page.evaluate(() => delete (window as unknown as { __rendererMark?: Uint8Array }).__rendererMark);
  const marked = grown.filter((g) => g.faults >= ((MARK_MIB * 2 ** 20) / PAGE_SIZE_BYTES) * MARKED_PART);
  if (marked.length !== 1) {
    return `${marked.length} renderers took the ${MARK_MIB} MiB marker's page faults, not 1 (faults per renderer: ${JSON.stringify(grown)})`;
  }
  const nextMostFaults = Math.max(0, ...grown.filter((g) => g !== marked[0]).map((g) => g.faults));
  return { pid: marked[0]!.pid, faults: marked[0]!.faults, nextMostFaults };
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

/** The pages of every other context of `page`'s browser (pages of its own context may share its renderer). */
function pagesOfOtherContexts(page: Page): Page[] {
  const contexts = page.context().browser()?.contexts() ?? [];
  return contexts.filter((c) => c !== page.context()).flatMap((c) => c.pages()).filter((p) => !p.isClosed());
}

/**
 * The state of a process just sent SIGSTOP, once it shows `T` or after `STATE_WAIT_MS`: the signal is delivered
 * asynchronously, so right after `kill` a process running on the other core still reads `R`.
 */
async function stoppedState(pid: number): Promise<string> {
  const start = performance.now();
  let state = processState(pid);
  while (state !== 'T' && performance.now() - start < STATE_WAIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    state = processState(pid);
  }
  return state;
}

/** A stopped renderer: how long it has been held so far, and its resume (idempotent; call it in a `finally`). */
export interface StoppedRenderer {
  /** The page's own `performance.now()` just before the stop: its timers show the gap after this. */
  pageClockAtStopMs: number;
  /** What identified the process, attempt by attempt (for the report). */
  evidence: string;
  heldMs(): number;
  /** Resumes the process; answers for how long it was held, in ms. */
  resume(): number;
}

/** What one stop showed: 'proven' (stopped, the page silent while all others answered), or what was seen. */
async function prove(page: Page, pid: number): Promise<string> {
  const state = await stoppedState(pid);
  if (state !== 'T') return `state ${state}`;
  let pageAnswered = false;
  // Not awaited: the page's answer only counts if it came before the others' (a stopped page answers after SIGCONT).
  void page.evaluate(() => true).then(
    () => (pageAnswered = true),
    () => (pageAnswered = true),
  );
  const [, othersAnswered] = await Promise.all([
    new Promise((resolve) => setTimeout(resolve, ANSWER_WAIT_MS)),
    Promise.all(pagesOfOtherContexts(page).map((p) => answers(p, OTHERS_WAIT_MS))),
  ]);
  const silentOthers = othersAnswered.filter((answered) => !answered).length;
  if (!pageAnswered && silentOthers === 0) return 'proven';
  return `page ${pageAnswered ? 'answered' : 'silent'}, ${silentOthers} of ${othersAnswered.length} other pages silent`;
}

/**
 * Stops `page`'s renderer until `resume()`: the renderer that took the page faults of the page's marker (see the file comment),
 * stopped, and proven by the page being silent while the other contexts' pages answer. Throws, with what was
 * seen, when that cannot be proven in `MAX_ATTEMPTS`.
 */
export async function stopRenderer(page: Page): Promise<StoppedRenderer> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const mark = await markedRenderer(page);
    if (typeof mark === 'string') {
      seen.push(mark);
      continue;
    }
    const { pid } = mark;
    const pageClockAtStopMs = await page.evaluate(() => performance.now());
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = performance.now();
    const proof = await prove(page, pid);
    if (proof !== 'proven') {
      process.kill(pid, 'SIGCONT');
      seen.push(`pid ${pid}: ${proof}`);
      continue;
    }
    let resumedAfterMs: number | undefined;
    return {
      pageClockAtStopMs,
      evidence: [...seen, `pid ${pid}: ${mark.faults} marker faults (next most ${mark.nextMostFaults}), stopped, page silent, ${pagesOfOtherContexts(page).length} other pages answered`].join('; '),
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
  throw new Error(`renderer-process: the stop of the page's renderer could not be proven (${seen.join('; ')})`);
}
