/**
 * Screenshots for review, written to test-results/screenshots/ and attached to the report: the page with 1, 3 and 8
 * tabs and the widget's example host page, each light, dark and phone-sized. Each also checks what makes the picture
 * worth looking at: a settled graph with every member and none of its links behind a node, the peers in the table, something
 * in the log, the theme actually applied, nothing wider than a phone's screen.
 */
import type { Page, TestInfo } from '@playwright/test';
import { expect, expectFullMembership, FAST_PARAMS, graphPicture, PATIENT_MS, test, type StarmeshNode } from './fixtures';
import { drawnGraph, linksThroughNodes } from './ui-geometry';

/** Where review screenshots go (under Playwright's outputDir, which is gitignored). */
export const SCREENSHOT_DIR = 'test-results/screenshots';

interface Shot {
  suffix: string;
  scheme: 'light' | 'dark';
  width: number;
  height: number;
}
const SHOTS: Shot[] = [
  { suffix: 'light', scheme: 'light', width: 1280, height: 900 },
  { suffix: 'dark', scheme: 'dark', width: 1280, height: 900 },
  { suffix: 'phone', scheme: 'light', width: 390, height: 844 },
];

/** Takes the three shots of `page` as `<name>-light|dark|phone.png`; `background` gives the page colour per scheme. */
async function shoot(page: Page, name: string, background: Record<Shot['scheme'], string>, testInfo: TestInfo): Promise<void> {
  // A still picture: with reduced motion no new dots start, and those under way end within a second or two.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect(page.locator('.graph-pulses .pulse')).toHaveCount(0);
  for (const shot of SHOTS) {
    await page.emulateMedia({ colorScheme: shot.scheme });
    await page.setViewportSize({ width: shot.width, height: shot.height });
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(background[shot.scheme]);
    // Phone-sized: one column, nothing wider than the screen.
    if (shot.width < 500) expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} on a phone`).toBeLessThanOrEqual(shot.width);
    const path = `${SCREENSHOT_DIR}/${name}-${shot.suffix}.png`;
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`${name}-${shot.suffix}`, { path, contentType: 'image/png' });
  }
}

const PAGE_BACKGROUND = { light: 'rgb(246, 247, 249)', dark: 'rgb(17, 18, 21)' };

/**
 * Waits until `viewer` draws every member with at least enough links to connect them, at rest, none behind a node.
 * (That the links drawn are exactly the links held is ui-graph's test: with eight tabs on a loaded machine the
 * adverts can trail the links for longer than a picture needs to wait.)
 */
async function expectSettledGraph(viewer: StarmeshNode, nodes: StarmeshNode[]): Promise<void> {
  await expect
    .poll(async () => {
      const picture = await graphPicture(viewer.page);
      return Object.keys(picture.nodes).length === nodes.length && picture.edges.length >= nodes.length - 1;
    }, { message: 'graph shows every member, connected', timeout: PATIENT_MS })
    .toBe(true);
  await expect(viewer.page.locator('#graph svg.graph')).toHaveAttribute('data-settled', 'true', { timeout: PATIENT_MS });
  expect(linksThroughNodes(await drawnGraph(viewer.page))).toEqual([]);
}

test('the page with one tab: light, dark, phone', async ({ openNodes }, testInfo) => {
  const [alone] = await openNodes(1, { params: FAST_PARAMS });
  const page = alone!.page;
  await expect(page.locator('#member-summary')).toHaveText('1 member: you, nobody else yet', { timeout: PATIENT_MS, useInnerText: true });
  await expect(page.locator('#node-state-detail')).toHaveText(/nobody else is in this room yet/, { timeout: PATIENT_MS });
  await expect(page.locator('#graph [data-node]')).toHaveCount(1);
  await expect(page.locator('#graph svg.graph')).toHaveAttribute('data-settled', 'true', { timeout: PATIENT_MS });
  await shoot(page, 'page-1', PAGE_BACKGROUND, testInfo);
});

test('the page with three tabs: light, dark, phone', async ({ openNodes }, testInfo) => {
  test.setTimeout(300_000);
  const nodes = await openNodes(3, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const page = nodes[0]!.page;
  await expect(page.getByRole('status')).toHaveText('connected');
  await expect(page.locator('#peer-rows tr')).toHaveCount(2);
  await expect(page.locator('#member-summary')).toHaveText('3 members: you and 2 others');
  await expectSettledGraph(nodes[0]!, nodes);
  // Something routed, so the log and the inbox are not empty in the picture.
  const result = await page.evaluate((to) => window.starmesh!.send(to, 'hello from the screenshot test'), nodes[2]!.id);
  expect(result.ok).toBe(true);
  await nodes[1]!.page.evaluate(() => window.starmesh!.broadcast('hello everyone'));
  await expect(page.locator('#inbox li')).toHaveCount(1, { timeout: PATIENT_MS });
  await shoot(page, 'page-3', PAGE_BACKGROUND, testInfo);
});

test('the page with eight tabs: light, dark, phone', async ({ openNodes }, testInfo) => {
  test.setTimeout(480_000);
  const nodes = await openNodes(8, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: 180_000 });
  const page = nodes[0]!.page;
  await expect(page.locator('#member-summary')).toHaveText('8 members: you and 7 others');
  await expectSettledGraph(nodes[0]!, nodes);
  const result = await page.evaluate((to) => window.starmesh!.send(to, 'hello from the screenshot test'), nodes[5]!.id);
  expect(result.ok).toBe(true);
  await shoot(page, 'page-8', PAGE_BACKGROUND, testInfo);
});

test('the widget example page (a site embedding the widget): light, dark, phone', async ({ browser, openNodes, room, signalUrl, widgetHostUrl }, testInfo) => {
  test.setTimeout(300_000);
  const tabs = await openNodes(2, { params: FAST_PARAMS });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const options = new URLSearchParams(Object.entries(FAST_PARAMS).map(([k, v]) => [k, String(v)]));
    await page.goto(`${widgetHostUrl}/?${new URLSearchParams({ room, signal: signalUrl, options: options.toString() })}`);
    await expect(page.locator('starmesh-widget .count')).toHaveText('3', { timeout: PATIENT_MS });
    await expect(page.locator('starmesh-widget .state')).toHaveText('connected', { timeout: PATIENT_MS });
    await expect(page.locator('starmesh-widget [data-edge]')).toHaveCount(3, { timeout: PATIENT_MS });
    // Something in the activity list: a tab says hello.
    await tabs[0]!.page.evaluate(() => window.starmesh!.broadcast('Hello from the workshop!'));
    await expect(page.locator('#events li[data-type="starmesh-message"]')).toHaveCount(1, { timeout: PATIENT_MS });
    await expect(page.getByRole('button', { name: 'Say hello to everyone' })).toBeEnabled();
    await shoot(page, 'widget-site', { light: 'rgb(251, 250, 247)', dark: 'rgb(22, 21, 19)' }, testInfo);
  } finally {
    await context.close();
  }
});

test('the theme toggle overrides the system theme and is remembered', async ({ openNodes }) => {
  const [a] = await openNodes(1, { params: FAST_PARAMS });
  const page = a!.page;
  await page.emulateMedia({ colorScheme: 'dark' });
  const toggle = page.locator('#theme-toggle');
  const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await expect(toggle).toHaveText('Theme: system');
  await expect.poll(background).toBe('rgb(17, 18, 21)');
  await toggle.press('Enter');
  await expect(toggle).toHaveText('Theme: light');
  await expect.poll(background).toBe('rgb(246, 247, 249)');
  await page.reload();
  await expect(page.locator('#theme-toggle')).toHaveText('Theme: light');
  await expect.poll(background).toBe('rgb(246, 247, 249)');
  await page.locator('#theme-toggle').click();
  await expect(page.locator('#theme-toggle')).toHaveText('Theme: dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(background).toBe('rgb(17, 18, 21)');
});
