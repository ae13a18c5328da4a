/**
 * MeshNode on real WebRTC (src/adapters/node-webrtc.ts) in one process: a real signaling server, twenty nodes with compressed
 * intervals, and a hostile raw peer. Waits by polling, never by fixed sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignalServer, type SignalServer } from '../../signal/server';
import type { MembershipOptions } from '../core';
import type { MeshNode } from './mesh-node';
import { startNodePeer } from './node-peer';
import { connectRawPeer, until, type RawPeer } from './test-helpers';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import { encodeRouteMessage, type RoutedFrame } from '../routing/route-wire';
import { sealSignal } from './sealed-signal';

// Fast gossip, but probes patient enough that a loaded 2-core CI machine (twenty WebRTC stacks in one process,
// other test files beside it) does not time out live peers.
const FAST: Partial<MembershipOptions> = {
  gossipIntervalMs: 500,
  pingIntervalMs: 1_000,
  pingTimeoutMs: 1_000,
  suspicionTimeoutMs: 6_000,
  heartbeatIntervalMs: 2_000,
  cleanupIntervalMs: 1_000,
  connectTimeoutMs: 8_000,
  minLinkAgeMs: 3_000,
  retryBaseMs: 1_000,
  retryDeadIntervalMs: 5_000,
};
const MAX_DEGREE = 8;
/**
 * Time-out of every wait below: an upper bound for a loaded 2-core machine (twenty WebRTC stacks in one process,
 * other test files beside it), not an expectation of speed. Passing runs end their waits far sooner.
 */
const PATIENT_MS = 60_000;

/** A membership frame around `body`, as a peer would send it. */
function m(body: Record<string, unknown>): string {
  return JSON.stringify({ k: 'm', v: 1, b: body });
}
const INBOUND_SLACK = 2;
const N = 20;

