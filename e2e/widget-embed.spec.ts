/**
 * The embeddable widget, built (`vite build --mode widget`) and served with its example host pages from another
 * origin than the page: it joins the same mesh as ordinary tabs, emits its DOM events, exposes the node, its
 * styles and a hostile host page's stay apart (e2e/pages/widget-hostile.html, a fixture served by the page's dev
 * server that loads the built widget from the widget's origin), and every observed attribute reacts when changed. Screenshots of the widget go to test-results/screenshots/.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, expectPeers, FAST_PARAMS, PATIENT_MS, test, type StarmeshNode } from './fixtures';

const SCREENSHOT_DIR = 'test-results/screenshots';

interface RecordedEvent {
  type: string;
  detail: Record<string, unknown>;
}
type WithEvents = { __widgetEvents?: RecordedEvent[] };

/** Init script: records every starmesh-* event that reaches `document` from the first moment. */
function recordWidgetEvents(): void {
  const seen: RecordedEvent[] = ((window as WithEvents).__widgetEvents = []);
  for (const type of ['starmesh-ready', 'starmesh-join', 'starmesh-leave', 'starmesh-message', 'starmesh-state']) {
    document.addEventListener(type, (event) => seen.push({ type, detail: (event as CustomEvent<Record<string, unknown>>).detail }));
  }
}

/** Opens a host page in its own context; returns the page and the widget node's ID. */
async function openHost(
  browser: import('@playwright/test').Browser,
  url: string,
  log: string[],
): Promise<{ page: Page; id: string; close: () => Promise<void> }> {
  const context = await browser.newContext();
  await context.addInitScript(recordWidgetEvents);
  const page = await context.newPage();
  page.on('console', (m) => log.push(`[host ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[host pageerror] ${e.message}`));
  await page.goto(url);
  const id = await page.evaluate(() => document.querySelector('starmesh-widget')!.ready.then((node) => node.id));
  return { page, id, close: () => context.close() };
}

function hostUrl(base: string, path: string, room: string, signal: string, extra: Record<string, string> = {}): string {
  const options = new URLSearchParams(Object.entries(FAST_PARAMS).map(([k, v]) => [k, String(v)]));
  return `${base}/${path}?${new URLSearchParams({ room, signal, options: options.toString(), ...extra })}`;
}

const events = (page: Page, type: string): Promise<Array<Record<string, unknown>>> =>
  page.evaluate((t) => ((window as WithEvents).__widgetEvents ?? []).filter((e) => e.type === t).map((e) => e.detail), type);

test('the widget on another origin joins the mesh of ordinary tabs and emits join, message and leave events', async ({ browser, openNodes, room, signalUrl, widgetHostUrl, baseURL }, testInfo) => {
  test.setTimeout(300_000);
  const tabs = await openNodes(2, { params: FAST_PARAMS });
  const log: string[] = [];
  const host = await openHost(browser, hostUrl(widgetHostUrl, '', room, signalUrl), log);
  try {
    expect(new URL(host.page.url()).origin).not.toBe(new URL(baseURL!).origin);
    const [a, b] = tabs as [StarmeshNode, StarmeshNode];
    // One mesh: each tab knows the other and the widget's node, the widget knows the tabs.
    await expectPeers(a, [b.id, host.id], { states: ['alive'], timeoutMs: PATIENT_MS });
    await expectPeers(b, [a.id, host.id], { states: ['alive'], timeoutMs: PATIENT_MS });
    await expect
      .poll(() => host.page.evaluate(() => document.querySelector('starmesh-widget')!.node!.members().sort()), { timeout: PATIENT_MS })
      .toEqual([a.id, b.id].sort());

    expect(await events(host.page, 'starmesh-ready')).toEqual([{ id: host.id }]);
    await expect.poll(async () => (await events(host.page, 'starmesh-join')).map((d) => d['id']).sort()).toEqual([a.id, b.id].sort());
    const shadowText = (selector: string): Promise<string> =>
      host.page.evaluate((sel) => document.querySelector('starmesh-widget')!.shadowRoot!.querySelector(sel)?.textContent ?? '', selector);
    await expect.poll(() => shadowText('.count')).toBe('3');
    expect(await shadowText('.who')).toBe('you and 2 others');
    await expect.poll(() => host.page.evaluate(() => document.querySelector('starmesh-widget')!.shadowRoot!.querySelectorAll('[data-node]').length)).toBe(3);

    // A tab sends to the widget's node: the host page hears it with the trace.
    const sent = await a.page.evaluate((to) => window.starmesh!.send(to, 'hello widget'), host.id);
    expect(sent.ok, JSON.stringify(sent)).toBe(true);
    await expect.poll(() => events(host.page, 'starmesh-message')).toEqual([
      expect.objectContaining({ from: a.id, data: 'hello widget', kind: 'unicast', trace: expect.arrayContaining([a.id, host.id]) }),
    ]);
    const [message] = await events(host.page, 'starmesh-message');
    expect((message!['trace'] as string[]).at(-1)).toBe(host.id);

    // The example page tells its reader about the events too, in its own words.
    await expect(host.page.locator('#events li[data-type="starmesh-message"]')).toHaveText([`${a.id.slice(0, 6)} says: hello widget`]);

    await host.page.locator('starmesh-widget').screenshot({ path: `${SCREENSHOT_DIR}/widget-compact.png` });
    await testInfo.attach('widget-compact', { path: `${SCREENSHOT_DIR}/widget-compact.png`, contentType: 'image/png' });

    await b.close();
    await expect.poll(async () => (await events(host.page, 'starmesh-leave')).map((d) => d['id']), { timeout: 60_000 }).toEqual([b.id]);
    await expect.poll(() => shadowText('.count')).toBe('2');
  } finally {
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('host-console.txt', { body: log.join('\n') || '(empty)', contentType: 'text/plain' });
    await host.close();
  }
});

