/**
 * Screenshots of the page for review (light, dark, phone-sized), written to test-results/screenshots/ and attached
 * to the report. Each also checks what makes the picture worth looking at: a connected node, its peers in the
 * table, the links on the graph, and the theme actually applied.
 */
import { expect, expectFullMembership, FAST_PARAMS, graphPicture, PATIENT_MS, test } from './fixtures';

/** Where review screenshots go (under Playwright's outputDir, which is gitignored). */
export const SCREENSHOT_DIR = 'test-results/screenshots';

test('the page in light and dark themes, wide and phone-sized', async ({ openNodes }, testInfo) => {
  test.setTimeout(300_000);
  const nodes = await openNodes(3, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const page = nodes[0]!.page;
  await expect(page.getByRole('status')).toHaveText('connected');
  await expect(page.locator('#peer-rows tr')).toHaveCount(2);
  await expect.poll(async () => (await graphPicture(page)).edges.length, { timeout: PATIENT_MS }).toBeGreaterThanOrEqual(2);
  await expect(page.locator('#graph svg.graph')).toHaveAttribute('data-settled', 'true', { timeout: PATIENT_MS });
  // Something routed, so the log and the inbox are not empty in the picture.
  const result = await page.evaluate((to) => window.starmesh!.send(to, 'hello from the screenshot test'), nodes[2]!.id);
  expect(result.ok).toBe(true);

  const shots: Array<{ name: string; scheme: 'light' | 'dark'; width: number; height: number; background: string }> = [
    { name: 'page-light', scheme: 'light', width: 1280, height: 900, background: 'rgb(246, 247, 249)' },
    { name: 'page-dark', scheme: 'dark', width: 1280, height: 900, background: 'rgb(17, 18, 21)' },
    { name: 'page-phone-dark', scheme: 'dark', width: 390, height: 844, background: 'rgb(17, 18, 21)' },
  ];
  for (const shot of shots) {
    await page.emulateMedia({ colorScheme: shot.scheme });
    await page.setViewportSize({ width: shot.width, height: shot.height });
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(shot.background);
    // Phone-sized: one column, nothing wider than the screen.
    if (shot.width < 500) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(shot.width);
    const path = `${SCREENSHOT_DIR}/${shot.name}.png`;
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(shot.name, { path, contentType: 'image/png' });
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