describe('mesh of MeshNodes on real WebRTC', { timeout: 5 * PATIENT_MS }, () => {
  let server: SignalServer;
  const nodes: MeshNode[] = [];

  beforeAll(async () => {
    server = await startSignalServer({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    for (const node of nodes) node.stop();
    await server?.close();
  });

  it(`${N} nodes reach full membership within the degree bound, and all remove one that leaves`, async () => {
    const membership = { ...FAST, maxDegree: MAX_DEGREE, inboundSlack: INBOUND_SLACK };
    const started = await Promise.all(
      Array.from({ length: N }, () => startNodePeer({ signalUrl: server.url, room: 'it', membership, loopbackOnly: true })),
    );
    nodes.push(...started);
    const everyone = new Set(nodes.map((node) => node.id));

    const fullMs = await until(
      () => nodes.every((node) => node.members().length === N - 1 && node.members().every((id) => everyone.has(id))),
      PATIENT_MS,
      () => `members per node: ${nodes.map((node) => node.members().length).join(',')}`,
    );
    // The hard bound holds at every moment; shedding brings each node back to maxDegree once links are old enough.
    for (const node of nodes) expect(node.neighbours().length).toBeLessThanOrEqual(MAX_DEGREE + INBOUND_SLACK);
    await until(
      () => nodes.every((node) => node.neighbours().length <= MAX_DEGREE && node.neighbours().length > 0),
      PATIENT_MS,
      () => `degrees: ${nodes.map((node) => node.neighbours().length).join(',')}`,
    );

    // Every node learns every link from the flooded adverts; a unicast reaches every member along a real path.
    await until(
      () => nodes.every((node) => Object.keys(node.topology()).length === N),
      PATIENT_MS,
      () => `topology sizes: ${nodes.map((node) => Object.keys(node.topology()).length).join(',')}`,
    );
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const [sender] = nodes;
    if (sender === undefined) throw new Error('no nodes');
    // Wait for a quiet overlay, when the sender's picture of every node's links is what that node holds.
    const sameSet = (a: readonly string[] = [], b: readonly string[] = []): boolean => a.length === b.length && a.every((id) => b.includes(id));
    await until(
      () => nodes.every((node) => sameSet(sender.topology()[node.id], node.neighbours())),
      PATIENT_MS,
      () =>
        `adverts differing from links: ${nodes
          .filter((node) => !sameSet(sender.topology()[node.id], node.neighbours()))
          .map((node) => `${node.id.slice(0, 6)} advertised [${(sender.topology()[node.id] ?? []).map((id) => id.slice(0, 6))}] holds [${node.neighbours().map((id) => id.slice(0, 6))}]`)
          .join('; ')}`,
    );
    const topology = sender.topology();
    const inbox = new Map<string, string[]>();
    for (const node of nodes) node.on('message', (m) => inbox.set(node.id, [...(inbox.get(node.id) ?? []), `${m.kind}:${m.from}:${m.data}`]));
    const results = await Promise.all(nodes.slice(1).map((node) => sender.send(node.id, `hi ${node.id}`)));
    // Links may still open while the sends run (nodes below their target degree keep dialling): a hop is real if
    // the link is advertised before or after.
    for (const [id, links] of Object.entries(sender.topology())) topology[id] = [...new Set([...(topology[id] ?? []), ...links])];
    for (const [i, result] of results.entries()) {
      const target = nodes[i + 1];
      if (!result.ok) throw new Error(`unicast to ${target?.id} failed: ${result.code} ${result.detail ?? ''}`);
      expect(result.trace[0]).toBe(sender.id);
      expect(result.trace.at(-1)).toBe(target?.id);
      // Each hop of the trace was a link of the hop before it (as that node advertises it).
      for (let h = 1; h < result.trace.length; h++) {
        expect(topology[result.trace[h - 1] as string]).toContain(result.trace[h]);
      }
      expect(inbox.get(target?.id ?? '')).toContain(`unicast:${sender.id}:hi ${target?.id}`);
    }
    const { msgId } = sender.broadcast('to all');
    expect(msgId).not.toBeNull();
    await until(
      () => nodes.slice(1).every((node) => inbox.get(node.id)?.includes(`broadcast:${sender.id}:to all`) === true),
      PATIENT_MS,
      () => `broadcast missing at ${nodes.filter((node) => !inbox.get(node.id)?.some((m) => m.startsWith('broadcast'))).length}`,
    );
    // Bytes between Node WebRTC peers: raw binary frames (two pieces), arriving as bytes at every node.
    const bytes = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 11) & 0xff);
    const gotBytes = new Map<string, Uint8Array>();
    for (const node of nodes) node.on('message', (m) => m.data instanceof Uint8Array && gotBytes.set(node.id, m.data));
    expect(sender.broadcast(bytes).msgId).not.toBeNull();
    await until(() => gotBytes.size === N - 1, PATIENT_MS, () => `binary broadcast at ${gotBytes.size} of ${N - 1}`);
    for (const got of gotBytes.values()) expect(got).toEqual(bytes);
    expect(byId.size).toBe(N);
    // Connections a node dialled after its first contact were signaled through the mesh, not the server.
    const viaServer = nodes.reduce((sum, node) => sum + node.stats().linksViaServer, 0);
    const viaMesh = nodes.reduce((sum, node) => sum + node.stats().linksViaMesh, 0);
    const first = nodes.reduce((sum, node) => sum + node.stats().linksFirstContact, 0);
    const waited = nodes.reduce((sum, node) => sum + node.stats().dialsWaitedForRoute, 0);
    console.info(`[mesh] links dialled: first contact ${first}, later via server ${viaServer}, later via mesh ${viaMesh} (${waited} waited for a route)`);
    // All twenty start at once, so some dials aim at a node with no link yet (no mesh path to it): they wait for
    // a route instead of using the server. Only a retry of a removed peer may use the server, and none is removed.
    expect(viaServer).toBe(0);
    expect(viaMesh).toBeGreaterThan(0);

    // Guests let go of the server once they have a mesh link: the server keeps at most its pool of introducers.
    await until(
      () => server.stats().sockets <= 8 && nodes.filter((node) => node.serverStatus().connected).length <= 8,
      PATIENT_MS,
      () => `server ${JSON.stringify(server.stats())}, nodes connected ${nodes.filter((node) => node.serverStatus().connected).length}`,
    );
    expect(server.roomStats('it')).toEqual({ introducers: 8, guests: 0 });
    expect(nodes.filter((node) => node.serverStatus().introducer)).toHaveLength(8);

    const [leaver, ...rest] = nodes;
    if (leaver === undefined) throw new Error('no nodes');
    leaver.stop();
    const removedMs = await until(
      () => rest.every((node) => !node.members().includes(leaver.id)),
      PATIENT_MS,
      () => `still listing the leaver: ${rest.filter((node) => node.members().includes(leaver.id)).length}`,
    );
    expect(rest.every((node) => node.members().length === N - 2)).toBe(true);
    console.info(`[mesh] n=${N} full membership after ${fullMs} ms; leave removed everywhere after ${removedMs} ms`);
  });
});