test('widget and host page styles stay apart; the panel opens from the keyboard', async ({ browser, openNodes, room, signalUrl, widgetHostUrl, baseURL }, testInfo) => {
  test.setTimeout(300_000);
  const [tab] = await openNodes(1, { params: FAST_PARAMS });
  const log: string[] = [];
  // The rude fixture page, with the built widget from its own origin.
  const fixture = hostUrl(baseURL!, 'e2e/pages/widget-hostile.html', room, signalUrl, { widget: `${widgetHostUrl}/starmesh-widget.iife.js` });
  const host = await openHost(browser, fixture, log);
  try {
    const page = host.page;
    await expect(page).toHaveTitle(/^Style isolation test page/);
    await expect.poll(() => page.evaluate(() => document.querySelector('starmesh-widget')!.node!.members()), { timeout: PATIENT_MS }).toEqual([tab!.id]);
    const styles = await page.evaluate(() => {
      const widget = document.querySelector('starmesh-widget')!;
      const root = widget.shadowRoot!;
      const css = (el: Element | null): CSSStyleDeclaration => getComputedStyle(el!);
      return {
        // Host elements that share the widget's class names keep the host's look.
        hostCount: { weight: css(document.querySelector('body > p .count')).fontWeight, color: css(document.querySelector('body > p .count')).color },
        hostButton: css(document.querySelector('body > p button.summary')).backgroundColor,
        // Inside: none of the host's rules or inherited font and colour, nor its --accent.
        count: { weight: css(root.querySelector('.count')).fontWeight, color: css(root.querySelector('.count')).color, border: css(root.querySelector('.count')).borderTopWidth },
        summary: { background: css(root.querySelector('.summary')).backgroundColor, fontSize: css(root.querySelector('.summary')).fontSize },
        fontFamily: css(root.querySelector('.box')).fontFamily,
        accent: css(root.querySelector('.box')).getPropertyValue('--accent').trim(),
      };
    });
    expect(styles.hostCount).toEqual({ weight: '400', color: 'rgb(0, 128, 0)' });
    expect(styles.hostButton).toBe('rgb(255, 0, 0)');
    expect(styles.count.weight).toBe('700');
    expect(styles.count.color).not.toBe('rgb(0, 128, 0)');
    expect(styles.count.border).toBe('0px');
    expect(styles.summary.background).not.toBe('rgb(255, 0, 0)');
    expect(styles.summary.fontSize).not.toBe('30px');
    expect(styles.fontFamily).not.toContain('Georgia');
    expect(styles.accent).not.toBe('rgb(255, 0, 255)');

    // Keyboard: Tab reaches the summary button, Enter opens the panel with the peer list.
    const summary = page.locator('starmesh-widget').getByRole('button', { name: /^Starmesh: 2 members \(you and 1 other\)/ });
    await summary.focus();
    await page.keyboard.press('Enter');
    await expect(summary).toHaveAttribute('aria-expanded', 'true');
    await expect(page.locator('starmesh-widget')).toHaveAttribute('expanded', '');
    await expect(page.locator('starmesh-widget').locator(`li[data-peer="${tab!.id}"]`)).toContainText('neighbour');
    // Accessible inside its shadow root too (the rude host page itself is not under test).
    const axe = await new AxeBuilder({ page }).include('starmesh-widget').analyze();
    expect(axe.passes.length, 'axe checked the widget').toBeGreaterThan(0);
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await page.locator('starmesh-widget').screenshot({ path: `${SCREENSHOT_DIR}/widget-expanded.png` });
    await testInfo.attach('widget-expanded', { path: `${SCREENSHOT_DIR}/widget-expanded.png`, contentType: 'image/png' });
  } finally {
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('host-console.txt', { body: log.join('\n') || '(empty)', contentType: 'text/plain' });
    await host.close();
  }
});

