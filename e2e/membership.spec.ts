/**
 * Membership scenarios with real tabs: each node is a page in its own browser context, intervals compressed
 * through the URL (FAST_PARAMS), every wait an `expect.poll` with an explicit bound.
 */
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, SUSPICION_MS, test, type StarmeshNode } from './fixtures';

/** Listed members of `node` (alive or suspect), sorted. */
async function members(node: StarmeshNode): Promise<string[]> {
  return (await node.page.evaluate(() => window.starmesh!.members())).sort();
}

test('eight tabs join: every tab lists the seven others', async ({ openNodes }) => {
  const nodes = await openNodes(8, { params: FAST_PARAMS });
  expect(new Set(nodes.map((n) => n.id)).size).toBe(8);
  const startMs = Date.now();
  // Bound: introductions plus a handful of 500 ms gossip rounds, with room for a loaded 2-core machine.
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  test.info().annotations.push({ type: 'full membership after', description: `${Date.now() - startMs} ms` });
  for (const node of nodes) {
    await expect.poll(() => node.page.evaluate(() => window.starmesh!.state()), { message: `state of ${node.index}` }).toBe('connected');
    expect((await node.neighbours()).length, `neighbours of ${node.index}`).toBeGreaterThan(0);
  }
});

/** Closing runs pagehide (the tab says goodbye); a crash does not, so the others must detect it by probing. */
const ENDINGS = {
  closes: (node: StarmeshNode) => node.close(),
  crashes: async (node: StarmeshNode) => {
    const cdp = await node.context.newCDPSession(node.page);
    const crashed = node.page.waitForEvent('crash');
    // Never answered: the session dies with the renderer.
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
  },
};

for (const [ending, end] of Object.entries(ENDINGS)) test(`a tab that ${ending} is removed everywhere and stays removed`, async ({ openNodes }) => {
  const nodes = await openNodes(5, { params: FAST_PARAMS, events: ['membership'] });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const [gone, ...rest] = nodes as [StarmeshNode, ...StarmeshNode[]];
  await end(gone);
  const closedMs = Date.now();

  // Bound: probe (4 × 1 s) + suspicion 6 s + gossip to the non-neighbours, with room for a loaded 2-core machine.
  for (const node of rest) {
    await expect.poll(() => members(node), { message: `members of ${node.index}`, timeout: PATIENT_MS }).not.toContain(gone.id);
  }
  const reasons = await Promise.all(
    rest.map(async (node) => {
      const removal = (await node.events('membership')).find((e) => (e as { type: string; id?: string }).type === 'peer:remove' && (e as { id?: string }).id === gone.id);
      return (removal as { reason?: string } | undefined)?.reason ?? '?';
    }),
  );
  test.info().annotations.push({ type: 'removed everywhere after', description: `${Date.now() - closedMs} ms; reasons: ${reasons.join(', ')}` });
  // Keep watching for three suspicion periods (many gossip rounds): nobody may bring it back.
  const watchStartMs = Date.now();
  const seenListed: string[] = [];
  await expect
    .poll(
      async () => {
        for (const node of rest) if ((await members(node)).includes(gone.id)) seenListed.push(`node ${node.index}`);
        return Date.now() - watchStartMs;
      },
      { message: 'watching the removed tab stay removed', timeout: PATIENT_MS, intervals: [250] },
    )
    .toBeGreaterThanOrEqual(3 * SUSPICION_MS);
  expect(seenListed, 'nodes that listed the closed tab again').toEqual([]);
  for (const node of rest) {
    const back = (await node.events('membership')).filter(
      (e) => (e as { id?: string; type: string }).id === gone.id && ['peer:join', 'peer:alive'].includes((e as { type: string }).type),
    );
    // One join when it first appeared; no join or alive after that.
    expect(back.filter((e) => (e as { type: string }).type === 'peer:join').length, `joins of the closed tab at ${node.index}`).toBe(1);
  }
  // Still full among the survivors.
  await expectFullMembership(rest, { states: ['alive'], timeoutMs: PATIENT_MS });
});