describe('MeshNode against a hostile peer', { timeout: 5 * PATIENT_MS }, () => {
  let server: SignalServer;
  let node: MeshNode | undefined;
  let raw: RawPeer | undefined;

  beforeAll(async () => {
    server = await startSignalServer({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    raw?.close();
    node?.stop();
    await server?.close();
  });

  it('drops and counts malformed frames, and keeps working', async () => {
    // A small per-link frame budget, so that the flood below exceeds it however slowly this machine sends.
    node = await startNodePeer({ signalUrl: server.url, room: 'evil', membership: FAST, linkInboundLimit: { ratePerSec: 20, burst: 400 }, loopbackOnly: true });
    const target = node;
    raw = await connectRawPeer(server.url, 'evil', target.id);
    const hostile = raw;
    await until(() => target.neighbours().includes(hostile.id), PATIENT_MS, () => 'raw peer never became a neighbour');

    const entry = (id: string, counter = 1, state = 0): unknown[] => [id, counter, state, 0];
    const frames: Array<[string, string]> = [
      ['bad-json', '{"k":"m","v":1,"b":{"t":"push","e":['],
      ['bad-json', 'not json at all'],
      ['wrong types', m({ t: 'push', e: 'entries' })],
      ['wrong types', m({ t: 'ping', n: 'one' })],
      ['bad envelope', JSON.stringify({ k: 'm', v: '1', b: { t: 'ack', n: 1 } })],
      ['bad envelope', JSON.stringify([1, 2, 3])],
      ['bad envelope', '{"__proto__":{"k":"m","v":1,"b":{"t":"ping","n":1}}}'],
      ['old frame', JSON.stringify({ v: 1, t: 'ping', n: 1 })],
      ['other version', JSON.stringify({ k: 'm', v: 2, b: { t: 'ping', n: 1 } })],
      ['unknown type', m({ t: 'rm -rf', e: [] })],
      ['too many entries', m({ t: 'push', e: Array.from({ length: 600 }, (_, i) => entry(`a${i}`)) })],
      ['proto entries', m({ t: 'news', e: [entry('__proto__'), entry('constructor')] })],
      ['own id list', m({ t: 'news', e: Array.from({ length: 50 }, () => entry(hostile.id, 5)) })],
      ['own id list', m({ t: 'news', e: [entry(target.id, 2 ** 40, 2)] })],
    ];
    for (const [, text] of frames) hostile.sendRaw(text);
    // Bypass the hostile side's own 16 KiB check: one oversize frame and one with 10 000 entries.
    hostile.sendRaw('x'.repeat(20_000));
    hostile.sendRaw(m({ t: 'push', e: Array.from({ length: 10_000 }, (_, i) => entry(`b${i}`)) }));

    const total = (): number => Object.values(target.stats().drops).reduce((a, b) => a + b, 0);
    await until(
      () => (target.stats().drops['link:too-large'] ?? 0) >= 2 && total() >= frames.length + 2,
      PATIENT_MS,
      () => `drops so far: ${JSON.stringify(target.stats().drops)}`,
    );
    const drops = target.stats().drops;
    expect(drops['frame:bad-json']).toBe(2);
    expect(drops['frame:bad-envelope']).toBe(4);
    expect(drops['message:bad-shape']).toBeGreaterThanOrEqual(2);
    expect(drops['message:bad-version']).toBe(1);
    expect(drops['message:unknown-type']).toBe(1);
    expect(drops['message:too-many-entries']).toBe(1);
    // `__proto__` and `constructor` are no 22-character IDs: dropped as bad entries with the 49 duplicates.
    expect(drops['message:bad-entries']).toBe(51);
    expect(drops['link:too-large']).toBe(2);

    // Nothing leaked into the table or the prototype chain; our own counter did not jump; still alive and linked.
    expect(target.members().every((id) => id === hostile.id)).toBe(true);
    expect(({} as Record<string, unknown>)['v']).toBeUndefined();
    expect(target.stats().counter).toBeLessThan(1_000);
    expect(target.state).toBe('connected');
    // It still answers a well-formed ping.
    const acks = hostile.received.length;
    hostile.sendRaw(m({ t: 'ping', n: 42 }));
    await until(() => hostile.received.slice(acks).some((text) => text.includes('"t":"ack","n":42')), PATIENT_MS, () => 'no ack');
  });
  it('rejects altered relayed signaling, offer floods, loops and endless fragment streams, and keeps routing', async () => {
    const target = node;
    const hostile = raw;
    if (target === undefined || hostile === undefined) throw new Error('previous test did not set up the peers');
    const third = await identityFromKeyPair(await generateKeyPair(false));
    const routed = (over: Partial<RoutedFrame>): string | Uint8Array =>
      encodeRouteMessage({ t: 'r', frame: { kind: 'sig', origin: third.id, target: target.id, msgId: 'm0', trace: [third.id, hostile.id], piece: 0, pieces: 1, body: '', ...over } });
    const drops = (): Record<string, number> => target.stats().drops;

    // A relay swaps the fingerprint of an offer sealed by someone else: refused, no peer connection built.
    const sealed = await sealSignal(third, target.id, { k: 'rtc', s: { type: 'offer', sdp: 'v=0\r\na=fingerprint:sha-256 AA:BB\r\n' } });
    hostile.sendRaw(routed({ body: sealed.replace('AA:BB', 'EE:FF') }));
    await until(() => (drops()['route:signal-bad-signature'] ?? 0) === 1, PATIENT_MS, () => JSON.stringify(drops()));
    // The same offer untouched but replayed: accepted once, the replay refused.
    hostile.sendRaw(routed({ body: sealed, msgId: 'm1' }));
    hostile.sendRaw(routed({ body: sealed, msgId: 'm2' }));
    await until(() => (drops()['route:signal-replay'] ?? 0) === 1, PATIENT_MS, () => JSON.stringify(drops()));

    // An offer flood from one origin: the target stops accepting at its per-origin limit (60 per 10 s).
    for (let i = 0; i < 100; i++) hostile.sendRaw(routed({ body: sealed, msgId: `f${i}` }));
    await until(() => (drops()['route:signal-rate'] ?? 0) >= 30, PATIENT_MS, () => JSON.stringify(drops()));

    // A routing loop and a trace that does not end with its sender.
    const empty = new Uint8Array([0]); // a data piece: the empty string
    hostile.sendRaw(routed({ kind: 'uni', trace: [third.id, target.id, hostile.id], msgId: 'l1', body: empty }));
    hostile.sendRaw(routed({ kind: 'uni', trace: [third.id], msgId: 'l2', body: empty }));
    await until(() => (drops()['route:loop'] ?? 0) === 1 && (drops()['route:bad-trace'] ?? 0) === 1, PATIENT_MS, () => JSON.stringify(drops()));

    // Endless fragment streams: messages whose pieces never complete are bounded per origin and expire.
    for (let i = 0; i < 10; i++) hostile.sendRaw(routed({ kind: 'uni', trace: [hostile.id], origin: hostile.id, msgId: `e${i}`, piece: 0, pieces: 30, body: new Uint8Array([1, 2, 3]) }));
    await until(() => (drops()['route:too-many-pending'] ?? 0) === 6, PATIENT_MS, () => JSON.stringify(drops()));

    // Still working: a unicast from the hostile peer's side of the link is delivered and acknowledged.
    const inbox: (string | Uint8Array)[] = [];
    target.on('message', (m) => inbox.push(m.data));
    const hello = new Uint8Array([0, ...new TextEncoder().encode('hello')]); // content tag 0: a string
    hostile.sendRaw(encodeRouteMessage({ t: 'r', frame: { kind: 'uni', origin: hostile.id, target: target.id, msgId: 'ok1', trace: [hostile.id], piece: 0, pieces: 1, body: hello } }));
    await until(() => inbox.includes('hello'), PATIENT_MS, () => 'no delivery');
    // Bytes cross the Node WebRTC stack raw, in a binary frame, and arrive as bytes.
    const bytes = new Uint8Array([1, 0, 255, 128]); // content tag 1: bytes
    hostile.sendRaw(encodeRouteMessage({ t: 'r', frame: { kind: 'uni', origin: hostile.id, target: target.id, msgId: 'ok2', trace: [hostile.id], piece: 0, pieces: 1, body: bytes } }));
    await until(() => inbox.some((d) => d instanceof Uint8Array && [...d].join() === '0,255,128'), PATIENT_MS, () => 'no binary delivery');
    // Malformed binary frames are counted drops: a header length past the end, a kind byte with no binary form.
    hostile.sendRaw(new Uint8Array([0x72, 0, 1, 0xff, 0xff, 1]));
    hostile.sendRaw(new Uint8Array([0x6d, 0, 1, 0, 2, 0x7b, 0x7d]));
    await until(() => (drops()['frame:bad-binary'] ?? 0) === 1 && (drops()['frame:unknown-kind'] ?? 0) === 1, PATIENT_MS, () => JSON.stringify(drops()));
    await until(() => hostile.received.some((text) => text.includes('"k":"ack"') && text.includes('ok1')), PATIENT_MS, () => 'no ack');
    expect(target.state).toBe('connected');

    // A frame flood over the link is cut to the per-link rate before any parsing; the link then works on.
    for (let i = 0; i < 1_500; i++) hostile.sendRaw(m({ t: 'ping', n: 1_000 + i }));
    await until(() => (drops()['link:rate-limited'] ?? 0) > 0, PATIENT_MS, () => JSON.stringify(drops()));
    const seen = hostile.received.length;
    await until(
      () => {
        hostile.sendRaw(m({ t: 'ping', n: 99_999 }));
        return hostile.received.slice(seen).some((text) => text.includes('"n":99999'));
      },
      PATIENT_MS,
      () => 'no ack after the flood',
      500,
    );
  });
});
