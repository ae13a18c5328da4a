import { connectEvilPeer } from './evil-peer';
import { expect, FAST_PARAMS, PATIENT_MS, test } from './fixtures';

/** Every kind of junk the peer sends below, by the reason the tab counts it under. */
const EXPECTED_DROPS = [
  'frame:bad-json', 'frame:bad-envelope', 'message:bad-shape', 'message:bad-version', 'message:unknown-type', 'message:too-many-entries',
  'message:bad-entries', 'link:too-large', 'frame:unknown-kind', 'frame:bad-binary',
];

test('a peer sending malformed and oversized frames is dropped and counted while the tab works on', async ({ openNodes, room, signalUrl, baseURL }) => {
  const [a, b] = await openNodes(2, { params: FAST_PARAMS });
  if (a === undefined || b === undefined) throw new Error('two nodes expected');
  await expect.poll(async () => (await a.peers()).filter((p) => p.state === 'alive').map((p) => p.id)).toContain(b.id);

  const evil = await connectEvilPeer(signalUrl, room, a.id, new URL(baseURL ?? 'http://127.0.0.1:5173').origin);
  const drops = (): Promise<Record<string, number>> =>
    a.page.evaluate(() => (window as unknown as { starmesh: { stats(): { drops: Record<string, number> } } }).starmesh.stats().drops);

  evil.write('this is not json');
  evil.write('{"v":1,"t":"ping","n":1}'); // no envelope
  evil.write('{"k":"m","v":1,"b":{"t":"push","e":"not a list"}}');
  evil.write('{"k":"m","v":99,"b":{"t":"push","e":[]}}');
  evil.write('{"k":"m","v":1,"b":{"t":"launch-missiles"}}');
  evil.write(JSON.stringify({ k: 'm', v: 1, b: { t: 'push', e: Array.from({ length: 600 }, (_, i) => [`x${i}`, 1, 0, 0]) } }));
  evil.write(JSON.stringify({ k: 'm', v: 1, b: { t: 'news', e: [[a.id, 1e300, 2, 0], ['__proto__', 1, 0, 0], [evil.id, -1, 0, 0], [b.id, 'x', 0, 0]] } }));
  evil.write('{'.repeat(20_000));
  // Binary frames reach the decoder (routed data travels so): a kind byte with no binary form, a header past the end.
  evil.writeBinary(new Uint8Array(16));
  evil.writeBinary(new Uint8Array([0x72, 0, 1, 0xff, 0xff, 0]));

  await expect.poll(async () => {
    const counted = await drops();
    return EXPECTED_DROPS.filter((reason) => (counted[reason] ?? 0) > 0);
  }, { timeout: PATIENT_MS }).toEqual(EXPECTED_DROPS);

  // The tab still works: it keeps B, and a newcomer still joins it.
  const [c] = await openNodes(1, { params: FAST_PARAMS });
  if (c === undefined) throw new Error('third node expected');
  await expect.poll(async () => (await a.peers()).filter((p) => p.state === 'alive').map((p) => p.id).sort(), { timeout: PATIENT_MS })
    .toEqual(expect.arrayContaining([b.id, c.id]));
  await expect.poll(async () => (await a.peers()).some((p) => p.id === '__proto__')).toBe(false);
  evil.close();
});
