/**
 * The `mesh` fixture of `starmesh/playwright`: per test, an in-process signaling server on a free port and a
 * unique room; `mesh.open(n)` opens n tabs of the user's page (each in its own browser context) with `signal` and
 * `room` as URL parameters, and waits until each page's `joinMesh` made its node. Chromium is launched with the
 * WebRTC flags tabs on one machine need (`chromium.ts`).
 */
import {
  test as base,
  expect,
  type PlaywrightTestArgs,
  type PlaywrightTestOptions,
  type PlaywrightWorkerArgs,
  type PlaywrightWorkerOptions,
  type TestInfo,
  type TestType,
} from '@playwright/test';
import { startSignalServer, type SignalServerOptions } from '../../signal/index';
import { TEST_HOOK_NAME } from '../api/test-hook';
import { chromiumArgs, chromiumExecutablePath } from './chromium';
import { expectFullMembership, type PollOptions } from './membership';
import { meshTab, type MeshTab } from './mesh-tab';
import { FIXTURE_STORE, installTestHook, MAX_RECORDED_PER_EVENT, RECORDED_EVENTS } from './page-hook';
import { absoluteUrl, attachLogsOnFailure, openPage, PATIENT_MS, uniqueRoom, type ContextSetup, type OpenedPage } from './pages';

/** The fixture's settings: `use: { starmesh: { pageUrl: '/' } }` in playwright.config (or `test.use`). */
export interface StarmeshTestOptions {
  /** The page that calls `joinMesh`, absolute or relative to `baseURL`. Default `/`. */
  pageUrl?: string;
  /** Extra URL parameters for every tab. */
  params?: Record<string, string | number | boolean>;
  /** Use this signaling server (ws:// URL) instead of starting one per test. */
  signalUrl?: string;
  /** Options of the per-test server (`startSignalServer`); host and port default to 127.0.0.1 and a free port. */
  server?: SignalServerOptions;
  /** Upper bound of the wait for each tab's node, default `PATIENT_MS` (60 s, sized for a loaded machine). */
  readyTimeoutMs?: number;
}

/** The type parameter of `defineConfig` for a config that sets `use.starmesh`. */
export interface StarmeshFixtureOptions {
  starmesh: StarmeshTestOptions;
}

/** Options of one `mesh.open()` call (each overrides the fixture's setting). */
export interface OpenOptions {
  pageUrl?: string;
  /** Default: the test's unique room (`mesh.room`). */
  room?: string;
  params?: Record<string, string | number | boolean>;
  /** Also wait for each node's first link (`mesh.ready`); default only for its ID. */
  waitForReady?: boolean;
  readyTimeoutMs?: number;
  /** Runs on each new context before its page loads (init scripts, `context.clock.install()`). */
  setup?: ContextSetup;
}

/** `n` tabs: a tuple when `n` is a literal (so `const [a, b] = await mesh.open(2)` needs no checks), else an array. */
export type Tabs<N extends number, R extends MeshTab[] = []> = number extends N ? MeshTab[] : R['length'] extends N ? R : Tabs<N, [...R, MeshTab]>;

/** The `mesh` fixture. */
export interface MeshFixture {
  /** This test's room: unique per test and run. */
  readonly room: string;
  /** The signaling server the tabs are given (ws://). */
  readonly signalUrl: string;
  /** Opens `n` tabs at once, each in its own browser context, and waits until each page's node has its ID. */
  open<N extends number>(n: N, options?: OpenOptions): Promise<Tabs<N>>;
  /** Every tab opened so far in this test. */
  tabs(): MeshTab[];
  /**
   * Polls until each of `tabs` (default: every open one) lists all the others, and nobody else, in the states
   * `options.states` (default `alive`).
   */
  expectFullMembership(tabs?: readonly MeshTab[], options?: PollOptions): Promise<void>;
}

/** The fixtures `test` adds to Playwright's. */
export interface StarmeshFixtures {
  mesh: MeshFixture;
  starmesh: StarmeshTestOptions;
}

