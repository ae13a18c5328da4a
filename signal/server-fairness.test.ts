/**
 * Issue 20, item 4: one client (one address) cannot take every global cap. 127.0.0.2 plays the attacker,
 * 127.0.0.1 and 127.0.0.3 the others; the limits are small here so that the tests stay short.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from './protocol';
import { startSignalServer, type SignalServer, type SignalServerOptions } from './server';
import { isError, isType, joinedClient, newIdentity, openClient, sendHello, type TestClient } from './test-helpers';

const servers: SignalServer[] = [];
const clients: TestClient[] = [];
const ATTACKER = '127.0.0.2';
const OTHER = '127.0.0.3';

async function start(options: SignalServerOptions = {}): Promise<SignalServer> {
  const server = await startSignalServer({ port: 0, host: '127.0.0.1', ...options });
  servers.push(server);
  return server;
}

async function join(url: string, room: string, localAddress?: string) {
  const joined = await joinedClient(url, room, undefined, localAddress);
  clients.push(joined.client);
  return joined;
}

/** Opens from `localAddress`, says hello for `room`, and resolves with the first answer (welcome or error). */
async function attempt(url: string, room: string, localAddress: string): Promise<{ answer: Record<string, unknown>; client: TestClient }> {
  const client = await openClient(url, { localAddress });
  clients.push(client);
  await sendHello(client, room, await newIdentity());
  return { answer: await client.next((frame) => frame['t'] === 'welcome' || frame['t'] === 'error'), client };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('signal server: per-address limits', () => {
  it('caps the sockets of one address (4008 address-limit); other addresses still join', async () => {
    const server = await start({ maxSocketsPerAddress: 3 });
    for (let i = 0; i < 3; i++) await join(server.url, `r${i}`, ATTACKER);
    const refused = await openClient(server.url, { localAddress: ATTACKER });
    clients.push(refused);
    expect(await refused.next(isType('error'))).toMatchObject({ code: 'address-limit' });
    expect((await refused.closed).code).toBe(CLOSE_CODES.addressLimit);
    await join(server.url, 'r0', OTHER);
    expect(server.traffic().refusedSockets).toBe(1);
  });

  it('shares one byte budget among the sockets of an address: past it, they are read more slowly', async () => {
    const server = await start({ maxBytesPerSecPerAddress: 50_000 });
    const target = await join(server.url, 'bytes', OTHER);
    const [a, b] = [await join(server.url, 'bytes', ATTACKER), await join(server.url, 'bytes', ATTACKER)];
    const chunk = 'x'.repeat(60_000);
    const started = performance.now();
    // 480 000 B against a burst of 200 000 B and 50 000 B/s: at least (480 - 200 - 2 × 60) / 50 ≈ 3 s.
    for (let i = 0; i < 4; i++) for (const sender of [a, b]) sender.client.sendJson({ v: 1, t: 'signal', to: target.identity.id, data: chunk });
    await expect.poll(() => server.traffic().relayed).toBeGreaterThanOrEqual(3);
    // Meanwhile another address is not held up.
    const other = await join(server.url, 'bytes', '127.0.0.4');
    const before = server.traffic().relayed;
    other.client.sendJson({ v: 1, t: 'signal', to: target.identity.id, data: 'hi' });
    await expect.poll(() => server.traffic().relayed, { timeout: 1000 }).toBeGreaterThan(before);
    expect(server.traffic().relayed).toBeLessThan(9);
    await expect.poll(() => server.traffic().relayed, { timeout: 20_000 }).toBe(9);
    expect(performance.now() - started).toBeGreaterThan(2500);
    // Back-pressure, not refusal: nothing was answered rate-limited.
    expect([...a.client.frames, ...b.client.frames].filter(isError('rate-limited'))).toEqual([]);
  }, 30_000);

  it('cuts one address churning connections beyond its connect rate', async () => {
    // Burst: the sockets of an address and 16 more (18); then one per second.
    const server = await start({ maxConnectsPerSecPerAddress: 1, maxSocketsPerAddress: 2 });
    const opened = await Promise.allSettled(Array.from({ length: 30 }, () => openClient(server.url, { localAddress: ATTACKER })));
    for (const result of opened) if (result.status === 'fulfilled') clients.push(result.value);
    expect(opened.filter((result) => result.status === 'fulfilled').length).toBeLessThanOrEqual(19);
    expect(server.traffic().refusedConnections).toBeGreaterThanOrEqual(11);
    await join(server.url, 'elsewhere', OTHER);
  });

  it('caps the rooms one address is in, so it cannot make every new room server-full', async () => {
    const server = await start({ maxRoomsPerAddress: 3, maxRooms: 5 });
    for (let i = 0; i < 3; i++) await join(server.url, `room-${i}`, ATTACKER);
    const { answer, client } = await attempt(server.url, 'room-3', ATTACKER);
    expect(answer).toMatchObject({ t: 'error', code: 'address-limit' });
    expect((await client.closed).code).toBe(CLOSE_CODES.addressLimit);
    // A room it is already in still takes it; other addresses create rooms as before.
    await join(server.url, 'room-0', ATTACKER);
    await join(server.url, 'fresh', OTHER);
    await join(server.url, 'another', '127.0.0.1');
    expect(server.stats().rooms).toBe(5);
  });

  it('an address alone fills the pool, but yields all but its share to newcomers of other addresses', async () => {
    const server = await start({ maxIntroducersPerRoom: 4, maxIntroducersPerAddress: 1 });
    const squatters = [];
    for (let i = 0; i < 4; i++) squatters.push(await join(server.url, 'pool', ATTACKER));
    expect(squatters.map((s) => s.welcome['introducer'])).toEqual([true, true, true, true]);
    const newcomer = await join(server.url, 'pool', OTHER);
    expect(newcomer.welcome['introducer']).toBe(true);
    // The attacker's longest-serving introducer handed its slot over and is a guest now (with a lease).
    expect(await squatters[0]!.client.next(isType('role'))).toEqual({ v: 1, t: 'role', introducer: false });
    await join(server.url, 'pool', '127.0.0.1');
    await join(server.url, 'pool', '127.0.0.4');
    expect(server.roomStats('pool')).toEqual({ introducers: 4, guests: 3 });
    // At its share (1), the attacker's next member is a guest and takes nothing from anyone.
    const more = await join(server.url, 'pool', ATTACKER);
    expect(more.welcome['introducer']).toBe(false);
    // Each newcomer of another address took a slot from the attacker, longest-serving first; it keeps one.
    for (const squatter of squatters.slice(1, 3)) {
      expect(await squatter.client.next(isType('role'))).toEqual({ v: 1, t: 'role', introducer: false });
    }
    expect(squatters[3]!.client.frames.filter(isType('role'))).toEqual([]);
    // Nobody is above the share any more: a newcomer of a fifth address waits as a guest.
    expect((await join(server.url, 'pool', '127.0.0.5')).welcome['introducer']).toBe(false);
  });

  it('hands an introducer slot to a waiting guest when its term is over', async () => {
    const server = await start({ maxIntroducersPerRoom: 1, introducerTermMs: 200 });
    const first = await join(server.url, 'term');
    const waiting = await join(server.url, 'term', OTHER);
    expect([first.welcome['introducer'], waiting.welcome['introducer']]).toEqual([true, false]);
    expect(await waiting.client.next(isType('role'), 5000)).toEqual({ v: 1, t: 'role', introducer: true });
    expect(await first.client.next(isType('role'), 5000)).toEqual({ v: 1, t: 'role', introducer: false });
    expect(server.roomStats('term')).toEqual({ introducers: 1, guests: 1 });
    expect(server.traffic()).toMatchObject({ promotions: 1, demotions: 1 });
  });
});
