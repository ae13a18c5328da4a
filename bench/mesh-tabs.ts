/**
 * The browser-tabs part of `npm run bench:mesh`: n real Chromium tabs (each in its own browser context, so
 * separate IndexedDB, BroadcastChannel and Web Locks, like separate browsers) load the Starmesh page and meet
 * through an in-process signaling server. The page is the production build (`vite build` into a temporary
 * directory, served by Vite's preview server), as a deployment would serve it; `page: 'dev'` uses the Vite dev
 * server instead (one request per source module, transformed on the fly: much slower to load). Must run inside
 * the private network namespace (scripts/netns-run.sh): headless Chromium gathers no ICE candidate on loopback
 * alone.
 *
 * Timings are taken in the page, relative to its navigation start (`performance.timeOrigin`, i.e.
 * `performance.now()` = 0), so the cost of opening tabs concurrently from one Node process does not leak in.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { build, createServer, preview, type Plugin, type ViteDevServer } from 'vite';
import { startSignalServer, type SignalServer } from '../signal/server';
import { chromiumArgs, chromiumExecutablePath } from '../src/playwright/chromium';
import type { StarmeshHandle } from '../web/handle';
import { percentile, round, type MeshBenchRow } from './mesh-common';
import { linkFigures, serverEventCounter, serverMessagesSteady, serverSteady, unicastFigures, type PeerLinkReport, type UnicastOutcome } from './mesh-figures';

/** Options of `runTabsBench`; every field has a default. */
export interface TabsBenchOptions {
  /** Length of the steady CPU window after every table is full. Default 10 000 ms. */
  cpuWindowMs?: number;
  /**
   * Pause between the last full table and the steady readings (server sockets, then the CPU and server-message
   * window). Default 10 000 ms: guests let go of the server 5 s after their first link.
   */
  settleMs?: number;
  /** Give up when some tab has no full table after this long. Default 120 000 ms (gossip runs every 10 s). */
  fullTableTimeoutMs?: number;
  /** Progress lines (stderr by default in bench/mesh.ts). Default: silent. */
  log?: (line: string) => void;
  /** Which page the tabs load: the production build (default) or the Vite dev server. */
  page?: PageKind;
}

/** Production build served statically, or the Vite dev server. */
export type PageKind = 'built' | 'dev';

/** A running page server. */
export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const rootDir = fileURLToPath(new URL('..', import.meta.url));
const viteConfigFile = fileURLToPath(new URL('../vite.config.ts', import.meta.url));
/** How long a tab may take to assign `window.starmesh`. */
const READY_TIMEOUT_MS = 30_000;
/** Join (first channel open) deadline per tab, from the moment all tabs are ready. */
const JOIN_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

/**
 * Init script (a string, so no transpiler helper can leak into the page): hooks the page's plain assignment of
 * `window.starmesh` to subscribe to 'membership' at once, records the first `neighbour:up` and every change of
 * members() with `performance.now()`, and exposes the results as `window.__starmeshBench`.
 */
const PROBE_SCRIPT = `(() => {
  const probe = { handle: undefined, readyMs: null, firstUpMs: null, log: [] };
  const record = (t) => {
    const m = probe.handle.members().slice().sort();
    const last = probe.log[probe.log.length - 1];
    if (last && last.m.length === m.length && last.m.every((x, i) => x === m[i])) return;
    probe.log.push({ t, m });
  };
  Object.defineProperty(window, 'starmesh', {
    configurable: true,
    get: () => probe.handle,
    set(handle) {
      probe.handle = handle;
      probe.readyMs = performance.now();
      if (handle.neighbours().length > 0) probe.firstUpMs = probe.readyMs;
      record(probe.readyMs);
      handle.on('membership', (event) => {
        const t = performance.now();
        if (event.type === 'neighbour:up' && probe.firstUpMs === null) probe.firstUpMs = t;
        record(t);
      });
    },
  });
  window.__starmeshBench = {
    status() {
      const h = probe.handle;
      return { id: h ? h.id : null, readyMs: probe.readyMs, firstUpMs: probe.firstUpMs,
        neighbours: h ? h.neighbours().length : 0, members: h ? h.members().length : 0 };
    },
    fullAt(others) {
      for (const entry of probe.log) if (others.every((id) => entry.m.includes(id))) return entry.t;
      const now = performance.now();
      const m = probe.handle ? probe.handle.members() : [];
      return others.every((id) => m.includes(id)) ? now : null;
    },
  };
})();`;