/** `test` with the `mesh` fixture and Starmesh's Chromium; use it like Playwright's own. */
// Spelled out so the published .d.ts names only `@playwright/test` (not its internal `playwright/test`).
export const test: TestType<PlaywrightTestArgs & PlaywrightTestOptions & StarmeshFixtures, PlaywrightWorkerArgs & PlaywrightWorkerOptions> = base.extend<StarmeshFixtures>({
  starmesh: [{}, { option: true }],

  browser: [
    async ({ playwright, browserName, launchOptions }, use) => {
      const chromium = browserName === 'chromium';
      const executablePath = launchOptions.executablePath ?? (chromium ? chromiumExecutablePath() : undefined);
      const browser = await playwright[browserName].launch({
        ...launchOptions,
        args: [...(launchOptions.args ?? []), ...(chromium ? chromiumArgs : [])],
        ...(executablePath ? { executablePath } : {}),
      });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],

  mesh: async ({ browser, baseURL, starmesh }, use, testInfo) => {
    const server = starmesh.signalUrl ? undefined : await startSignalServer({ host: '127.0.0.1', port: 0, ...starmesh.server });
    const signalUrl = starmesh.signalUrl ?? server!.url;
    const room = uniqueRoom(testInfo);
    const opened: OpenedPage[] = [];
    const tabs: MeshTab[] = [];
    const open = async <N extends number>(n: N, options: OpenOptions = {}): Promise<Tabs<N>> => {
      if (!Number.isInteger(n) || n < 1) throw new Error(`mesh.open(n): n must be a positive integer, got ${n}`);
      const query = new URLSearchParams({ signal: signalUrl, room: options.room ?? room });
      for (const [k, v] of Object.entries({ ...starmesh.params, ...options.params })) query.set(k, String(v));
      const url = new URL(absoluteUrl(baseURL, options.pageUrl ?? starmesh.pageUrl ?? '/'));
      for (const [k, v] of query) url.searchParams.set(k, v);
      const timeoutMs = options.readyTimeoutMs ?? starmesh.readyTimeoutMs ?? PATIENT_MS;
      const batch = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const page = await openPage(browser, url.toString(), opened.length + i, async (context, index) => {
            await context.addInitScript(installTestHook, { hookName: TEST_HOOK_NAME, storeName: FIXTURE_STORE, events: RECORDED_EVENTS, maxPerEvent: MAX_RECORDED_PER_EVENT });
            await options.setup?.(context, index);
          });
          opened.push(page);
          return page;
        }),
      );
      const joined = await Promise.all(batch.map((page) => joinedTab(page, timeoutMs)));
      if (options.waitForReady) await Promise.all(joined.map((tab) => tab.ready()));
      tabs.push(...joined);
      return joined as Tabs<N>;
    };
    await use({
      room,
      signalUrl,
      open,
      tabs: () => [...tabs],
      expectFullMembership: (subset = tabs, options = {}) => expectFullMembership(subset, { states: ['alive'], ...options }),
    });
    await finish(opened, testInfo);
    await server?.close();
  },
});

export { expect };

/** Waits until the page's `joinMesh` announced its mesh, with a message that says what the page must do. */
async function joinedTab(page: OpenedPage, timeoutMs: number): Promise<MeshTab> {
  try {
    const handle = await page.page.waitForFunction(
      (s) => {
        const id = (globalThis as unknown as Record<string, { mesh?: { id?: unknown } } | undefined>)[s]?.mesh?.id;
        return typeof id === 'string' && id.length > 0 ? id : undefined;
      },
      FIXTURE_STORE,
      { timeout: timeoutMs },
    );
    return meshTab(page, (await handle.jsonValue()) as string);
  } catch (error) {
    const tail = page.log.slice(-5).join('\n  ');
    throw new Error(
      `tab ${page.index} (${page.page.url()}): no node within ${timeoutMs} ms. The page must call joinMesh() from ` +
        `'starmesh' with the URL parameters "signal" and "room".${tail ? `\n  last console lines:\n  ${tail}` : ''}\n  (${String(error).split('\n')[0]})`,
    );
  }
}

async function finish(opened: OpenedPage[], testInfo: TestInfo): Promise<void> {
  await attachLogsOnFailure(opened, testInfo);
  await Promise.all(opened.map((p) => p.close()));
}
