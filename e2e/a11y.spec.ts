/** Accessibility of the page (axe-core): no serious or critical violations, in light and dark, with live content. */
import AxeBuilder from '@axe-core/playwright';
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, test } from './fixtures';

test('the page has no serious or critical accessibility violations', async ({ openNodes }) => {
  test.setTimeout(300_000);
  const nodes = await openNodes(2, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const page = nodes[0]!.page;
  await expect(page.locator('#peer-rows tr')).toHaveCount(1);
  // Live content in every panel: a delivered message, log lines, a selected log line, a filtered table.
  await page.getByRole('combobox', { name: 'To' }).selectOption(nodes[1]!.id);
  await page.getByRole('textbox', { name: 'Message' }).fill('axe');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('#compose-result')).toHaveText(/^Delivered/, { timeout: PATIENT_MS });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).analyze();
    // The check ran over the real page (colour contrast among others), not over an empty document.
    expect(results.passes.map((p) => p.id)).toEqual(expect.arrayContaining(['color-contrast', 'label', 'aria-allowed-attr']));
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
    expect(serious, `${scheme} theme`).toEqual([]);
  }
});

test('the page is usable with the keyboard alone', async ({ openNodes }) => {
  const nodes = await openNodes(2, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const page = nodes[0]!.page;
  // Sort by ID from the keyboard: the header button takes focus and Enter sorts.
  const idHeader = page.getByRole('columnheader', { name: 'ID' });
  await idHeader.getByRole('button').focus();
  await page.keyboard.press('Enter');
  await expect(idHeader).toHaveAttribute('aria-sort', 'ascending');
  await page.keyboard.press('Enter');
  await expect(idHeader).toHaveAttribute('aria-sort', 'descending');
  // Filter: typing a prefix of the peer's ID keeps its row, nonsense empties the table with a message.
  const filter = page.getByRole('searchbox', { name: 'Filter peers' });
  await filter.focus();
  await page.keyboard.type(nodes[1]!.id.slice(0, 6));
  await expect(page.locator('#peer-rows tr')).toHaveCount(1);
  await filter.fill('zz-no-such-peer');
  await expect(page.locator('#peer-rows tr')).toHaveCount(0);
  await expect(page.locator('#no-peers')).toHaveText('No peer matches “zz-no-such-peer”.');
  // Tab reaches the composer and Enter in the message field sends.
  await page.getByRole('combobox', { name: 'To' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
  await page.keyboard.type('typed');
  await page.keyboard.press('Enter');
  await expect(page.locator('#compose-result')).toHaveText(/^Broadcast sent/);
});
