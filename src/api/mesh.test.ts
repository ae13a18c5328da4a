/**
 * The public `Mesh` over real drivers on in-memory links and signaling with a manual clock (no WebRTC, no network):
 * ready, events, typed payloads both ways, MeshError codes, AbortSignal unsubscription, leave.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRng } from '../core/random';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import { settle } from '../node/fake-signaling';
import { MemoryLinkNetwork } from '../node/memory-links';
import { MemorySignaling } from '../node/memory-signaling';
import { MeshNode } from '../node/mesh-node';
import { ManualClock } from '../node/test-clock';
import { createMesh, type Mesh } from './mesh';
import { MeshError } from './mesh-error';
import type { MeshEvents, MeshMessage } from './mesh-events';

const FAST = {
  gossipIntervalMs: 500, pingIntervalMs: 1_000, pingTimeoutMs: 500, suspicionTimeoutMs: 3_000, heartbeatIntervalMs: 2_000,
  cleanupIntervalMs: 1_000, connectTimeoutMs: 5_000, minLinkAgeMs: 2_000, retryBaseMs: 500,
};

const meshes: Mesh[] = [];
afterEach(async () => {
  await Promise.all(meshes.splice(0).map((mesh) => mesh.leave()));
});

interface World {
  clock: ManualClock;
  meshes: Mesh[];
  /** Moves the clock until `done()`, letting crypto and deliveries settle. */
  runUntil(done: () => boolean, what: string, maxMs?: number): Promise<void>;
}

/** `n` meshes, started one after another; `beforeStart` sees each before its node starts (to record from the first event). */
async function world(n: number, beforeStart: (mesh: Mesh, index: number) => void = () => undefined): Promise<World> {
  const clock = new ManualClock(1_000_000);
  const server = new MemorySignaling();
  const links = new MemoryLinkNetwork();
  const made: Mesh[] = [];
  for (let i = 0; i < n; i++) {
    const identity = await identityFromKeyPair(await generateKeyPair(false));
    const node = new MeshNode({ identity, signaling: () => server.client(identity.id), links: links.factory(identity.id), clock, rng: seededRng(300 + i), membership: FAST });
    const mesh = createMesh(node, { persistent: false });
    made.push(mesh);
    meshes.push(mesh);
    beforeStart(mesh, i);
    void node.start();
    await settle();
  }
  const runUntil = async (done: () => boolean, what: string, maxMs = 60_000): Promise<void> => {
    for (let elapsedMs = 0; !done(); elapsedMs += 50) {
      if (elapsedMs > maxMs) throw new Error(`not within ${maxMs} virtual ms: ${what}`);
      clock.advance(50);
      for (let i = 0; i < 5; i++) await settle();
    }
  };
  return { clock, meshes: made, runUntil };
}

/** Records `event` of `mesh` from now on. */
function record<K extends keyof MeshEvents>(mesh: Mesh, event: K): Array<MeshEvents[K]> {
  const seen: Array<MeshEvents[K]> = [];
  mesh.on(event, (payload) => seen.push(payload));
  return seen;
}

/** Settles `promise` under the manual clock; resolves with its outcome, rejection included. */
async function outcome<T>(w: World, promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let result: { value?: T; error?: unknown } | undefined;
  promise.then((value) => (result = { value }), (error: unknown) => (result = { error }));
  await w.runUntil(() => result !== undefined, 'no outcome');
  return result!;
}

