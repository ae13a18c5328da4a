/**
 * The signaling server is only for first contact: once the tabs are linked, stopping it must not disturb gossip,
 * pings or anyone's table. The test runs its own server so that it can stop it.
 */
import { startSignalServer, type SignalServer } from '../signal/server';
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, SUSPICION_MS, test, type StarmeshNode } from './fixtures';

let server: SignalServer | undefined;

test.afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** For each node: listed members, state, oldest LastSeen among its peers, messages received. */
async function sample(node: StarmeshNode): Promise<{ members: string[]; state: string; oldestSeenMs: number; messagesIn: number }> {
  return node.page.evaluate(() => {
    const h = window.starmesh!;
    const seen = h.peers().filter((p) => p.state !== 'dead').map((p) => p.lastSeenMs);
    return { members: h.members().sort(), state: h.state(), oldestSeenMs: Math.min(...seen), messagesIn: h.stats().messagesIn };
  });
}

test('with the signaling server stopped, gossip and pings go on and tables stay right', async ({ openNodes, baseURL }) => {
  server = await startSignalServer({ port: 0, host: '127.0.0.1', allowedOrigins: [new URL(baseURL!).origin] });
  const nodes = await openNodes(4, { params: { ...FAST_PARAMS, signal: server.url }, events: ['state', 'membership'] });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  for (const node of nodes) {
    await expect.poll(async () => (await sample(node)).state, { message: `state of ${node.index}` }).toBe('connected');
  }
  const before = await Promise.all(nodes.map(sample));
  const eventsBefore = await Promise.all(nodes.map((n) => n.events('membership').then((e) => e.length)));

  await server.close();
  server = undefined;
  const stoppedMs = Date.now();

  // Pings and gossip go on: every peer of every node is seen again after the server stopped.
  for (const [i, node] of nodes.entries()) {
    await expect
      .poll(async () => (await sample(node)).oldestSeenMs, { message: `fresh LastSeen at node ${node.index}`, timeout: PATIENT_MS })
      .toBeGreaterThan(stoppedMs);
    expect((await sample(node)).messagesIn).toBeGreaterThan(before[i]!.messagesIn);
  }
  // Tables stay right for three suspicion periods: everyone listed, everyone connected at every sample.
  const wrong: string[] = [];
  await expect
    .poll(
      async () => {
        for (const node of nodes) {
          const s = await sample(node);
          const others = nodes.filter((n) => n !== node).map((n) => n.id).sort();
          if (JSON.stringify(s.members) !== JSON.stringify(others)) wrong.push(`node ${node.index} lists ${s.members.length}`);
          if (s.state !== 'connected') wrong.push(`node ${node.index} is ${s.state}`);
        }
        return Date.now() - stoppedMs;
      },
      { message: 'watching the tables without a server', timeout: PATIENT_MS, intervals: [250] },
    )
    .toBeGreaterThanOrEqual(3 * SUSPICION_MS);
  expect(wrong, 'deviations seen while the server was down').toEqual([]);
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  for (const [i, node] of nodes.entries()) {
    const after = (await node.events('membership')).slice(eventsBefore[i]!) as Array<{ type: string }>;
    expect(after.filter((e) => e.type === 'peer:remove' || e.type === 'peer:suspect'), `removals at node ${node.index}`).toEqual([]);
  }
});
