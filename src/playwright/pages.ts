/**
 * Tabs for multi-node tests, shared by the published fixture (`starmesh/playwright`) and the repo's own e2e
 * fixtures: each tab in its own browser context (separate IndexedDB, BroadcastChannel and Web Locks, like separate
 * browsers), its console kept, and attached to the report when the test fails.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page, TestInfo } from '@playwright/test';

/**
 * Upper bound of a wait for something the mesh does (join, detect, replace): sized for a loaded 2-core machine
 * (a dozen renderers, both cores also busy elsewhere), not an expectation of speed. Passing waits end far sooner.
 */
export const PATIENT_MS = 60_000;

/** A page opened in its own browser context, with console output captured. */
export interface OpenedPage {
  /** 0, 1, 2… in the order the test opened them. */
  index: number;
  context: BrowserContext;
  page: Page;
  /** Console lines and page errors seen so far (attached to the report on failure). */
  log: string[];
  /** Closes the context: to the mesh this looks like a tab crash. Idempotent. */
  close(): Promise<void>;
}

/** Runs on each new context before its page loads (init scripts, `context.clock.install()`). */
export type ContextSetup = (context: BrowserContext, index: number) => Promise<void>;

/** Opens `url` in a fresh context of `browser`, after `setup` ran on that context. */
export async function openPage(browser: Browser, url: string, index: number, setup?: ContextSetup): Promise<OpenedPage> {
  const context = await browser.newContext();
  await setup?.(context, index);
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.stack ?? e.message}`));
  await page.goto(url);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await context.close();
  };
  return { index, context, page, log, close };
}

/** Attaches each page's console to the report when the test did not end as expected. */
export async function attachLogsOnFailure(opened: readonly OpenedPage[], testInfo: TestInfo): Promise<void> {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const p of opened) {
    await testInfo.attach(`page-${p.index}-console.txt`, { body: p.log.join('\n') || '(empty)', contentType: 'text/plain' });
  }
}

/** Room names are unique per test and per run, so a reused server never mixes tests. */
export function uniqueRoom(testInfo: TestInfo): string {
  const slug = testInfo.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40).replace(/^-|-$/g, '');
  return `${slug || 'test'}-${randomUUID().slice(0, 8)}`;
}

/** `path` resolved against the configured `baseURL` (an absolute `path` needs none). */
export function absoluteUrl(baseURL: string | undefined, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return path;
  if (!baseURL) throw new Error(`"${path}" is relative but no baseURL is configured (set use.baseURL in playwright.config)`);
  return new URL(path, baseURL).toString();
}
