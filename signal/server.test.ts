import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from './protocol';
import { startSignalServer, type SignalServer, type SignalServerOptions } from './server';
import { createWitnesses, isError, isType, joinedClient, newIdentity, openClient, sendHello, type TestClient } from './test-helpers';

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

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('signal server: joining and relaying', () => {
  it('welcomes with the key-derived id and introduces existing members', async () => {
    const server = await start();
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`);
    const a = await join(server.url, 'room-1');
    expect(a.welcome).toEqual({ v: 1, t: 'welcome', id: a.identity.id, peers: [], introducer: true });
    const b = await join(server.url, 'room-1');
    expect(b.welcome['peers']).toEqual([a.identity.id]);
    expect(server.stats()).toEqual({ sockets: 2, rooms: 1, members: 2, introducers: 2, guests: 0 });
  });

  it('keeps rooms isolated', async () => {
    const server = await start();
    const a = await join(server.url, 'room-a');
    const b = await join(server.url, 'room-b');
    expect(b.welcome['peers']).toEqual([]);
    b.client.sendJson({ v: 1, t: 'signal', to: a.identity.id, data: 'hi' });
    expect(await b.client.next(isType('error'))).toMatchObject({ code: 'unknown-peer', to: a.identity.id });
    b.client.sendJson({ v: 1, t: 'peers' });
    expect(await b.client.next(isType('peers'))).toEqual({ v: 1, t: 'peers', peers: [] });
    expect(a.client.frames).toEqual([]);
  });

  it('relays with a server-stamped from that a client cannot forge', async () => {
    const server = await start();
    const a = await join(server.url, 'r');
    const b = await join(server.url, 'r');
    const c = await join(server.url, 'r');
    a.client.sendJson({ v: 1, t: 'signal', to: b.identity.id, from: c.identity.id, data: 'forged' });
    expect(await a.client.next(isType('error'))).toMatchObject({ code: 'bad-message' });
    a.client.sendJson({ v: 1, t: 'signal', to: b.identity.id, data: { sdp: 'x', n: [1, 2] } });
    expect(await b.client.next(isType('signal'))).toEqual({ v: 1, t: 'signal', from: a.identity.id, data: { sdp: 'x', n: [1, 2] } });
    expect(b.client.frames).toEqual([]);
  });

  it('answers peers with distinct random introductions, capped, never self', async () => {
    const server = await start({ introductions: 2 });
    const members = [];
    for (let i = 0; i < 5; i++) members.push(await join(server.url, 'big'));
    const last = members[4]!;
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      last.client.sendJson({ v: 1, t: 'peers' });
      const peers = (await last.client.next(isType('peers')))['peers'] as string[];
      expect(peers).toHaveLength(2);
      expect(new Set(peers).size).toBe(2);
      expect(peers).not.toContain(last.identity.id);
      for (const id of peers) seen.add(id);
    }
    expect(seen.size).toBe(4);
  });

  it('refuses a second connection of the same id, and the first keeps working', async () => {
    const server = await start();
    const witnesses = await createWitnesses(server.url);
    const a = await join(server.url, 'r');
    const b = await join(server.url, 'r');
    const dup = await openClient(server.url);
    clients.push(dup);
    await sendHello(dup, 'r', a.identity);
    expect(await dup.next(isType('error'))).toMatchObject({ code: 'id-in-use' });
    expect((await dup.closed).code).toBe(CLOSE_CODES.idInUse);
    b.client.sendJson({ v: 1, t: 'signal', to: a.identity.id, data: 1 });
    expect(await a.client.next(isType('signal'))).toMatchObject({ from: b.identity.id, data: 1 });
    await witnesses.check();
    witnesses.close();
  });

  it('deletes empty rooms and frees the id when a member leaves', async () => {
    const server = await start();
    const a = await join(server.url, 'r');
    a.client.ws.close();
    await a.client.closed;
    await expect.poll(() => server.stats()).toEqual({ sockets: 0, rooms: 0, members: 0, introducers: 0, guests: 0 });
    const again = await joinedClient(server.url, 'r', a.identity);
    clients.push(again.client);
    expect(again.welcome['id']).toBe(a.identity.id);
  });
});

describe('signal server: caps and gates', () => {
  it('enforces the room member cap', async () => {
    const server = await start({ maxMembersPerRoom: 2 });
    const witnesses = await createWitnesses(server.url);
    await join(server.url, 'small');
    await join(server.url, 'small');
    const third = await openClient(server.url);
    clients.push(third);
    await sendHello(third, 'small', await newIdentity());
    expect(await third.next(isType('error'))).toMatchObject({ code: 'room-full' });
    expect((await third.closed).code).toBe(CLOSE_CODES.roomFull);
    await witnesses.check();
    witnesses.close();
  });

  it('enforces the room count and socket caps with server-full', async () => {
    const server = await start({ maxRooms: 1, maxSockets: 3 });
    const witnesses = await createWitnesses(server.url);
    const other = await openClient(server.url);
    clients.push(other);
    await sendHello(other, 'second-room', await newIdentity());
    expect(await other.next(isType('error'))).toMatchObject({ code: 'server-full' });
    expect((await other.closed).code).toBe(CLOSE_CODES.serverFull);
    const third = await openClient(server.url);
    clients.push(third);
    const fourth = await openClient(server.url);
    clients.push(fourth);
    expect(await fourth.next(isType('error'))).toMatchObject({ code: 'server-full' });
    expect((await fourth.closed).code).toBe(CLOSE_CODES.serverFull);
    await witnesses.check();
    witnesses.close();
  });

  it('tells a page of an origin outside the allow-list so on the socket (4011), before any challenge', async () => {
    const server = await start({ allowedOrigins: ['https://ok.example'] });
    for (const origin of ['https://evil.example', 'https://ok.example:444', 'http://ok.example', 'null']) {
      const refused = await openClient(server.url, { origin });
      clients.push(refused);
      expect(await refused.next()).toMatchObject({ t: 'error', code: 'origin-forbidden' });
      expect(await refused.closed).toEqual({ code: CLOSE_CODES.originForbidden, reason: 'origin-forbidden' });
      expect(refused.frames).toEqual([]);
    }
    expect(server.traffic()).toMatchObject({ refusedOrigins: 4, refusedSockets: 0 });
    const ok = await openClient(server.url, { origin: 'https://ok.example' });
    clients.push(ok);
    expect(await ok.next(isType('challenge'))).toMatchObject({ v: 1 });
  });

  it('refuses a malformed Origin with HTTP 403 (no socket)', async () => {
    const server = await start({ allowedOrigins: ['https://ok.example'] });
    for (const origin of ['https://ok.example/', 'ok.example', 'https://ok.example/path', `https://${'a'.repeat(400)}.example`]) {
      await expect(openClient(server.url, { origin })).rejects.toThrow('HTTP 403');
    }
    expect(server.stats().sockets).toBe(0);
  });

  it('admits a client without an Origin (a Node peer) by its key proof, allow-list or not', async () => {
    const server = await start({ allowedOrigins: ['https://ok.example'] });
    const node = await join(server.url, 'r');
    expect(node.welcome).toMatchObject({ t: 'welcome', id: node.identity.id });
    // Without an Origin the key proof is still required: a bad signature is refused as for anyone.
    const liar = await openClient(server.url);
    clients.push(liar);
    const challenge = await liar.next(isType('challenge'));
    expect(challenge).toMatchObject({ t: 'challenge' });
    liar.sendJson({ v: 1, t: 'hello', room: 'r', key: 'A'.repeat(43), sig: 'A'.repeat(86) });
    expect((await liar.closed).code).toBe(CLOSE_CODES.badSignature);
  });

  it('closes sockets that do not send hello in time', async () => {
    const server = await start({ helloTimeoutMs: 150 });
    const witnesses = await createWitnesses(server.url);
    const idle = await openClient(server.url);
    clients.push(idle);
    expect(await idle.closed).toEqual({ code: CLOSE_CODES.helloTimeout, reason: 'hello-timeout' });
    await witnesses.check();
    witnesses.close();
  });

  it('terminates sockets that stop answering pings', async () => {
    const server = await start({ heartbeatIntervalMs: 50 });
    const witnesses = await createWitnesses(server.url);
    const silent = await openClient(server.url, { autoPong: false });
    clients.push(silent);
    expect((await silent.closed).code).toBe(1006);
    await witnesses.check();
    witnesses.close();
  });

  it('closes all sockets with 1001 on close()', async () => {
    const server = await startSignalServer({ port: 0 });
    const a = await joinedClient(server.url, 'r');
    await server.close();
    expect((await a.client.closed).code).toBe(CLOSE_CODES.goingAway);
  });
});
