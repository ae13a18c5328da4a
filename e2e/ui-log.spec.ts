/** The routing log as a newcomer reads it: plain words, a tag and a tooltip per kind of line, a legend, a filter. */
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, test } from './fixtures';

/** Protocol words a newcomer does not know ("gossip" only appears as the name of a kind). */
const JARGON = /\b(push|pull|sync|table|unicast|ack|signal forwarded|entries)\b/i;

test('the routing log speaks plain words, explains each kind of line and filters by kind', async ({ openNodes }) => {
  test.setTimeout(300_000);
  const nodes = await openNodes(2, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const [a, b] = nodes;
  const page = a!.page;
  const sent = await page.evaluate((to) => window.starmesh!.send(to, 'hello log'), b!.id);
  expect(sent.ok, JSON.stringify(sent)).toBe(true);
  await page.getByRole('textbox', { name: 'Message' }).fill('to everyone');
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');

  const lines = page.locator('#route-log li');
  const gossip = page.locator('#route-log li[data-kind="gossip"]');
  const messages = page.locator('#route-log li[data-kind="message"]');
  await expect(gossip.first()).toBeVisible({ timeout: PATIENT_MS });
  await expect(messages.first()).toBeVisible({ timeout: PATIENT_MS });
  // Every line: a tag naming its kind, a tooltip saying what the kind means, and no protocol jargon.
  for (const text of await lines.allTextContents()) expect(text).not.toMatch(JARGON);
  await expect(gossip.first().locator('.tag')).toHaveText('gossip');
  await expect(gossip.first().locator('button')).toHaveAttribute('title', /swaps its list of members with a neighbour/);
  await expect(gossip.first()).toContainText(/(shared|answered|member list)/);
  await expect(messages.first().locator('button')).toHaveAttribute('title', /message to one member, or a broadcast/);

  // The legend names and explains the four kinds.
  await page.getByText('What the lines mean').click();
  const legend = page.locator('.log-legend dt');
  await expect(legend).toHaveText(['message Messages', 'receipt Receipts', 'link setup Link setup', 'gossip Membership gossip']);
  await expect(page.locator('.log-legend dd').first()).toBeVisible();

  // The filter: gossip hidden, messages still shown; and back.
  const filter = page.getByRole('group', { name: 'Show' });
  await filter.getByRole('checkbox', { name: 'Membership gossip' }).uncheck();
  await expect(gossip.first()).toBeHidden();
  await expect(messages.first()).toBeVisible();
  await filter.getByRole('checkbox', { name: 'Messages' }).uncheck();
  await expect(messages.first()).toBeHidden();
  await filter.getByRole('checkbox', { name: 'Membership gossip' }).check();
  await expect(gossip.first()).toBeVisible();
});