test('the ES module build defines the same element and hands the node to the host', async ({ browser, openNodes, room, signalUrl, widgetHostUrl }) => {
  const [tab] = await openNodes(1, { params: FAST_PARAMS });
  const log: string[] = [];
  const host = await openHost(browser, hostUrl(widgetHostUrl, 'module.html', room, signalUrl), log);
  try {
    await expect(host.page).toHaveTitle(`Starmesh widget ${host.id.slice(0, 6)} (ES module)`);
    await expect.poll(() => host.page.evaluate(() => document.querySelector('starmesh-widget')!.node!.members()), { timeout: PATIENT_MS }).toEqual([tab!.id]);
    await expect(host.page.locator('starmesh-widget').locator(`li[data-peer="${tab!.id}"]`)).toBeVisible();
  } finally {
    await host.close();
  }
});

test('every observed attribute reacts when changed: expanded, theme, and room, signal and options with a new node', async ({ browser, openNodes, room, signalUrl, widgetHostUrl }) => {
  test.setTimeout(300_000);
  const [inA] = await openNodes(1, { params: FAST_PARAMS });
  const [inB] = await openNodes(1, { params: FAST_PARAMS, room: `${room}-b` });
  const log: string[] = [];
  const host = await openHost(browser, hostUrl(widgetHostUrl, '', room, signalUrl), log);
  try {
    const page = host.page;
    const widget = page.locator('starmesh-widget');
    const members = (): Promise<string[]> => page.evaluate(() => document.querySelector('starmesh-widget')!.node?.members() ?? []);
    const nodeId = (): Promise<string | null> => page.evaluate(() => document.querySelector('starmesh-widget')!.node?.id ?? null);
    const setAttr = (name: string, value: string | null): Promise<void> =>
      page.evaluate(({ n, v }) => (v === null ? document.querySelector('starmesh-widget')!.removeAttribute(n) : document.querySelector('starmesh-widget')!.setAttribute(n, v)), { n: name, v: value });
    await expect.poll(members, { timeout: PATIENT_MS }).toEqual([inA!.id]);

    // expanded: the panel opens and closes, and the button says so.
    const summary = widget.getByRole('button', { name: /^Starmesh: / });
    await setAttr('expanded', '');
    await expect(summary).toHaveAttribute('aria-expanded', 'true');
    await expect(widget.locator(`li[data-peer="${inA!.id}"]`)).toBeVisible();
    await setAttr('expanded', null);
    await expect(summary).toHaveAttribute('aria-expanded', 'false');
    await expect(widget.locator(`li[data-peer="${inA!.id}"]`)).toBeHidden();

    // theme: dark and light whatever the system says.
    const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.querySelector('starmesh-widget')!.shadowRoot!.querySelector('.box')!).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    await setAttr('theme', 'dark');
    await expect.poll(background).toBe('rgb(27, 28, 33)');
    await setAttr('theme', 'light');
    await expect.poll(background).toBe('rgb(255, 255, 255)');

    // room (with signal set in the same task: one restart): the old node leaves, a new one joins room B.
    const first = host.id;
    const readyEvents = async (): Promise<number> => (await events(page, 'starmesh-ready')).length;
    expect(await readyEvents()).toBe(1);
    await page.evaluate(([r, sig]) => {
      const element = document.querySelector('starmesh-widget')!;
      element.setAttribute('room', r!);
      element.setAttribute('signal', sig!);
    }, [`${room}-b`, signalUrl]);
    await expect.poll(members, { timeout: PATIENT_MS }).toEqual([inB!.id]);
    const second = await nodeId();
    expect(second).not.toBe(first);
    expect(await readyEvents()).toBe(2);
    expect(await page.evaluate(() => document.querySelector('starmesh-widget')!.ready.then((node) => node.id))).toBe(second);
    // The old node said goodbye: the tab of room A no longer lists it.
    await expect.poll(() => inA!.page.evaluate(() => window.starmesh!.members()), { timeout: PATIENT_MS }).toEqual([]);
    expect(await page.evaluate(() => document.querySelector('starmesh-widget')!.shadowRoot!.querySelectorAll('svg.graph').length)).toBe(1);

    // options: a new node again, same room.
    await setAttr('options', new URLSearchParams({ ...Object.fromEntries(Object.entries(FAST_PARAMS).map(([k, v]) => [k, String(v)])), gossipMs: '400' }).toString());
    await expect.poll(nodeId, { timeout: PATIENT_MS }).not.toBe(second);
    await expect.poll(members, { timeout: PATIENT_MS }).toEqual([inB!.id]);

    // signal: an unreachable server, and the widget says it is offline.
    await setAttr('signal', 'ws://127.0.0.1:59999');
    await expect(widget.locator('.state')).toHaveText('offline', { timeout: PATIENT_MS });
    await expect.poll(members, { timeout: PATIENT_MS }).toEqual([]);
  } finally {
    if (test.info().status !== test.info().expectedStatus) await test.info().attach('host-console.txt', { body: log.join('\n') || '(empty)', contentType: 'text/plain' });
    await host.close();
  }
});