/** What `window.__starmeshBench.status()` returns. */
interface ProbeStatus {
  id: string | null;
  readyMs: number | null;
  firstUpMs: number | null;
  neighbours: number;
  members: number;
}

/** The probe as seen from `page.evaluate`. */
interface ProbeWindow {
  __starmeshBench: { status(): ProbeStatus; fullAt(others: string[]): number | null };
}

/** `window.starmesh` as seen from `page.evaluate` (the probe's getter returns the page's handle). */
interface HandleWindow {
  starmesh: StarmeshHandle;
}

/** One opened tab. */
export interface Tab {
  index: number;
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors, for failure messages. */
  errors: string[];
}

/**
 * Runs one tabs measurement with n tabs (n ≥ 2) and returns its row. Starts and stops its own Vite dev server,
 * signaling server and Chromium; throws (after closing everything) when a tab does not load, join or fill its table.
 */
export async function runTabsBench(n: number, options: TabsBenchOptions = {}): Promise<MeshBenchRow> {
  if (!Number.isInteger(n) || n < 2) throw new Error(`tabs bench: n must be an integer ≥ 2, got ${n}`);
  const cpuWindowMs = options.cpuWindowMs ?? 10_000;
  const log = options.log ?? (() => {});
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const pageKind = options.page ?? 'built';
    log(`tabs n=${n}: ${pageKind === 'built' ? 'building the page' : 'starting the Vite dev server'}`);
    const pageServer = pageKind === 'built' ? await startBuiltPage() : await startDevPage();
    cleanups.push(() => pageServer.close());
    const { origin } = pageServer;
    const events = serverEventCounter();
    const signal = await startSignalServer({ port: 0, host: HOST, allowedOrigins: [origin], log: events.log });
    cleanups.push(() => signal.close());
    const executablePath = chromiumExecutablePath();
    const browser = await chromium.launch({ args: [...chromiumArgs], ...(executablePath ? { executablePath } : {}) });
    cleanups.push(() => browser.close());

    // Warm the browser's and the server's caches with one throwaway tab pointed at a dead signaling port (so it
    // joins nothing): otherwise the first run's join times include compiling the page (dev) or a cold HTTP cache.
    await warmUp(browser, origin);

    const room = `bench-tabs-${n}-${randomUUID().slice(0, 8)}`;
    const url = `${origin}/?${new URLSearchParams({ room, signal: signal.url })}`;
    log(`tabs n=${n}: opening ${n} tabs at ${url}`);
    const tabs = await Promise.all(Array.from({ length: n }, (_, index) => openTab(browser, url, index)));
    cleanups.push(() => Promise.allSettled(tabs.map((tab) => tab.context.close())));

    const ids = await waitReady(tabs);
    await waitJoined(tabs);
    const fullMs = await waitFullTables(tabs, ids, options.fullTableTimeoutMs ?? 120_000, log);
    const traffic = signal.traffic();
    const statuses = await Promise.all(tabs.map((tab) => status(tab.page)));
    const joins = statuses.map((s) => (s.firstUpMs as number));
    const links = statuses.map((s) => s.neighbours);
    const afterReady = statuses.map((s) => (s.firstUpMs as number) - (s.readyMs as number));

    const settleMs = options.settleMs ?? 10_000;
    log(`tabs n=${n}: tables full; settling ${settleMs} ms`);
    await sleep(settleMs);
    const steady = serverSteady(signal, room);
    const reports = await Promise.all(tabs.map((tab) => linkReport(tab.page)));
    const before = signal.traffic();
    log(`tabs n=${n}: measuring CPU and server messages for ${cpuWindowMs} ms`);
    const cpu = await measureCpu(tabs, cpuWindowMs);
    const after = signal.traffic();
    const serverMessages = serverMessagesSteady(before, after, n, cpuWindowMs);
    const finalLinks = await Promise.all(tabs.map(async (tab) => (await status(tab.page)).neighbours));
    log(`tabs n=${n}: ${n * (n - 1)} unicasts (every tab to every other)`);
    const unicasts = (await Promise.all(tabs.map((tab, i) => unicastAll(tab.page, ids.filter((_, j) => j !== i))))).flat();

    return {
      kind: 'tabs',
      n,
      page: pageKind,
      joinMsP50: round(percentile(joins, 50) ?? NaN),
      joinMsP99: round(percentile(joins, 99) ?? NaN),
      fullTableMsP99: round(percentile(fullMs, 99) ?? NaN),
      // Signals the server relayed (offers, answers, ICE candidates) up to the last full table, per tab. Not
      // counted: challenge + hello + welcome (exactly 3 per join) and `peers` requests (traffic() has no counter).
      serverMessagesPerJoin: round(traffic.relayed / n),
      peerConnectionsPerTab: round(mean(links), 2),
      cpuPerTabPct: round(cpu.processTreePct / n, 2),
      // Breakdown of the join: navigation → window.starmesh assigned (page load, module fetch from the Vite dev
      // server, identity and storage set-up), then → first channel open (signaling + WebRTC).
      readyMsP50: round(percentile(statuses.map((s) => s.readyMs as number), 50) ?? NaN),
      readyMsP99: round(percentile(statuses.map((s) => s.readyMs as number), 99) ?? NaN),
      joinAfterReadyMsP50: round(percentile(afterReady, 50) ?? NaN),
      joinAfterReadyMsP99: round(percentile(afterReady, 99) ?? NaN),
      fullTableMsP50: round(percentile(fullMs, 50) ?? NaN),
      serverJoins: traffic.joins,
      serverRelayedAfterCpuWindow: after.relayed,
      maxPeerConnections: Math.max(...links),
      peerConnectionsPerTabAfterCpuWindow: round(mean(finalLinks), 2),
      pageTaskPerTabPct: round(cpu.pageTaskPct / n, 2),
      browserProcesses: cpu.processes,
      cpuWindowMs,
      settleMs,
      ...steady,
      ...serverMessages,
      ...linkFigures(reports),
      ...unicastFigures(unicasts),
      serverEvents: { ...events.counts },
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

/** `vite build` of the page into a temporary directory, served by Vite's preview server on a free port. */
export async function startBuiltPage(): Promise<PageServer> {
  const outDir = mkdtempSync(join(tmpdir(), 'starmesh-bench-page-'));
  const removeOutDir = (): void => rmSync(outDir, { recursive: true, force: true });
  try {
    await build({ root: rootDir, configFile: viteConfigFile, logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
    const server = await preview({
      root: rootDir,
      configFile: viteConfigFile,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: HOST, port: 0, strictPort: true },
    });
    const address = server.httpServer.address() as AddressInfo;
    return {
      origin: `http://${HOST}:${address.port}`,
      close: async () => {
        await server.close();
        removeOutDir();
      },
    };
  } catch (error) {
    removeOutDir();
    throw error;
  }
}

/** The Vite dev server on a free port, as a PageServer. */
async function startDevPage(): Promise<PageServer> {
  const vite = await startVite();
  return { origin: `http://${HOST}:${(vite.httpServer?.address() as AddressInfo).port}`, close: () => vite.close() };
}

/** Vite dev server on a free port, no HMR and no file watcher: an edit in the tree must never reload the tabs. */
async function startVite(): Promise<ViteDevServer> {
  // `server.watch: null` set inline would be dropped by Vite's config merge (it skips null), so set it in place.
  const noWatch: Plugin = {
    name: 'starmesh:bench-no-watch',
    config(config) {
      config.server = { ...config.server, hmr: false, watch: null };
    },
  };
  const vite = await createServer({
    root: rootDir,
    configFile: viteConfigFile,
    logLevel: 'warn',
    clearScreen: false,
    plugins: [noWatch],
    server: { host: HOST, port: 0, strictPort: true, hmr: false },
  });
  try {
    await vite.listen();
  } catch (error) {
    await vite.close();
    throw error;
  }
  return vite;
}

export async function warmUp(browser: Browser, origin: string): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/?${new URLSearchParams({ room: 'warm-up', signal: `ws://${HOST}:9` })}`);
    await page.waitForFunction('window.starmesh !== undefined', undefined, { timeout: READY_TIMEOUT_MS });
  } finally {
    await context.close();
  }
}

export async function openTab(browser: Browser, url: string, index: number): Promise<Tab> {
  const context = await browser.newContext();
  await context.addInitScript({ content: PROBE_SCRIPT });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { index, context, page, errors };
}

function status(page: Page): Promise<ProbeStatus> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__starmeshBench.status());
}

/** The tab's link counters, mesh set-up times and server socket, read through `window.starmesh`. */
function linkReport(page: Page): Promise<PeerLinkReport> {
  // No named inner functions here: the body is serialized into the page.
  return page.evaluate(() => {
    const handle = (window as unknown as HandleWindow).starmesh;
    const stats = handle.stats();
    const server = handle.serverStatus();
    return {
      id: handle.id,
      neighbours: handle.neighbours(),
      linksViaMesh: stats.linksViaMesh,
      linksViaServer: stats.linksViaServer,
      meshSetupMs: handle.linkSetupTimes().mesh,
      onServer: server.connected,
      introducer: server.introducer,
    };
  });
}

/** One routed unicast from the tab to each of `targets`, all at once; outcomes in the order of `targets`. */
function unicastAll(page: Page, targets: string[]): Promise<UnicastOutcome[]> {
  return page.evaluate(
    (to) =>
      Promise.all(
        to.map((id, i) =>
          (window as unknown as HandleWindow).starmesh
            .send(id, `bench unicast ${i}`)
            .then((r): UnicastOutcome => (r.ok ? { ok: true, hops: r.hops, rttMs: r.rttMs } : { ok: false, code: r.code })),
        ),
      ),
    targets,
  );
}

export async function waitReady(tabs: Tab[]): Promise<string[]> {
  await Promise.all(
    tabs.map((tab) =>
      tab.page
        .waitForFunction('window.starmesh !== undefined && typeof window.starmesh.id === "string"', undefined, {
          timeout: READY_TIMEOUT_MS,
        })
        .catch((error: unknown) => {
          throw new Error(`tab ${tab.index}: no window.starmesh after ${READY_TIMEOUT_MS} ms (${describe(tab, error)})`);
        }),
    ),
  );
  return Promise.all(tabs.map(async (tab) => (await status(tab.page)).id as string));
}

export async function waitJoined(tabs: Tab[]): Promise<void> {
  const deadline = Date.now() + JOIN_TIMEOUT_MS;
  for (;;) {
    const statuses = await Promise.all(tabs.map((tab) => status(tab.page)));
    const waiting = tabs.filter((_, i) => statuses[i]?.firstUpMs === null);
    if (waiting.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${waiting.length}/${tabs.length} tabs opened no WebRTC channel within ${JOIN_TIMEOUT_MS} ms ` +
          `(run inside scripts/netns-run.sh?): ${waiting.map((tab) => describe(tab)).join('; ')}`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** Polls until every tab lists all n-1 others; returns each tab's in-page time of its first full table. */
export async function waitFullTables(tabs: Tab[], ids: string[], timeoutMs: number, log: (line: string) => void): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  const full: Array<number | null> = tabs.map(() => null);
  for (;;) {
    await Promise.all(
      tabs.map(async (tab, i) => {
        if (full[i] !== null) return;
        const others = ids.filter((_, j) => j !== i);
        full[i] = await tab.page.evaluate((o) => (window as unknown as ProbeWindow).__starmeshBench.fullAt(o), others);
      }),
    );
    const missing = tabs.filter((_, i) => full[i] === null);
    if (missing.length === 0) return full as number[];
    if (Date.now() > deadline) {
      const statuses = await Promise.all(missing.map((tab) => status(tab.page)));
      throw new Error(
        `${missing.length}/${tabs.length} tabs without a full table after ${timeoutMs} ms: ` +
          missing.map((tab, k) => `tab ${tab.index} lists ${statuses[k]?.members}/${tabs.length - 1}`).join(', '),
      );
    }
    log(`tabs n=${tabs.length}: ${tabs.length - missing.length}/${tabs.length} tables full`);
    await sleep(1_000);
  }
}

/**
 * CPU over a steady window, two ways, both in % of one core summed over the browser:
 * - processTreePct: utime+stime (from /proc/<pid>/stat, in clock ticks) of every descendant process of this Node
 *   process except Node/esbuild ones, i.e. Chromium's browser, zygote, renderer, GPU, network and utility
 *   processes, sampled at both ends of the window. It includes the shared browser-process overhead, which is
 *   why the row divides it by n ("per tab" = the whole browser's cost divided among its tabs). The Vite and
 *   signaling servers run in this Node process and are not counted.
 * - pageTaskPct: CDP Performance.getMetrics `TaskDuration` (main-thread task time of each page's renderer),
 *   summed over pages: the page's own JavaScript/rendering only, without WebRTC network threads.
 */
async function measureCpu(tabs: Tab[], windowMs: number): Promise<{ processTreePct: number; pageTaskPct: number; processes: number }> {
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const sessions: CDPSession[] = await Promise.all(
    tabs.map(async (tab) => {
      const cdp = await tab.context.newCDPSession(tab.page);
      await cdp.send('Performance.enable');
      return cdp;
    }),
  );
  try {
    const taskStart = await Promise.all(sessions.map(taskDurationSeconds));
    const ticksStart = browserTicks();
    const wallStart = performance.now();
    await sleep(windowMs);
    const ticksEnd = browserTicks();
    const wallMs = performance.now() - wallStart;
    const taskEnd = await Promise.all(sessions.map(taskDurationSeconds));
    let ticks = 0;
    for (const [pid, end] of ticksEnd) ticks += end - (ticksStart.get(pid) ?? 0);
    const taskSeconds = taskEnd.reduce((sum, end, i) => sum + end - (taskStart[i] ?? 0), 0);
    return {
      processTreePct: ((ticks / ticksPerSecond) * 1000 * 100) / wallMs,
      pageTaskPct: (taskSeconds * 1000 * 100) / wallMs,
      processes: ticksEnd.size,
    };
  } finally {
    await Promise.allSettled(sessions.map((cdp) => cdp.detach()));
  }
}

async function taskDurationSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
}

/** utime+stime in clock ticks of every non-Node descendant of this process, by pid. */
function browserTicks(): Map<number, number> {
  const stats = new Map<number, { ppid: number; comm: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    // Fields after "(comm) ": state(3) ppid(4) … utime(14) stime(15); index 0 here is field 3.
    const fields = text.slice(close + 2).split(' ');
    stats.set(Number(entry), { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
  }
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const result = new Map<number, number>();
  const queue = [...(children.get(process.pid) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const s = stats.get(pid);
    if (!s) continue;
    if (s.comm !== 'node' && s.comm !== 'esbuild') result.set(pid, s.ticks);
    queue.push(...(children.get(pid) ?? []));
  }
  return result;
}

function describe(tab: Tab, error?: unknown): string {
  const parts = [`tab ${tab.index}`];
  if (error !== undefined) parts.push(error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error));
  if (tab.errors.length > 0) parts.push(`last errors: ${tab.errors.slice(-3).join(' | ')}`);
  return parts.join(': ');
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

