/**
 * Two tabs of one browser profile (one Playwright context: shared IndexedDB and Web Locks, separate
 * sessionStorage) are two nodes with two IDs, and both join.
 */
import { expect, expectFullMembership, FAST_PARAMS, openSiblingTab, PATIENT_MS, test } from './fixtures';

test('two tabs in one context are two nodes with two IDs, and both join', async ({ openNodes }) => {
  const [first, elsewhere] = await openNodes(2, { params: FAST_PARAMS });
  const second = await openSiblingTab(first!);
  expect(second.id).not.toBe(first!.id);
  expect(new Set([first!.id, second.id, elsewhere!.id]).size).toBe(3);
  for (const tab of [first!, second]) {
    expect(await tab.page.evaluate(() => window.starmesh!.persistent), `tab ${tab.id} persistent`).toBe(true);
  }
  await expectFullMembership([first!, second, elsewhere!], { states: ['alive'], timeoutMs: PATIENT_MS });
});
