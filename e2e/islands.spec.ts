/**
 * Issue 18, no islands: every introducer of a room closes, so the server holds nobody of the remaining mesh, and
 * newcomers join; the server can introduce them only to each other. The remaining members check in after the
 * removals (`src/core/server-check-in.ts`), take the empty pool and meet the newcomers: one mesh. Without the
 * check-in the newcomers stay a mesh of their own for ever. The test runs its own server (pool of 2), so that a
 * room of four has guests that let go of the server.
 */
import { startSignalServer, type SignalServer } from '../signal/server';
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, peerIds, test } from './fixtures';

let server: SignalServer | undefined;

test.afterEach(async () => {
  await server?.close();
  server = undefined;
});

const POOL = 2;

test('every introducer closes, newcomers join, and the room ends as one mesh with its pool refilled', async ({ openNodes, baseURL, room }) => {
  test.setTimeout(300_000);
  const origin = new URL(baseURL!).origin;
  const signal = await startSignalServer({ port: 0, host: '127.0.0.1', allowedOrigins: [origin], maxIntroducersPerRoom: POOL });
  server = signal;
  const params = { ...FAST_PARAMS, signal: signal.url };
  const old = await openNodes(4, { params });
  await expectFullMembership(old, { states: ['alive'] });
  // The guests let go of the server 5 s after their first link: only the pool stays.
  await expect.poll(() => signal.roomStats(room), { message: 'sockets of the room', timeout: PATIENT_MS }).toEqual({ introducers: POOL, guests: 0 });
  const status = await Promise.all(old.map((node) => node.page.evaluate(() => window.starmesh!.serverStatus())));
  const introducers = old.filter((_, i) => status[i]!.introducer);
  const stay = old.filter((_, i) => !status[i]!.introducer);
  expect(introducers).toHaveLength(POOL);

  for (const node of introducers) await node.close();
  const closedMs = Date.now();
  const fresh = await openNodes(2, { params });
  // Whether the newcomers met only each other first depends on how fast the check-ins came: noted, not asserted.
  const apart = (await Promise.all(fresh.map((node) => peerIds(node)))).every((ids) => ids.every((id) => fresh.some((n) => n.id === id)));
  const everyone = [...stay, ...fresh];
  // Bound: removal (probes, suspicion), a check-in (3 s ±50 %), a server-signaled link and a table exchange.
  await expectFullMembership(everyone, { states: ['alive'], timeoutMs: PATIENT_MS });
  test.info().annotations.push({
    type: 'one mesh after',
    description: `${Date.now() - closedMs} ms from the introducers' close; newcomers knew nobody of the old mesh when ready: ${apart}`,
  });
  // The pool refilled from the members that checked in and the newcomers, up to its size.
  await expect.poll(() => signal.roomStats(room).introducers, { message: 'introducers of the room', timeout: PATIENT_MS }).toBe(POOL);
});
