/**
 * Playwright fixtures for Starmesh scenarios: each node is a page in its own
 * browser context (separate IndexedDB, BroadcastChannel and Web Locks, like
 * separate browsers), each test gets a unique room, and helpers poll the page's
 * scripting handle `window.starmesh` with `expect.poll` (never fixed sleeps).
 */
import { test as base, expect, type Page } from '@playwright/test';
import { expectFullMembership, peerIds, type PollOptions } from '../src/playwright/membership';
import { absoluteUrl, attachLogsOnFailure, openPage, PATIENT_MS, uniqueRoom, type ContextSetup, type OpenedPage } from '../src/playwright/pages';

// Tabs, rooms and membership polls are the published fixture's (src/playwright/), so there is one copy.
export { expect, expectFullMembership, peerIds, PATIENT_MS, uniqueRoom, type OpenedPage, type PollOptions };

/** One row of `window.starmesh.peers()`. */
export interface PeerInfo {
  id: string;
  state: string;
  lastSeenMs: number;
}

/** Options set in playwright.config.ts `use` (or per file with `test.use`). */
export interface StarmeshOptions {
  /** ws:// URL of the signaling server the pages connect to. */
  signalUrl: string;
  /** Origin serving the built widget and its example host pages (another origin than the page). */
  widgetHostUrl: string;
}

/** A Starmesh node: an opened page whose `window.starmesh` handle is ready. */
export interface StarmeshNode extends OpenedPage {
  id: string;
  peers(): Promise<PeerInfo[]>;
  neighbours(): Promise<string[]>;
  /** Starts recording `event` now; the returned function reads what was recorded. */
  recordEvents(event: string): Promise<() => Promise<unknown[]>>;
  /** What was recorded so far for `event` (see `OpenNodesOptions.events` and `recordEvents`). */
  events(event: string): Promise<unknown[]>;
}

export interface OpenNodesOptions {
  /** Defaults to the test's unique room. */
  room?: string;
  /** Extra URL parameters, e.g. `{ gossipMs: 200 }`. */
  params?: Record<string, string | number | boolean>;
  /** Page path, default `/`. */
  path?: string;
  /** How long to wait for `window.starmesh.id`, default `PATIENT_MS`. */
  readyTimeoutMs?: number;
  /**
   * Events to record from the moment the page assigns `window.starmesh` (so
   * nothing emitted during start-up is missed); read them with `node.events()`.
   */
  events?: string[];
  /** Runs on each new context before its page loads (init scripts, `context.clock.install()`). */
  setup?: ContextSetup;
}

interface Fixtures {
  /** Unique room name for this test (also usable for extra nodes opened later). */
  room: string;
  /** Opens `n` pages at `path` (relative to baseURL), each in a fresh context. */
  openPages: (n: number, path: string, initEvents?: string[], setup?: ContextSetup) => Promise<OpenedPage[]>;
  /** Opens `n` Starmesh nodes in the test's room and waits until each exposes its id. */
  openNodes: (n: number, options?: OpenNodesOptions) => Promise<StarmeshNode[]>;
}

/** Shape of the page's handle, as far as the tests use it. */
interface StarmeshHandle {
  id: string;
  peers(): PeerInfo[];
  neighbours(): string[];
  on(event: string, fn: (payload: unknown) => void): unknown;
}
type WithHandle = { starmesh?: StarmeshHandle; __starmeshEvents?: Record<string, unknown[]> };

export const test = base.extend<Fixtures & StarmeshOptions>({
  signalUrl: ['ws://127.0.0.1:8787', { option: true }],
  widgetHostUrl: ['http://127.0.0.1:5174', { option: true }],

  // Playwright requires an object pattern as the first parameter, even an empty one.
  room: async ({}, use, testInfo) => {
    await use(uniqueRoom(testInfo));
  },

  openPages: async ({ browser, baseURL }, use, testInfo) => {
    const opened: OpenedPage[] = [];
    await use(async (n, path, initEvents = [], setup) => {
      const url = absoluteUrl(baseURL, path);
      const hooked: ContextSetup = async (context, index) => {
        if (initEvents.length > 0) await context.addInitScript(hookStarmesh, initEvents);
        await setup?.(context, index);
      };
      const batch = await Promise.all(Array.from({ length: n }, (_, i) => openPage(browser, url, opened.length + i, hooked)));
      opened.push(...batch);
      return batch;
    });
    await attachLogsOnFailure(opened, testInfo);
    await Promise.all(opened.map((p) => p.close()));
  },

  openNodes: async ({ openPages, room, signalUrl }, use) => {
    await use(async (n, options = {}) => {
      const query = new URLSearchParams({ signal: signalUrl, room: options.room ?? room });
      for (const [k, v] of Object.entries(options.params ?? {})) query.set(k, String(v));
      const pages = await openPages(n, `${options.path ?? '/'}?${query}`, options.events, options.setup);
      return Promise.all(pages.map((p) => asNode(p, options.readyTimeoutMs ?? PATIENT_MS)));
    });
  },
});

