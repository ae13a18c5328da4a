/**
 * Issue 4, leaving the server: after sixteen tabs joined, the signaling server holds only its pool of introducers
 * for the room (the other tabs let go once the mesh carried them), and a server restart brings back the
 * introducers alone, not a stampede. The test runs its own server (pool of 4) so it can restart it.
 */
import { startSignalServer, type SignalServer } from '../signal/server';
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, test } from './fixtures';

let server: SignalServer | undefined;

test.afterEach(async () => {
  await server?.close();
  server = undefined;
});

const POOL = 4;

test('after sixteen tabs join, the server holds only its introducers, and a restart brings back only those', async ({ openNodes, baseURL, room }) => {
  test.setTimeout(480_000);
  const origin = new URL(baseURL!).origin;
  server = await startSignalServer({ port: 0, host: '127.0.0.1', allowedOrigins: [origin], maxIntroducersPerRoom: POOL });
  const { port } = server;
  // Calm probes: sixteen tabs on a small machine must not time out pings and isolate one another.
  const params = { ...FAST_PARAMS, pingMs: 1_000, pingTimeoutMs: 1_500, signal: server.url };
  const nodes = await openNodes(16, { params, readyTimeoutMs: PATIENT_MS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: 60_000 });

  const first = server;
  await expect
    .poll(() => first.stats().sockets, { message: 'sockets the server holds', timeout: PATIENT_MS })
    .toBeLessThanOrEqual(POOL);
  expect(first.roomStats(room)).toEqual({ introducers: POOL, guests: 0 });
  const status = await Promise.all(nodes.map((node) => node.page.evaluate(() => window.starmesh!.serverStatus())));
  expect(status.filter((s) => s.connected)).toHaveLength(POOL);
  const introducers = nodes.filter((_, i) => status[i]!.introducer);

  // Restart on the same port: only the introducers reconnect (spread by jittered back-off); guests stay away.
  await first.close();
  server = await startSignalServer({ port, host: '127.0.0.1', allowedOrigins: [origin], maxIntroducersPerRoom: POOL });
  const second = server;
  // A socket counts as soon as it connects, its join once its key proof is checked: wait for both.
  await expect
    .poll(() => ({ sockets: second.stats().sockets, joins: second.traffic().joins }), { message: 'introducers back after the restart', timeout: PATIENT_MS })
    .toEqual({ sockets: POOL, joins: POOL });
  // The server counts a join before its welcome reaches the tab: each tab's own view is polled, not read once.
  for (const node of introducers) {
    await expect
      .poll(() => node.page.evaluate(() => window.starmesh!.serverStatus().introducer), { message: `introducer ${node.index} back`, timeout: PATIENT_MS })
      .toBe(true);
  }
  // The mesh never noticed.
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
});
