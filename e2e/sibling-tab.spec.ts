/**
 * Same-browser first contact: with the signaling server down, a new tab in the same browser context as a live
 * node finds it over BroadcastChannel, sets up its WebRTC link that way, and learns the mesh through gossip.
 */
import { startSignalServer, type SignalServer } from '../signal/server';
import { expect, expectFullMembership, FAST_PARAMS, openSiblingTab, PATIENT_MS, test } from './fixtures';

let server: SignalServer | undefined;

test.afterEach(async () => {
  await server?.close();
  server = undefined;
});

test('with the server down, a sibling tab joins over BroadcastChannel', async ({ openNodes, baseURL }) => {
  server = await startSignalServer({ port: 0, host: '127.0.0.1', allowedOrigins: [new URL(baseURL!).origin] });
  const nodes = await openNodes(3, { params: { ...FAST_PARAMS, signal: server.url } });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  await server.close();
  server = undefined;

  const [first] = nodes;
  if (first === undefined) throw new Error('nodes expected');
  const sibling = await openSiblingTab(first);
  expect(sibling.id).not.toBe(first.id);
  // Linked to its sibling without any server...
  await expect.poll(() => sibling.neighbours(), { timeout: PATIENT_MS }).toContain(first.id);
  // ...and through gossip it lists every member, and every member lists it.
  const others = nodes.map((node) => node.id).sort();
  await expect
    .poll(async () => (await sibling.peers()).filter((p) => p.state === 'alive').map((p) => p.id).sort(), { timeout: PATIENT_MS })
    .toEqual(others);
  for (const node of nodes) {
    await expect.poll(async () => (await node.peers()).some((p) => p.id === sibling.id && p.state === 'alive'), { timeout: PATIENT_MS }).toBe(true);
  }
});
