/**
 * Issue 4's hostile cases against a real tab: a linked Node peer acts as a bad relay. It alters signaling sealed by
 * someone else, floods offers, sends a routing loop, oversized and endless fragment streams. Each is refused and
 * counted, and the tab goes on routing.
 */
import { generateKeyPair, identityFromKeyPair } from '../src/identity/keys';
import { sealSignal } from '../src/node/sealed-signal';
import { encodeRouteMessage, type RoutedFrame } from '../src/routing/route-wire';
import { connectEvilPeer } from './evil-peer';
import { expect, FAST_PARAMS, PATIENT_MS, test } from './fixtures';

test('a bad relay: altered signaling, offer floods, loops, oversized and endless fragments are refused and counted', async ({ openNodes, room, signalUrl, baseURL }) => {
  const [a, b] = await openNodes(2, { params: FAST_PARAMS });
  if (a === undefined || b === undefined) throw new Error('two nodes expected');
  await expect.poll(() => a.neighbours(), { timeout: PATIENT_MS }).toContain(b.id);
  const evil = await connectEvilPeer(signalUrl, room, a.id, new URL(baseURL ?? 'http://127.0.0.1:5173').origin);
  await expect.poll(() => a.neighbours(), { timeout: PATIENT_MS }).toContain(evil.id);
  const drops = (): Promise<Record<string, number>> => a.page.evaluate(() => window.starmesh!.stats().drops);

  const third = await identityFromKeyPair(await generateKeyPair(false));
  const frame = (over: Partial<RoutedFrame>): string | Uint8Array =>
    encodeRouteMessage({ t: 'r', frame: { kind: 'sig', origin: third.id, target: a.id, msgId: 'm0', trace: [third.id, evil.id], piece: 0, pieces: 1, body: '', ...over } });

  const write = (f: string | Uint8Array): void => (typeof f === 'string' ? evil.write(f) : evil.writeBinary(f));
  const piece = new Uint8Array([0]); // a data piece (they travel as binary frames): the empty string

  // Altered: a DTLS fingerprint swapped in an offer that `third` sealed for `a`.
  const sealed = await sealSignal(third, a.id, { k: 'rtc', s: { type: 'offer', sdp: 'v=0\r\na=fingerprint:sha-256 AA:BB\r\n' } });
  write(frame({ body: sealed.replace('AA:BB', 'EE:FF') }));
  // Flood: 100 copies of a valid offer from one origin (the first is accepted, replays and the excess are not).
  for (let i = 0; i < 100; i++) write(frame({ body: sealed, msgId: `f${i}` }));
  // Loop: a trace that already holds the receiver.
  write(frame({ kind: 'uni', trace: [third.id, a.id, evil.id], msgId: 'loop', body: piece }));
  // Oversized: a piece above the body cap, and a message of more pieces than 256 KiB can need.
  write(frame({ kind: 'uni', origin: evil.id, trace: [evil.id], msgId: 'big', body: new Uint8Array(13_000) }));
  write(frame({ kind: 'uni', origin: evil.id, trace: [evil.id], msgId: 'many', pieces: 500, body: piece }));
  // Endless: first pieces of ten messages that never complete.
  for (let i = 0; i < 10; i++) write(frame({ kind: 'uni', origin: evil.id, trace: [evil.id], msgId: `e${i}`, pieces: 30, body: new Uint8Array([1, 2, 3]) }));

  const expected = ['route:signal-bad-signature', 'route:signal-replay', 'route:signal-rate', 'route:loop', 'route:bad-shape', 'route:too-many', 'route:too-many-pending'];
  await expect
    .poll(async () => {
      const counted = await drops();
      return expected.filter((reason) => (counted[reason] ?? 0) > 0);
    }, { timeout: PATIENT_MS })
    .toEqual(expected);

  // Still routing: a and b reach each other directly, with their traces.
  const there = await a.page.evaluate((to) => window.starmesh!.send(to, 'still here'), b.id);
  expect(there).toMatchObject({ ok: true, trace: [a.id, b.id], hops: 1 });
  const back = await b.page.evaluate((to) => window.starmesh!.send(to, 'and back'), a.id);
  expect(back).toMatchObject({ ok: true, trace: [b.id, a.id], hops: 1 });
  evil.close();
});
