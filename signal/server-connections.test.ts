/**
 * Issue 20, item 5: every connection is counted and timed from its first byte. Silent TCP connections, header
 * tricklers and upgraded-but-mute sockets are let go within their time-outs; refused sockets at once; and idle
 * connections of one address cannot crowd out the joins of another.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from './protocol';
import { startSignalServer, type SignalServer, type SignalServerOptions } from './server';
import { rawClient, rawSocket, upgradeRequest, type RawClient } from './attack-tools';
import { joinedClient, type TestClient } from './test-helpers';

const servers: SignalServer[] = [];
const clients: TestClient[] = [];
const sockets: Socket[] = [];
const ATTACKER = '127.0.0.2';

async function start(options: SignalServerOptions = {}): Promise<SignalServer> {
  const server = await startSignalServer({ port: 0, host: '127.0.0.1', ...options });
  servers.push(server);
  return server;
}

async function silent(server: SignalServer, localAddress = ATTACKER): Promise<Socket> {
  const socket = await rawSocket(server.port, localAddress);
  socket.on('error', () => {});
  sockets.push(socket);
  return socket;
}

async function raw(server: SignalServer): Promise<RawClient> {
  const client = await rawClient(server.port, ATTACKER);
  sockets.push(client.socket);
  return client;
}

const closedWithin = (socket: Socket): Promise<number> => {
  const started = performance.now();
  return new Promise((resolve) => socket.once('close', () => resolve(performance.now() - started)));
};

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('signal server: connections before and around the upgrade', () => {
  it('lets go of silent TCP connections and header tricklers after upgradeTimeoutMs', async () => {
    const server = await start({ upgradeTimeoutMs: 400 });
    const quiet = await Promise.all([0, 1, 2].map(() => silent(server)));
    const trickler = await silent(server);
    trickler.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => trickler.write('X'), 50);
    await expect.poll(() => server.connections().open).toBe(4);
    await Promise.all([...quiet, trickler].map(closedWithin));
    clearInterval(drip);
    await expect.poll(() => server.connections()).toEqual({ open: 0, pending: 0 });
  });

  it('lets go of an upgraded socket that never says hello and never answers the close frame', async () => {
    const server = await start({ helloTimeoutMs: 300, closeGraceMs: 300 });
    const mute = await raw(server);
    mute.socket.pause(); // reads nothing, so it never answers the close frame either (nor sees the close)
    await expect.poll(() => server.connections().open).toBe(1);
    await expect.poll(() => server.connections(), { timeout: 10_000 }).toEqual({ open: 0, pending: 0 });
    expect(server.stats().sockets).toBe(0);
  });

  it('closes a refused socket at once, even when the client neither reads nor closes', async () => {
    const server = await start({ maxSockets: 1, closeGraceMs: 30_000 });
    const member = await joinedClient(server.url, 'r');
    clients.push(member.client);
    const refused = await silent(server);
    refused.write(upgradeRequest(server.port));
    refused.pause();
    await expect.poll(() => server.traffic().refusedSockets).toBe(1);
    // Well within the (long) close grace: the descriptor goes as soon as the answer is written.
    const started = performance.now();
    await expect.poll(() => server.connections().open, { timeout: 10_000 }).toBe(1);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(server.traffic().refusedSockets).toBe(1);
  });

  it('sends the refusal before letting go (server-full, 4005)', async () => {
    const server = await start({ maxSockets: 1 });
    const member = await joinedClient(server.url, 'r');
    clients.push(member.client);
    const refused = await raw(server);
    await refused.closed;
    expect(refused.frames).toEqual([expect.objectContaining({ t: 'error', code: 'server-full' })]);
    expect(refused.closeCode).toBe(CLOSE_CODES.serverFull);
  });

  it('caps connections not upgraded yet, per address and in total; other addresses still join', async () => {
    const server = await start({ maxPendingPerAddress: 4, maxPendingConnections: 6, upgradeTimeoutMs: 30_000 });
    const idle = await Promise.all(Array.from({ length: 10 }, () => silent(server)));
    await expect.poll(() => server.traffic().refusedConnections).toBe(6);
    expect(server.connections()).toEqual({ open: 4, pending: 4 });
    const member = await joinedClient(server.url, 'r', undefined, '127.0.0.1');
    clients.push(member.client);
    const third = await Promise.all([0, 1, 2, 3].map(() => silent(server, '127.0.0.3')));
    await expect.poll(() => server.connections().pending).toBe(6);
    expect(server.traffic().refusedConnections).toBe(8);
    for (const socket of [...idle, ...third]) socket.destroy();
    await expect.poll(() => server.connections()).toEqual({ open: 1, pending: 0 });
  });
});
