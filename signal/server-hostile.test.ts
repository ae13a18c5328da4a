/**
 * Issue 20, items 1–3 and 7: frames that crashed the server, receivers that never read, fragment floods and
 * trickled frames, a last-resort guard, and header values in the log. Each test ends by proving that the server
 * still relays between two well-behaved members.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from './protocol';
import { startSignalServer, type SignalServer, type SignalServerOptions } from './server';
import { OPCODE, clientFrame, deepJson, rawClient, rawJoin, type RawClient } from './attack-tools';
import { createWitnesses, isError, isType, joinedClient, newIdentity, openClient, type TestClient } from './test-helpers';

const servers: SignalServer[] = [];
const clients: TestClient[] = [];
const raws: RawClient[] = [];

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

async function raw(server: SignalServer): Promise<RawClient> {
  const client = await rawClient(server.port);
  raws.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const client of raws.splice(0)) client.socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('signal server: hostile frames', () => {
  it('refuses a deeply nested payload before parsing it, and keeps relaying (it used to crash the process)', async () => {
    const server = await start();
    const witnesses = await createWitnesses(server.url);
    const a = await join(server.url, 'deep');
    const b = await join(server.url, 'deep');
    const deep = `{"v":1,"t":"signal","to":"${b.identity.id}","data":${deepJson(6000)}}`;
    a.client.ws.send(deep);
    expect(await a.client.next(isType('error'))).toMatchObject({ code: 'bad-message' });
    // At the limit: 16 levels in all (the frame, data, and 14 more) are relayed.
    a.client.ws.send(`{"v":1,"t":"signal","to":"${b.identity.id}","data":${deepJson(15)}}`);
    expect(await b.client.next(isType('signal'))).toMatchObject({ from: a.identity.id });
    a.client.ws.send(`{"v":1,"t":"signal","to":"${b.identity.id}","data":${deepJson(16)}}`);
    expect(await a.client.next(isType('error'))).toMatchObject({ code: 'bad-message' });
    await witnesses.check();
    witnesses.close();
  });

  it('drops a member that does not read its socket with 4009 slow-reader once its queue passes the limit', async () => {
    const server = await start({ maxBufferedBytesPerSocket: 256 * 1024 });
    const witnesses = await createWitnesses(server.url);
    const sender = await join(server.url, 'slow');
    const reader = await raw(server);
    const readerId = await newIdentity();
    await rawJoin(reader, 'slow', readerId);
    reader.socket.pause(); // never reads again: the kernel buffers fill, then the server's queue grows
    const big = 'x'.repeat(60_000);
    let sent = 0;
    while (server.traffic().slowReaders === 0 && sent < 400) {
      sender.client.sendJson({ v: 1, t: 'signal', to: readerId.id, data: big });
      sent++;
      // Stay within the rate limit (burst 100, 50/s) so that only the buffer limit can stop this.
      if (sent % 40 === 0) await new Promise((resolve) => setTimeout(resolve, 900));
    }
    await expect.poll(() => server.traffic().slowReaders, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => server.roomStats('slow').introducers + server.roomStats('slow').guests).toBe(1);
    // Later signals to it are unknown-peer: nothing more is queued for it.
    sender.client.sendJson({ v: 1, t: 'signal', to: readerId.id, data: 1 });
    expect(await sender.client.next(isError('unknown-peer'))).toMatchObject({ to: readerId.id });
    await witnesses.check();
    witnesses.close();
  }, 40_000);

  it('closes a message of too many fragments with 1008, and an unfinished one with 4010 message-timeout', async () => {
    const server = await start({ maxFragmentsPerMessage: 8, messageTimeoutMs: 300, closeGraceMs: 200 });
    const witnesses = await createWitnesses(server.url);
    const flood = await raw(server);
    await flood.next(isType('challenge'));
    flood.socket.write(clientFrame(OPCODE.text, '{', false));
    for (let i = 0; i < 20; i++) flood.socket.write(clientFrame(OPCODE.continuation, ' ', false));
    await flood.closed;
    expect(flood.closeCode).toBe(CLOSE_CODES.policyViolation);

    // Two fragments, then only pings between them: the heartbeat is answered, the message never ends.
    const stalled = await raw(server);
    await stalled.next(isType('challenge'));
    stalled.socket.write(clientFrame(OPCODE.text, '{"v":1,', false));
    stalled.socket.write(clientFrame(OPCODE.continuation, '"t":', false));
    const pings = setInterval(() => stalled.socket.write(clientFrame(OPCODE.ping, '')), 50);
    await stalled.closed;
    clearInterval(pings);
    expect(stalled.closeCode).toBe(CLOSE_CODES.messageTimeout);

    // A frame whose header promises 1000 bytes and whose payload trickles in.
    const trickle = await raw(server);
    await trickle.next(isType('challenge'));
    trickle.socket.write(clientFrame(OPCODE.text, 'x'.repeat(1000)).subarray(0, 40));
    await trickle.closed;
    expect(trickle.closeCode).toBe(CLOSE_CODES.messageTimeout);
    expect(server.traffic().messageTimeouts).toBe(2);

    // Whole messages, fragmented a little, are fine.
    const polite = await raw(server);
    await polite.next(isType('challenge'));
    polite.socket.write(clientFrame(OPCODE.text, '{"v":1,', false));
    polite.socket.write(clientFrame(OPCODE.continuation, '"t":"peers"}', true));
    expect(await polite.next(isError('not-joined'))).toMatchObject({ v: 1 });
    await witnesses.check();
    witnesses.close();
  });

  it('charges pings to the rate limit', async () => {
    const server = await start({ rateLimit: { ratePerSec: 5, burst: 10 }, maxRateViolations: 3, closeGraceMs: 200 });
    const pinger = await raw(server);
    await pinger.next(isType('challenge'));
    for (let i = 0; i < 40; i++) pinger.socket.write(clientFrame(OPCODE.ping, 'p'));
    await pinger.closed;
    expect(pinger.closeCode).toBe(CLOSE_CODES.rateLimited);
  });
});

describe('signal server: last-resort guard and log', () => {
  it('closes only the socket whose handler threw (1011), counts it, and serves the others', async () => {
    // A log sink that fails on one room's joins stands for any bug inside a handler.
    const server = await start({
      log: (event, details) => {
        if (event === 'join' && details?.['room'] === 'cursed') throw new Error('log sink failed');
      },
    });
    const witnesses = await createWitnesses(server.url);
    const victim = await openClient(server.url);
    clients.push(victim);
    const challenge = await victim.next(isType('challenge'));
    const identity = await newIdentity();
    const { helloSigningInput } = await import('./protocol');
    const { base64urlEncode } = await import('../src/identity/keys');
    const sig = await identity.sign(helloSigningInput('cursed', String(challenge['nonce'])));
    victim.sendJson({ v: 1, t: 'hello', room: 'cursed', key: base64urlEncode(identity.publicKey), sig: base64urlEncode(sig) });
    expect((await victim.closed).code).toBe(CLOSE_CODES.internalError);
    expect(server.traffic().internalErrors).toBe(1);
    expect(server.roomStats('cursed')).toEqual({ introducers: 0, guests: 0 });
    await witnesses.check();
    witnesses.close();
  });

  it('logs at most 128 characters of a refused Origin', async () => {
    const logged: string[] = [];
    const server = await start({ allowedOrigins: ['https://ok.example'], log: (event, details) => logged.push(JSON.stringify({ event, ...details })) });
    const origin = `https://${'a'.repeat(15_000)}.example`;
    await expect(openClient(server.url, { origin })).rejects.toThrow('HTTP 403');
    const line = logged.find((entry) => entry.includes('origin-forbidden')) ?? '';
    expect(line.length).toBeGreaterThan(0);
    expect(line.length).toBeLessThan(300);
    expect(line).toContain('15016 chars');
  });
});
