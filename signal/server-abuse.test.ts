import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { base64urlEncode } from '../src/identity/keys';
import { CLOSE_CODES } from './protocol';
import { startSignalServer, type SignalServer } from './server';
import { createWitnesses, isError, isType, joinedClient, newIdentity, openClient, sendHello, type TestClient } from './test-helpers';

let server: SignalServer;
let witnesses: Awaited<ReturnType<typeof createWitnesses>>;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startSignalServer({ port: 0 });
  witnesses = await createWitnesses(server.url);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  // Every bad-input test must leave the server serving other clients.
  await witnesses.check();
});

afterAll(async () => {
  witnesses.close();
  await server.close();
});

async function open(): Promise<TestClient> {
  const client = await openClient(server.url);
  clients.push(client);
  await client.next(isType('challenge'));
  return client;
}

async function expectStillOpen(client: TestClient): Promise<void> {
  client.sendJson({ v: 1, t: 'peers' });
  const reply = await client.next((frame) => frame['t'] === 'peers' || isError('not-joined')(frame));
  expect(reply['t']).toBeDefined();
  expect(client.ws.readyState).toBe(client.ws.OPEN);
}

describe('signal server: hostile input', () => {
  it('answers bad-json to non-JSON and keeps the socket', async () => {
    const client = await open();
    for (const text of ['not json', '{"v":1,', '', '\u0000']) {
      client.ws.send(text);
      expect(await client.next(isType('error'))).toMatchObject({ v: 1, code: 'bad-json' });
    }
    await expectStillOpen(client);
  });

  it('refuses binary frames with bad-message', async () => {
    const client = await open();
    client.ws.send(Buffer.from('{"v":1,"t":"peers"}'));
    expect(await client.next(isType('error'))).toMatchObject({ code: 'bad-message' });
    await expectStillOpen(client);
  });

  it('closes with 1009 on a frame above 64 KiB, but accepts one just below', async () => {
    const { client, identity } = await joinedClient(server.url, 'big');
    clients.push(client);
    const peer = await joinedClient(server.url, 'big');
    clients.push(peer.client);
    const envelope = JSON.stringify({ v: 1, t: 'signal', to: peer.identity.id, data: '' });
    // The relayed frame is 2 bytes longer ("from" vs "to"); keep it within the limit too.
    const fits = 'x'.repeat(64 * 1024 - envelope.length - 2);
    client.sendJson({ v: 1, t: 'signal', to: peer.identity.id, data: fits });
    expect(await peer.client.next(isType('signal'))).toMatchObject({ from: identity.id });
    client.sendJson({ v: 1, t: 'signal', to: peer.identity.id, data: fits + 'xx' });
    expect(await client.next(isType('error'))).toMatchObject({ code: 'too-large', to: peer.identity.id });
    client.ws.send('x'.repeat(64 * 1024 + 1));
    expect((await client.closed).code).toBe(CLOSE_CODES.tooLarge);
  });

  it('answers bad-message to wrong shapes and keeps the socket', async () => {
    const client = await open();
    const id = 'A'.repeat(22);
    const key = base64urlEncode(new Uint8Array(32));
    const sig = base64urlEncode(new Uint8Array(64));
    const bad: unknown[] = [
      null, 42, 'str', [], [1], {}, { t: 'peers' }, { v: 2, t: 'peers' }, { v: '1', t: 'peers' }, { v: 1 },
      { v: 1, t: 'nope' }, { v: 1, t: 'hello' }, { v: 1, t: 'hello', room: 'r', key },
      { v: 1, t: 'hello', room: '', key, sig }, { v: 1, t: 'hello', room: 'a'.repeat(65), key, sig },
      { v: 1, t: 'hello', room: 'a b', key, sig }, { v: 1, t: 'hello', room: 'r', key: 7, sig },
      { v: 1, t: 'hello', room: 'r', key: key + 'A', sig }, { v: 1, t: 'hello', room: 'r', key, sig: [sig] },
      { v: 1, t: 'signal', data: 1 }, { v: 1, t: 'signal', to: 5, data: 1 }, { v: 1, t: 'signal', to: id },
      { v: 1, t: 'signal', to: 'short', data: 1 }, { v: 1, t: 'peers', extra: true },
    ];
    for (const value of bad) {
      client.sendJson(value);
      expect(await client.next(isType('error')), JSON.stringify(value)).toMatchObject({ code: 'bad-message' });
    }
    for (const text of ['{"v":1,"t":"peers","__proto__":{"x":1}}', '{"__proto__":{"v":1,"t":"peers"}}']) {
      client.ws.send(text);
      expect(await client.next(isType('error')), text).toMatchObject({ code: 'bad-message' });
    }
    await expectStillOpen(client);
  }, 15_000);

  it('answers not-joined to signal and peers before hello', async () => {
    const client = await open();
    client.sendJson({ v: 1, t: 'signal', to: 'A'.repeat(22), data: 1 });
    expect(await client.next(isType('error'))).toMatchObject({ code: 'not-joined' });
    client.sendJson({ v: 1, t: 'peers' });
    expect(await client.next(isType('error'))).toMatchObject({ code: 'not-joined' });
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('answers unknown-peer with the target id', async () => {
    const { client } = await joinedClient(server.url, 'lonely');
    clients.push(client);
    const to = (await newIdentity()).id;
    client.sendJson({ v: 1, t: 'signal', to, data: 1 });
    expect(await client.next(isType('error'))).toMatchObject({ code: 'unknown-peer', to });
    await expectStillOpen(client);
  });

  it('answers already-joined to a second hello', async () => {
    const { client, identity } = await joinedClient(server.url, 'twice');
    clients.push(client);
    client.sendJson({ v: 1, t: 'hello', room: 'other', key: base64urlEncode(identity.publicKey), sig: base64urlEncode(new Uint8Array(64)) });
    expect(await client.next(isType('error'))).toMatchObject({ code: 'already-joined' });
    await expectStillOpen(client);
  });

  it('closes on a bad signature (wrong nonce, or key of someone else)', async () => {
    const client = await openClient(server.url);
    clients.push(client);
    await sendHello(client, 'r', await newIdentity(), 'not-the-nonce');
    expect(await client.next(isType('error'))).toMatchObject({ code: 'bad-signature' });
    expect((await client.closed).code).toBe(CLOSE_CODES.badSignature);

    const thief = await openClient(server.url);
    clients.push(thief);
    const challenge = await thief.next(isType('challenge'));
    const [victim, signer] = [await newIdentity(), await newIdentity()];
    const sig = await signer.sign(new TextEncoder().encode(`starmesh-signal/1|r|${String(challenge['nonce'])}`));
    thief.sendJson({ v: 1, t: 'hello', room: 'r', key: base64urlEncode(victim.publicKey), sig: base64urlEncode(sig) });
    expect(await thief.next(isType('error'))).toMatchObject({ code: 'bad-signature' });
    expect((await thief.closed).code).toBe(CLOSE_CODES.badSignature);
  });

  it('refuses a small-order key (identity point, fixed signature that needs no private key)', async () => {
    const client = await open();
    const key = new Uint8Array(32);
    key[0] = 1;
    const sig = new Uint8Array(64);
    sig[0] = 1;
    client.sendJson({ v: 1, t: 'hello', room: 'r', key: base64urlEncode(key), sig: base64urlEncode(sig) });
    expect(await client.next(isType('error'))).toMatchObject({ code: 'bad-signature' });
    expect((await client.closed).code).toBe(CLOSE_CODES.badSignature);
  });

  it('rate-limits a flood, then closes the socket', async () => {
    const strict = await startSignalServer({ port: 0, rateLimit: { ratePerSec: 5, burst: 20 }, maxRateViolations: 3 });
    const strictWitnesses = await createWitnesses(strict.url);
    const client = await openClient(strict.url);
    clients.push(client);
    await client.next(isType('challenge'));
    for (let i = 0; i < 40; i++) client.sendJson({ v: 1, t: 'peers' });
    expect(await client.next(isError('rate-limited'))).toMatchObject({ v: 1 });
    expect((await client.closed).code).toBe(CLOSE_CODES.rateLimited);
    const answered = client.frames.filter(isError('not-joined')).length;
    expect(answered).toBeGreaterThanOrEqual(19);
    expect(answered).toBeLessThanOrEqual(21);
    await strictWitnesses.check();
    strictWitnesses.close();
    await strict.close();
  });
});