describe('Mesh (public API over the driver)', () => {
  it('ready resolves at the first link; peer-join, peers() and topology() list the others', async () => {
    let joins: Array<MeshEvents['peer-join']> = [];
    let readyCount = 0;
    const w = await world(3, (mesh, i) => {
      if (i === 0) joins = record(mesh, 'peer-join');
      void mesh.ready.then(() => readyCount++);
    });
    const [a, b, c] = w.meshes as [Mesh, Mesh, Mesh];
    await w.runUntil(() => readyCount === 3 && w.meshes.every((m) => m.peers().length === 2), 'three ready meshes');
    expect(a.state).toBe('connected');
    expect(a.peers().map((p) => p.id).sort()).toEqual([b.id, c.id].sort());
    expect(a.peers().every((p) => p.state === 'alive' && typeof p.lastSeenMs === 'number')).toBe(true);
    expect(joins.map((j) => j.id).sort()).toEqual([b.id, c.id].sort());
    await w.runUntil(() => Object.keys(a.topology()).length === 3, 'topology of three');
    expect(Object.keys(a.topology()).sort()).toEqual([a.id, b.id, c.id].sort());
  });

  it('send and broadcast carry strings, JSON values and bytes; send resolves with the trace', async () => {
    const w = await world(3);
    const [a, b, c] = w.meshes as [Mesh, Mesh, Mesh];
    await w.runUntil(() => w.meshes.every((m) => m.peers().length === 2) && Object.keys(a.topology()).length === 3, 'a mesh of three');
    const atB = record(b, 'message');
    const atC = record(c, 'message');
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const receipt = await outcome(w, a.send(b.id, { text: 'hi', n: [1, 2.5, null, true] }));
    expect(receipt.error).toBeUndefined();
    expect(receipt.value?.trace[0]).toBe(a.id);
    expect(receipt.value?.trace.at(-1)).toBe(b.id);
    await outcome(w, a.send(b.id, bytes));
    await outcome(w, a.send(b.id, '\u0001looks like a tag'));
    await outcome(w, a.send(b.id, null));
    const msgId = a.broadcast('to everyone');
    expect(typeof msgId).toBe('string');
    await w.runUntil(() => atC.some((m) => m.kind === 'broadcast') && atB.some((m) => m.kind === 'broadcast'), 'broadcast delivered');
    const unicasts = atB.filter((m) => m.kind === 'unicast').map((m: MeshMessage) => m.data);
    expect(unicasts).toEqual([{ text: 'hi', n: [1, 2.5, null, true] }, bytes, '\u0001looks like a tag', null]);
    expect(unicasts[1]).toBeInstanceOf(Uint8Array);
    expect(atC.find((m) => m.kind === 'broadcast')).toMatchObject({ from: a.id, data: 'to everyone' });
    // Bytes broadcast arrive as bytes, a large payload (several binary pieces) included.
    const large = Uint8Array.from({ length: 40_000 }, (_, i) => i & 0xff);
    const progressAtC = record(c, 'progress');
    const largeId = a.broadcast(large);
    await w.runUntil(() => atC.some((m) => m.data instanceof Uint8Array), 'binary broadcast delivered');
    expect(atC.find((m) => m.data instanceof Uint8Array)).toMatchObject({ data: large, msgId: largeId });
    // Its 4 pieces: the first 3 are reported as they come, the 4th is the message.
    expect(progressAtC.map((p) => [p.msgId, p.kind, p.from, p.receivedPieces, p.totalPieces])).toEqual([1, 2, 3].map((n) => [largeId, 'broadcast', a.id, n, 4]));
    expect(progressAtC.at(-1)?.receivedBytes).toBe(36_000);
  });

  it('failures are MeshErrors with codes: bad-target, bad-payload, unreachable, stopped', async () => {
    const w = await world(2);
    const [a, b] = w.meshes as [Mesh, Mesh];
    await w.runUntil(() => a.peers().length === 1 && Object.keys(a.topology()).length === 2, 'a pair');
    const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
      const { error } = await outcome(w, promise);
      return error instanceof MeshError ? error.code : `not a MeshError: ${String(error)}`;
    };
    expect(await codeOf(a.send('nobody', 'x'))).toBe('bad-target');
    expect(await codeOf(a.send(a.id, 'x'))).toBe('bad-target');
    expect(await codeOf(a.send(b.id, { f: () => 1 } as never))).toBe('bad-payload');
    expect(await codeOf(a.send(b.id, Number.NaN))).toBe('bad-payload');
    expect(() => a.broadcast(undefined as never)).toThrow(expect.objectContaining({ code: 'bad-payload' }));
    expect(() => a.broadcast('x'.repeat(300_000))).toThrow(expect.objectContaining({ code: 'too-large' }));
    // An ID of the right shape that is no member: nowhere to route.
    const stranger = (await identityFromKeyPair(await generateKeyPair(false))).id;
    expect(await codeOf(a.send(stranger, 'x'))).toBe('unreachable');
    await a.leave();
    expect(await codeOf(a.send(b.id, 'x'))).toBe('stopped');
    expect(() => a.broadcast('x')).toThrow(expect.objectContaining({ code: 'stopped' }));
  });

  it('on() unsubscribes by its return value, by off() and by an AbortSignal; a throwing handler does not stop others', async () => {
    const w = await world(2);
    const [a, b] = w.meshes as [Mesh, Mesh];
    await w.runUntil(() => a.peers().length === 1 && Object.keys(a.topology()).length === 2, 'a pair');
    const byReturn: unknown[] = [];
    const byOff: unknown[] = [];
    const bySignal: unknown[] = [];
    const kept: unknown[] = [];
    const off = b.on('message', (m) => byReturn.push(m.data));
    const handler = (m: MeshMessage): void => void byOff.push(m.data);
    b.on('message', handler);
    const controller = new AbortController();
    b.on('message', (m) => bySignal.push(m.data), { signal: controller.signal });
    b.on('message', () => {
      throw new Error('a buggy listener');
    });
    b.on('message', (m) => kept.push(m.data));
    const aborted = new AbortController();
    aborted.abort();
    const never: unknown[] = [];
    b.on('message', (m) => never.push(m.data), { signal: aborted.signal });
    await outcome(w, a.send(b.id, 'one'));
    off();
    b.off('message', handler);
    controller.abort();
    await outcome(w, a.send(b.id, 'two'));
    await w.runUntil(() => kept.length === 2, 'both delivered');
    expect([byReturn, byOff, bySignal, kept, never]).toEqual([['one'], ['one'], ['one'], ['one', 'two'], []]);
    expect(b.stats().listenerErrors).toEqual({});
  });

  it('leave(): the state goes stopped, ready of a node alone rejects with stopped, the others see peer-leave', async () => {
    const w = await world(1);
    const [alone] = w.meshes as [Mesh];
    const states = record(alone, 'state');
    await alone.leave();
    await expect(alone.ready).rejects.toMatchObject({ code: 'stopped' });
    expect(states.at(-1)).toEqual({ state: 'stopped' });
    expect(alone.state).toBe('stopped');

    const pair = await world(2);
    const [a, b] = pair.meshes as [Mesh, Mesh];
    await pair.runUntil(() => a.peers().length === 1 && b.peers().length === 1, 'a pair');
    const leaves = record(b, 'peer-leave');
    await a.leave();
    await a.leave();
    await pair.runUntil(() => leaves.length === 1, 'peer-leave at b');
    expect(leaves).toEqual([{ id: a.id, reason: 'left' }]);
    expect(b.peers()).toEqual([]);
  });
});
