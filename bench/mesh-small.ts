/**
 * The small-rooms part of `npm run bench:mesh` (`--only small`; issue 18): n = 2, 3, 4, 5 real Chromium tabs (one
 * browser context each) at the default protocol intervals meet through a real signaling server of their own; once
 * every table is full and a settle pause has passed, the server's traffic is read over a rest window. Every text
 * frame counts, both ways (hello, `peers` and its answer, signals, welcomes; WebSocket pings and pongs are control
 * frames, not messages), so the row shows any polling of the server, not only relayed signals.
 *
 * Row fields: serverMessagesPerNodeMinuteRest (frames in + out during the window, per node per minute; target 0),
 * serverFramesInRest / serverFramesOutRest / peersRequestsRest / joinsRest (the raw deltas), serverSocketsRest and
 * introducersRest / guestsRest (what the server holds at the end of the window: the keep-alive cost), tabsOnServer
 * (tabs that say they hold a socket), meshComponents (overlay components, one entry: one mesh), fullTableMsP99.
 */
import { randomUUID } from 'node:crypto';
import { chromium, type Page } from 'playwright-core';
import { startSignalServer } from '../signal/server';
import { chromiumArgs, chromiumExecutablePath } from '../src/playwright/chromium';
import type { StarmeshHandle } from '../web/handle';
import { percentile, round } from './mesh-common';
import { serverSteady } from './mesh-figures';
import { openTab, sleep, startBuiltPage, waitFullTables, waitJoined, waitReady, warmUp, type Tab } from './mesh-tabs';

/** Options of `runSmallRoomsBench`. */
export interface SmallRoomsOptions {
  /** Room sizes to measure. Default 2, 3, 4, 5. */
  sizes?: number[];
  /** Pause between the last full table and the window (guests let go 5 s after their first link). Default 10 s. */
  settleMs?: number;
  /** The rest window the server's traffic is read over. Default 60 000 ms (the window). */
  restWindowMs?: number;
  log?: (line: string) => void;
}

/** One printed line of the small-rooms bench. */
export interface SmallRoomRow {
  kind: 'small-room';
  n: number;
  restWindowMs: number;
  serverMessagesPerNodeMinuteRest: number;
  serverFramesInRest: number;
  serverFramesOutRest: number;
  peersRequestsRest: number;
  joinsRest: number;
  serverSocketsRest: number;
  introducersRest: number;
  guestsRest: number;
  tabsOnServer: number;
  meshComponents: number[];
  fullTableMsP99: number | null;
}

const HOST = '127.0.0.1';

/** Runs every size in turn (one page build, one browser; a fresh signaling server and room per size). */
export async function runSmallRoomsBench(options: SmallRoomsOptions = {}): Promise<SmallRoomRow[]> {
  const log = options.log ?? (() => {});
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    log('small rooms: building the page');
    const pageServer = await startBuiltPage();
    cleanups.push(() => pageServer.close());
    const executablePath = chromiumExecutablePath();
    const browser = await chromium.launch({ args: [...chromiumArgs], ...(executablePath ? { executablePath } : {}) });
    cleanups.push(() => browser.close());
    await warmUp(browser, pageServer.origin);
    const rows: SmallRoomRow[] = [];
    for (const n of options.sizes ?? [2, 3, 4, 5]) {
      rows.push(await measureRoom(browser, pageServer.origin, n, options, log));
    }
    return rows;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

async function measureRoom(
  browser: Parameters<typeof openTab>[0],
  origin: string,
  n: number,
  options: SmallRoomsOptions,
  log: (line: string) => void,
): Promise<SmallRoomRow> {
  const restWindowMs = options.restWindowMs ?? 60_000;
  const signal = await startSignalServer({ port: 0, host: HOST, allowedOrigins: [origin] });
  const tabs: Tab[] = [];
  try {
    const room = `bench-small-${n}-${randomUUID().slice(0, 8)}`;
    const url = `${origin}/?${new URLSearchParams({ room, signal: signal.url })}`;
    log(`small rooms n=${n}: opening ${n} tabs`);
    tabs.push(...(await Promise.all(Array.from({ length: n }, (_, index) => openTab(browser, url, index)))));
    const ids = await waitReady(tabs);
    await waitJoined(tabs);
    const fullMs = await waitFullTables(tabs, ids, 120_000, log);
    await sleep(options.settleMs ?? 10_000);
    log(`small rooms n=${n}: reading the server for ${restWindowMs} ms at rest`);
    const before = signal.traffic();
    await sleep(restWindowMs);
    const after = signal.traffic();
    const reports = await Promise.all(tabs.map((tab) => report(tab.page)));
    const steady = serverSteady(signal, room);
    const framesIn = after.framesIn - before.framesIn;
    const framesOut = after.framesOut - before.framesOut;
    return {
      kind: 'small-room',
      n,
      restWindowMs,
      serverMessagesPerNodeMinuteRest: round((framesIn + framesOut) / n / (restWindowMs / 60_000), 3),
      serverFramesInRest: framesIn,
      serverFramesOutRest: framesOut,
      peersRequestsRest: after.peersRequests - before.peersRequests,
      joinsRest: after.joins - before.joins,
      serverSocketsRest: steady.serverSocketsSteady,
      introducersRest: steady.introducersSteady,
      guestsRest: steady.guestsSteady,
      tabsOnServer: reports.filter((r) => r.onServer).length,
      meshComponents: components(reports),
      fullTableMsP99: round(percentile(fullMs, 99) ?? NaN),
    };
  } finally {
    await Promise.allSettled(tabs.map((tab) => tab.context.close()));
    await signal.close();
  }
}

interface TabReport {
  id: string;
  neighbours: string[];
  onServer: boolean;
}

function report(page: Page): Promise<TabReport> {
  return page.evaluate(() => {
    const handle = (window as unknown as { starmesh: StarmeshHandle }).starmesh;
    return { id: handle.id, neighbours: handle.neighbours(), onServer: handle.serverStatus().connected };
  });
}

/** Sizes of the overlay's connected components (over links either end reports), largest first. */
function components(reports: readonly TabReport[]): number[] {
  const links = new Map<string, Set<string>>(reports.map((r) => [r.id, new Set(r.neighbours)]));
  for (const r of reports) for (const other of r.neighbours) links.get(other)?.add(r.id);
  const seen = new Set<string>();
  const sizes: number[] = [];
  for (const r of reports) {
    if (seen.has(r.id)) continue;
    const stack = [r.id];
    seen.add(r.id);
    let size = 0;
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      size++;
      for (const next of links.get(id) ?? []) if (!seen.has(next) && links.has(next)) (seen.add(next), stack.push(next));
    }
    sizes.push(size);
  }
  return sizes.sort((a, b) => b - a);
}
