import { test, expect } from 'starmesh/playwright';

test('three tabs join and a binary message reaches the others', async ({ mesh }) => {
  const [a, b, c] = await mesh.open(3);
  await mesh.expectFullMembership();

  const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
  const receipt = await a.send(b.id, bytes);
  expect(receipt.trace.at(-1)).toBe(b.id);
  await a.broadcast(new Uint8Array([7, 7, 7]));

  const fromA = async (tab: typeof b, length: number) =>
    (await tab.events('message')).filter((m) => m.from === a.id && m.data instanceof Uint8Array && m.data.length === length).map((m) => Array.from(m.data as Uint8Array));
  await expect.poll(() => fromA(b, 6)).toEqual([[0, 1, 2, 253, 254, 255]]);
  await expect.poll(() => fromA(c, 3)).toEqual([[7, 7, 7]]);
  await expect.poll(() => fromA(b, 3)).toEqual([[7, 7, 7]]);

  // A large message travels in 12 000-byte pieces; the receiver hears of each piece but the last.
  const large = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff);
  const big = await a.send(c.id, large);
  expect(big.trace.at(-1)).toBe(c.id);
  const arrived = (await c.events('message')).find((m) => m.data instanceof Uint8Array && m.data.length === large.length);
  expect(Array.from(arrived?.data as Uint8Array)).toEqual(Array.from(large));
  const progress = (await c.events('progress')).filter((p) => p.msgId === arrived?.msgId);
  expect(progress.map((p) => [p.kind, p.from, p.receivedPieces, p.totalPieces])).toEqual([1, 2, 3].map((n) => ['unicast', a.id, n, 4]));
});

test('a page that never calls joinMesh fails mesh.open with a message saying so', async ({ mesh }) => {
  await expect(mesh.open(1, { pageUrl: '/no-mesh.html', readyTimeoutMs: 3_000 })).rejects.toThrow(/must call joinMesh\(\)[\s\S]*no mesh here/);
});