/** Waits for `window.starmesh` in an opened page (again after a reload) and wraps it as a node. */
export async function asNode(opened: OpenedPage, readyTimeoutMs = PATIENT_MS): Promise<StarmeshNode> {
  const { page } = opened;
  await page.waitForFunction(
    () => {
      const id = (window as WithHandle).starmesh?.id;
      return typeof id === 'string' && id.length > 0;
    },
    undefined,
    { timeout: readyTimeoutMs },
  );
  const id = await page.evaluate(() => (window as WithHandle).starmesh!.id);
  return {
    ...opened,
    id,
    peers: () => page.evaluate(() => (window as WithHandle).starmesh!.peers()),
    neighbours: () => page.evaluate(() => (window as WithHandle).starmesh!.neighbours()),
    async recordEvents(event) {
      await page.evaluate((name) => {
        const w = window as WithHandle;
        const store = (w.__starmeshEvents ??= {});
        if (store[name]) return;
        const seen: unknown[] = (store[name] = []);
        w.starmesh!.on(name, (payload) => seen.push(payload));
      }, event);
      return () => page.evaluate((name) => (window as WithHandle).__starmeshEvents?.[name] ?? [], event);
    },
    events: (event) => page.evaluate((name) => (window as WithHandle).__starmeshEvents?.[name] ?? [], event),
  };
}

/**
 * Init script (runs in the page before its own code): when the page assigns
 * `window.starmesh`, subscribe to `names` at once. Requires a plain assignment.
 */
function hookStarmesh(names: string[]): void {
  const w = window as WithHandle;
  const store = (w.__starmeshEvents ??= {});
  let handle: StarmeshHandle | undefined;
  Object.defineProperty(window, 'starmesh', {
    configurable: true,
    get: () => handle,
    set(value: StarmeshHandle) {
      handle = value;
      for (const name of names) {
        if (store[name]) continue;
        const seen: unknown[] = (store[name] = []);
        value.on(name, (payload) => seen.push(payload));
      }
    },
  });
}

/**
 * Opens another tab in `node`'s browser context at the same URL: it shares IndexedDB, Web Locks and
 * BroadcastChannel with `node` (but not sessionStorage). Its console goes to `node.log`. Closed with the context.
 */
export async function openSiblingTab(node: OpenedPage, readyTimeoutMs = PATIENT_MS): Promise<StarmeshNode> {
  const page = await node.context.newPage();
  page.on('console', (m) => node.log.push(`[sibling ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => node.log.push(`[sibling pageerror] ${e.stack ?? e.message}`));
  await page.goto(node.page.url());
  return asNode({ ...node, page, close: () => page.close() }, readyTimeoutMs);
}

/** Waits until `node` knows exactly `expected` (ids, any order). */
export async function expectPeers(node: StarmeshNode, expected: string[], options: PollOptions = {}): Promise<void> {
  await expect
    .poll(() => peerIds(node, options.states), {
      message: `peers of node ${node.index} (${node.id})`,
      timeout: options.timeoutMs ?? PATIENT_MS,
    })
    .toEqual([...expected].sort());
}

/** Waits until every node has at least `min` direct neighbours. */
export async function expectNeighbours(nodes: StarmeshNode[], min: number, options: PollOptions = {}): Promise<void> {
  for (const node of nodes) {
    await expect
      .poll(async () => (await node.neighbours()).length, {
        message: `neighbour count of node ${node.index} (${node.id})`,
        timeout: options.timeoutMs ?? PATIENT_MS,
      })
      .toBeGreaterThanOrEqual(min);
  }
}

/**
 * Compressed intervals for scenarios (URL parameters of the page): seconds instead of minutes. Probes are patient
 * enough (4 pings × 1 s before suspicion, 6 s to refute) that a renderer starved of CPU for a few seconds is not
 * suspected: tests that assert "nobody suspected" must not depend on the machine being idle.
 */
export const SUSPICION_MS = 6_000;
export const FAST_PARAMS = {
  gossipMs: 500,
  pingMs: 500,
  pingTimeoutMs: 1000,
  suspicionMs: SUSPICION_MS,
  heartbeatMs: 2000,
  cleanupMs: 1000,
  connectTimeoutMs: 8000,
} as const;


/** What a page's topology graph (`#graph`, or `root`) draws: status per node ID, and link keys "a b" (a < b). */
export interface GraphPicture {
  nodes: Record<string, string>;
  edges: string[];
  /** Link keys marked as part of the highlighted path. */
  pathEdges: string[];
}

/** Reads the topology graph drawn in `page` (the page's `#graph`, or the SVG under `selector`). */
export async function graphPicture(page: Page, selector = '#graph svg.graph'): Promise<GraphPicture> {
  return page.evaluate((sel) => {
    const svg = document.querySelector(sel);
    const nodes: Record<string, string> = {};
    svg?.querySelectorAll<SVGElement>('[data-node]').forEach((n) => {
      nodes[n.dataset['node'] ?? ''] = n.dataset['status'] ?? '';
    });
    const edges = [...(svg?.querySelectorAll<SVGElement>('[data-edge]') ?? [])].map((e) => e.dataset['edge'] ?? '').sort();
    const pathEdges = [...(svg?.querySelectorAll<SVGElement>('[data-edge][data-path]') ?? [])].map((e) => e.dataset['edge'] ?? '').sort();
    return { nodes, edges, pathEdges };
  }, selector);
}

/** The links the nodes really hold, as graph keys "a b" (a < b), from each node's `neighbours()`. */
export async function actualLinks(nodes: StarmeshNode[]): Promise<string[]> {
  const keys = new Set<string>();
  for (const node of nodes) {
    for (const other of await node.neighbours()) keys.add(node.id < other ? `${node.id} ${other}` : `${other} ${node.id}`);
  }
  return [...keys].sort();
}
