/** The composer against real tabs: a unicast reaches its target with its trace, and the sender's log highlights it. */
import { expect, expectFullMembership, FAST_PARAMS, graphPicture, PATIENT_MS, test } from './fixtures';

/** Graph keys ("a b", a < b) of the links a trace crossed. */
function traceLinks(trace: string[]): string[] {
  const keys: string[] = [];
  for (let i = 1; i < trace.length; i++) {
    const [x, y] = [trace[i - 1]!, trace[i]!];
    keys.push(x < y ? `${x} ${y}` : `${y} ${x}`);
  }
  return keys.sort();
}

test('a unicast from the composer shows at the target with its trace; the sender highlights the path', async ({ openNodes }) => {
  test.setTimeout(300_000);
  const nodes = await openNodes(3, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const [a, , c] = nodes;
  const page = a!.page;

  await page.getByRole('combobox', { name: 'To' }).selectOption(c!.id);
  await page.getByRole('textbox', { name: 'Message' }).fill('hello <b>c</b>');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('#compose-result')).toHaveText(/^Delivered to .+ in \d hops? \(\d+ ms\): /, { timeout: PATIENT_MS });

  // The target lists it with sender, text (as text, not HTML) and the trace it came by.
  const received = c!.page.locator(`#inbox li[data-from="${a!.id}"]`);
  await expect(received).toHaveCount(1);
  await expect(received.locator('q')).toHaveText('hello <b>c</b>');
  const trace = ((await received.getAttribute('data-trace')) ?? '').split(' ');
  expect(trace[0]).toBe(a!.id);
  expect(trace.at(-1)).toBe(c!.id);

  // The sender's log selected the delivery line, and the graph highlights exactly the links crossed.
  const selected = page.locator('#route-log li[data-kind="message"] button[aria-pressed="true"]');
  await expect(selected).toHaveCount(1);
  await expect(selected).toContainText('Delivered to');
  await expect.poll(async () => (await graphPicture(page)).pathEdges).toEqual(traceLinks(trace));

  // Selecting the line again (keyboard) clears the highlight.
  await selected.focus();
  await page.keyboard.press('Space');
  await expect(page.locator('#route-log button[aria-pressed="true"]')).toHaveCount(0);
  await expect.poll(async () => (await graphPicture(page)).pathEdges).toEqual([]);
});

test('a broadcast from the composer reaches every member', async ({ openNodes }) => {
  test.setTimeout(300_000);
  const nodes = await openNodes(3, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const [a, b, c] = nodes;
  await a!.page.getByRole('combobox', { name: 'To' }).selectOption('*');
  await a!.page.getByRole('textbox', { name: 'Message' }).fill('hello everyone');
  await a!.page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(a!.page.locator('#compose-result')).toHaveText(/^Broadcast sent to everyone/);
  for (const target of [b!, c!]) {
    const item = target.page.locator(`#inbox li[data-from="${a!.id}"]`);
    await expect(item.locator('q')).toHaveText('hello everyone', { timeout: PATIENT_MS });
    await expect(item.locator('.meta')).toContainText('broadcast from');
  }
});
