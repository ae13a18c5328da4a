/**
 * A signaling server whose Origin allow-list leaves out the page's origin (and the widget host's): the page and
 * the widget say exactly that, not "unreachable", and wait between attempts instead of looping. The server tells a
 * refused page so on the socket (close 4011), since a browser cannot read an HTTP 403 at upgrade.
 */
import { startSignalServer, type SignalServer } from '../signal/server';
import { expect, FAST_PARAMS, PATIENT_MS, test } from './fixtures';

const REFUSED = "This page's origin is not allowed by the signaling server";
let server: SignalServer | undefined;

test.beforeEach(async () => {
  // Only an origin no test page is served from.
  server = await startSignalServer({ port: 0, host: '127.0.0.1', allowedOrigins: ['https://elsewhere.example'] });
});

test.afterEach(async () => {
  await server?.close();
  server = undefined;
});

test('a page of an origin the server does not allow says so, and waits before asking again', async ({ openNodes }) => {
  const [a] = await openNodes(1, { params: { ...FAST_PARAMS, signal: server!.url } });
  const page = a!.page;
  await expect(page.getByRole('status')).toHaveText('offline', { timeout: PATIENT_MS });
  const detail = page.locator('#node-state-detail');
  await expect(detail).toHaveText(new RegExp(`^${REFUSED} — retrying`), { timeout: PATIENT_MS });
  await expect(detail).not.toContainText('unreachable');
  // Between attempts it counts down to the next one (a back-off, not a loop).
  await expect(page.locator('#node-state-countdown')).toHaveText(/^retrying in \d+ s$/, { timeout: PATIENT_MS });
  expect(server!.traffic().refusedOrigins).toBeGreaterThanOrEqual(1);
  expect(server!.stats().sockets).toBe(0);
});

test('the widget on a host page of an origin the server does not allow says so', async ({ browser, room, widgetHostUrl }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const options = new URLSearchParams(Object.entries(FAST_PARAMS).map(([k, v]) => [k, String(v)]));
    await page.goto(`${widgetHostUrl}/?${new URLSearchParams({ room, signal: server!.url, options: options.toString() })}`);
    const widget = page.locator('starmesh-widget');
    await expect(widget.locator('.state')).toHaveText('offline', { timeout: PATIENT_MS });
    await expect(widget.locator('.problem')).toHaveText(REFUSED, { timeout: PATIENT_MS });
    await expect(widget.locator('.problem')).toBeVisible();
  } finally {
    await context.close();
  }
});
