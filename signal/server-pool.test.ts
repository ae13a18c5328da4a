import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, LEASE_EXPIRED_REASON } from './protocol';
import { startSignalServer, type SignalServer, type SignalServerOptions } from './server';
import { isError, isType, joinedClient, newIdentity, openClient, sendHello, type Frame, type TestClient } from './test-helpers';

const servers: SignalServer[] = [];
const clients: TestClient[] = [];

async function start(options: SignalServerOptions = {}): Promise<SignalServer> {
  const server = await startSignalServer({ port: 0, host: '127.0.0.1', ...options });
  servers.push(server);
  return server;
}

async function join(url: string, room: string) {
  const joined = await joinedClient(url, room);
  clients.push(joined.client);
  return joined;
}

/** Proves `from` can still reach `to` through the server (both sockets open and joined). */
async function expectRelay(from: Awaited<ReturnType<typeof join>>, to: Awaited<ReturnType<typeof join>>): Promise<void> {
  const data = { nonce: Math.random() };
  from.client.sendJson({ v: 1, t: 'signal', to: to.identity.id, data });
  expect(await to.client.next(isType('signal'))).toEqual({ v: 1, t: 'signal', from: from.identity.id, data });
}

const peersOf = (frame: Frame): string[] => frame['peers'] as string[];

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('signal server: introducer pool', () => {
  it('admits introducers up to the pool, then guests, and introduces the introducers to a guest', async () => {
    const server = await start({ maxIntroducersPerRoom: 2, introductions: 2 });
    const a = await join(server.url, 'pool');
    const b = await join(server.url, 'pool');
    const c = await join(server.url, 'pool');
    const other = await join(server.url, 'other-room');
    expect(a.welcome).toEqual({ v: 1, t: 'welcome', id: a.identity.id, peers: [], introducer: true });
    expect(b.welcome).toMatchObject({ peers: [a.identity.id], introducer: true });
    expect(c.welcome['introducer']).toBe(false);
    expect(new Set(peersOf(c.welcome))).toEqual(new Set([a.identity.id, b.identity.id]));
    expect(other.welcome).toMatchObject({ peers: [], introducer: true });
    expect(server.roomStats('pool')).toEqual({ introducers: 2, guests: 1 });
    expect(server.roomStats('missing')).toEqual({ introducers: 0, guests: 0 });
    expect(server.stats()).toEqual({ sockets: 4, rooms: 2, members: 4, introducers: 3, guests: 1 });
    // A guest signals like anyone else.
    await expectRelay(c, a);
    await expectRelay(b, c);
  });

  it('answers peers with introducers and guests alternately, an introducer first, never self', async () => {
    const server = await start({ maxIntroducersPerRoom: 2, introductions: 3 });
    const members = [];
    for (let i = 0; i < 6; i++) members.push(await join(server.url, 'pref'));
    const [a, b] = [members[0]!, members[1]!];
    const introducers = [a.identity.id, b.identity.id];
    const guests = members.slice(2).map((m) => m.identity.id);
    for (let round = 0; round < 10; round++) {
      const guest = members[2 + (round % 4)]!;
      guest.client.sendJson({ v: 1, t: 'peers' });
      const peers = peersOf(await guest.client.next(isType('peers')));
      expect(introducers).toContain(peers[0]);
      expect(guests).toContain(peers[1]);
      expect(introducers).toContain(peers[2]);
      expect(peers).not.toContain(guest.identity.id);
      a.client.sendJson({ v: 1, t: 'peers' });
      const fromIntroducer = peersOf(await a.client.next(isType('peers')));
      expect(fromIntroducer[0]).toBe(b.identity.id);
      expect(fromIntroducer.slice(1).every((id) => guests.includes(id))).toBe(true);
      expect(new Set(fromIntroducer).size).toBe(3);
    }
  });


  it('closes a guest with 4007 lease-expired when its lease ends, and keeps the introducers', async () => {
    const server = await start({ maxIntroducersPerRoom: 2, guestLeaseMs: 200 });
    const a = await join(server.url, 'lease');
    const b = await join(server.url, 'lease');
    const c = await join(server.url, 'lease');
    expect(await c.client.closed).toEqual({ code: CLOSE_CODES.leaseExpired, reason: LEASE_EXPIRED_REASON });
    expect(c.client.frames).toEqual([]);
    // The introducers joined before the guest, so a lease of theirs would have ended first.
    await expectRelay(a, b);
    await expectRelay(b, a);
    expect(server.roomStats('lease')).toEqual({ introducers: 2, guests: 0 });
    expect(server.traffic()).toMatchObject({ joins: 3, leaseExpiries: 1, promotions: 0 });
    // The expired guest may come back, as a guest again.
    const again = await joinedClient(server.url, 'lease', c.identity);
    clients.push(again.client);
    expect(again.welcome['introducer']).toBe(false);
  });

  it('promotes the oldest guest with role when an introducer leaves, and cancels its lease', async () => {
    const server = await start({ maxIntroducersPerRoom: 2, guestLeaseMs: 2000 });
    const a = await join(server.url, 'promo');
    const b = await join(server.url, 'promo');
    const c = await join(server.url, 'promo');
    const d = await join(server.url, 'promo');
    a.client.ws.close();
    expect(await c.client.next(isType('role'))).toEqual({ v: 1, t: 'role', introducer: true });
    expect(server.roomStats('promo')).toEqual({ introducers: 2, guests: 1 });
    // d joined after c: once d's lease is over, c's would have been too, had it not been cancelled.
    expect((await d.client.closed).code).toBe(CLOSE_CODES.leaseExpired);
    expect(d.client.frames.filter(isType('role'))).toEqual([]);
    await expectRelay(c, b);
    expect(c.client.ws.readyState).toBe(c.client.ws.OPEN);
    expect(server.roomStats('promo')).toEqual({ introducers: 2, guests: 0 });
    expect(server.traffic()).toMatchObject({ promotions: 1, leaseExpiries: 1 });
    // With no guest left, a free slot goes to the next newcomer.
    b.client.ws.close();
    await expect.poll(() => server.roomStats('promo')).toEqual({ introducers: 1, guests: 0 });
    const e = await join(server.url, 'promo');
    expect(e.welcome).toMatchObject({ introducer: true, peers: [c.identity.id] });
  });

  it('holds at most the pool for a room of 16 once the leases are over', async () => {
    const server = await start({ maxIntroducersPerRoom: 4, guestLeaseMs: 300 });
    const members = [];
    for (let i = 0; i < 16; i++) members.push(await join(server.url, 'crowd'));
    expect(members.map((m) => m.welcome['introducer'])).toEqual([...Array<boolean>(4).fill(true), ...Array<boolean>(12).fill(false)]);
    const closes = await Promise.all(members.slice(4).map((m) => m.client.closed));
    expect(closes.every((close) => close.code === CLOSE_CODES.leaseExpired)).toBe(true);
    await expect.poll(() => server.stats()).toEqual({ sockets: 4, rooms: 1, members: 4, introducers: 4, guests: 0 });
    expect(server.traffic()).toMatchObject({ joins: 16, leaseExpiries: 12 });
    for (const m of members.slice(0, 4)) expect(m.client.ws.readyState).toBe(m.client.ws.OPEN);
  });

  it('still answers bad input from a guest, and refuses a client that claims a role', async () => {
    const server = await start({ maxIntroducersPerRoom: 1 });
    const a = await join(server.url, 'bad');
    const guest = await join(server.url, 'bad');
    expect(guest.welcome['introducer']).toBe(false);
    guest.client.ws.send('not json');
    expect(await guest.client.next(isType('error'))).toMatchObject({ code: 'bad-json' });
    for (const value of [{ v: 1, t: 'role', introducer: true }, { v: 1, t: 'peers', introducer: true }]) {
      guest.client.sendJson(value);
      expect(await guest.client.next(isType('error')), JSON.stringify(value)).toMatchObject({ code: 'bad-message' });
    }
    guest.client.sendJson({ v: 1, t: 'signal', to: (await newIdentity()).id, data: 1 });
    expect(await guest.client.next(isError('unknown-peer'))).toMatchObject({ v: 1 });
    await expectRelay(guest, a);
    expect(server.roomStats('bad')).toEqual({ introducers: 1, guests: 1 });

    const claimer = await openClient(server.url);
    clients.push(claimer);
    const identity = await newIdentity();
    await sendHello(claimer, 'bad', identity);
    expect(await claimer.next(isType('welcome'))).toMatchObject({ introducer: false });
    claimer.sendJson({ v: 1, t: 'hello', room: 'bad', key: 'x', sig: 'y', introducer: true });
    expect(await claimer.next(isType('error'))).toMatchObject({ code: 'bad-message' });
  });

  it('refuses nonsensical pool settings', async () => {
    for (const maxIntroducersPerRoom of [0, -1, 1.5, Number.NaN]) {
      await expect(start({ maxIntroducersPerRoom })).rejects.toThrow(RangeError);
    }
    for (const guestLeaseMs of [0, Number.POSITIVE_INFINITY, 2 ** 31, 0.5]) {
      await expect(start({ guestLeaseMs })).rejects.toThrow(RangeError);
    }
  });
});
