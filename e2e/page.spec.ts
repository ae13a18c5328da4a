/** The page itself: what it shows, and how it treats bad URL parameters and a missing signaling server. */
import { expect, FAST_PARAMS, PATIENT_MS, test } from './fixtures';

test('the page shows ID, state, room, members and the peer table with LastSeen', async ({ openNodes, room }) => {
  const [a, b] = await openNodes(2, { params: FAST_PARAMS });
  const page = a!.page;
  await expect(page.locator('#node-id')).toHaveAttribute('title', a!.id);
  await expect(page.locator('#node-room')).toHaveText(room);
  await expect(page.getByRole('status')).toHaveText('connected', { timeout: PATIENT_MS });
  await expect(page.locator('#member-count')).toHaveText('1');
  await expect(page.locator('#persistence')).toHaveText('persisted (IndexedDB)');
  await expect(page.getByRole('columnheader')).toHaveText(['ID', 'State', 'Last seen', 'Score', 'RTT', 'Hops']);
  const row = page.locator(`#peer-rows tr[data-peer="${b!.id}"]`);
  await expect(row.locator('td')).toHaveText([b!.id.slice(0, 10) + '…', 'neighbour', /^(now|\d+ s ago)$/, /^\d+\.\d\d$/, /^(\d+ ms|–)$/, '1']);
  await expect(page.locator('#notes')).toBeHidden();
});

test('invalid interval parameters are ignored with a visible note', async ({ openNodes }) => {
  const [a] = await openNodes(1, { params: { ...FAST_PARAMS, gossipMs: 'fast', pingMs: -5, staleMs: 99_999_999 } });
  const notes = a!.page.locator('#notes li');
  await expect(notes).toHaveCount(3);
  await expect(notes.nth(0)).toContainText('gossipMs=fast ignored');
  await expect(notes.nth(1)).toContainText('pingMs=-5 ignored');
  await expect(notes.nth(2)).toContainText('staleMs=99999999 ignored');
});

test('an unreachable signaling server shows as offline with the reason and a live retry countdown', async ({ openNodes }) => {
  // Nothing listens on this port inside the test's private network namespace.
  const [a] = await openNodes(1, { params: { ...FAST_PARAMS, signal: 'ws://127.0.0.1:59999' }, events: ['state'] });
  const detail = a!.page.locator('#node-state-detail');
  await expect(a!.page.getByRole('status')).toHaveText('offline', { timeout: PATIENT_MS });
  await expect(detail).toHaveText(/^Signaling server unreachable — retrying(…| now…| in \d+ s) \(/);
  // While it waits it says when it tries again, in a part of the sentence kept out of the live announcements.
  const countdown = a!.page.locator('#node-state-countdown');
  await expect(countdown).toHaveText(/^retrying in \d+ s$/, { timeout: PATIENT_MS });
  await expect(countdown).toHaveAttribute('aria-live', 'off');
  await expect(detail).toHaveText(/^Signaling server unreachable — retrying in \d+ s \(.+\)$/);
  // The countdown is live: it goes down without any new state event. Every text it shows is recorded inside the
  // page, so a busy machine's slow polling cannot miss the step (or see a later, longer back-off instead).
  await countdown.evaluate((element) => {
    const seen: string[] = [element.textContent ?? ''];
    (window as unknown as { countdownTexts: string[] }).countdownTexts = seen;
    new MutationObserver(() => seen.push(element.textContent ?? '')).observe(element, { childList: true, characterData: true, subtree: true });
  });
  const stepsDown = (texts: string[]): number => {
    const seconds = texts.map((text) => /^retrying in (\d+) s$/.exec(text)?.[1]).map((n) => (n === undefined ? null : Number(n)));
    return seconds.filter((n, i) => i > 0 && n !== null && seconds[i - 1] !== null && n < seconds[i - 1]!).length;
  };
  await expect
    .poll(async () => stepsDown(await a!.page.evaluate(() => (window as unknown as { countdownTexts: string[] }).countdownTexts)), {
      message: 'the countdown went down at least once',
      timeout: PATIENT_MS,
    })
    .toBeGreaterThanOrEqual(1);
  // The node retries the server with back-off; after a failed retry it must still say offline, not joining.
  const states = async (): Promise<string[]> => ((await a!.events('state')) as Array<{ state: string }>).map((e) => e.state);
  await expect.poll(async () => (await states()).filter((s) => s === 'offline').length, { timeout: PATIENT_MS }).toBeGreaterThanOrEqual(2);
  const history = await states();
  expect(history.slice(history.indexOf('offline')), 'states after the first failure').toEqual(history.slice(history.indexOf('offline')).map(() => 'offline'));
  await expect(a!.page.getByRole('status')).toHaveText('offline');
  await expect(detail).toHaveText(/^Signaling server unreachable — retrying(…| now…| in \d+ s) \(/);
});
