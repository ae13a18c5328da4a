import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSignalServer, type SignalServer } from '../../signal/server';
import { generateKeyPair, identityFromKeyPair, type KeyIdentity } from '../identity/keys';
import {
  createSignalingClient,
  SIGNAL_LEASE_EXPIRED_CLOSE_CODE,
  SignalingError,
  type SignalingClient,
  type SignalingEvents,
  type WebSocketLike,
} from './signaling-client';

const servers: SignalServer[] = [];
const clients: SignalingClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Parameters<typeof startSignalServer>[0] = {}): Promise<SignalServer> {
  const server = await startSignalServer({ port: 0, ...options });
  servers.push(server);
  return server;
}

async function client(url: string, room = 'room', identity?: KeyIdentity, origin?: string): Promise<SignalingClient> {
  const id = identity ?? (await identityFromKeyPair(await generateKeyPair()));
  // A browser sends its page's Origin on every upgrade; `ws` sends one only when told.
  const WebSocketImpl = origin === undefined ? WebSocket : class extends WebSocket {
    constructor(target: string) {
      super(target, { origin });
    }
  };
  const created = createSignalingClient({ url, room, identity: id, WebSocketImpl, timeoutMs: 3000 });
  clients.push(created);
  return created;
}

/** Resolves with the next event of that kind. */
function nextEvent<K extends keyof SignalingEvents>(c: SignalingClient, event: K): Promise<SignalingEvents[K]> {
  return new Promise((resolve) => {
    const off = c.on(event, (payload) => {
      off();
      resolve(payload);
    });
  });
}

describe('signaling client', () => {
  it('connects, relays signals both ways, and requests peers', async () => {
    const server = await start();
    const a = await client(server.url);
    const b = await client(server.url);
    const welcomeA = await a.connect();
    expect(welcomeA.peers).toEqual([]);
    expect(await a.connect()).toBe(welcomeA);
    const welcomeB = await b.connect();
    expect(welcomeB.peers).toEqual([welcomeA.id]);

    const received = nextEvent(b, 'signal');
    expect(a.send(welcomeB.id, { type: 'offer', sdp: 'v=0' })).toBe(true);
    expect(await received).toEqual({ from: welcomeA.id, data: { type: 'offer', sdp: 'v=0' } });
    const back = nextEvent(a, 'signal');
    b.send(welcomeA.id, null);
    expect(await back).toEqual({ from: welcomeB.id, data: null });

    expect(await a.requestPeers()).toEqual([welcomeB.id]);
  });

  it('reports server errors as error events with codes, and keeps working', async () => {
    const server = await start();
    const a = await client(server.url);
    await a.connect();
    const stranger = (await identityFromKeyPair(await generateKeyPair())).id;
    const error = nextEvent(a, 'error');
    a.send(stranger, 1);
    expect(await error).toMatchObject({ code: 'unknown-peer' });
    expect(await a.requestPeers()).toEqual([]);
  });

  it('refuses oversize and non-JSON data locally', async () => {
    const server = await start();
    const a = await client(server.url);
    const { id } = await a.connect();
    const errors: string[] = [];
    a.on('error', ({ code }) => errors.push(code));
    expect(a.send(id, 'x'.repeat(70_000))).toBe(false);
    expect(a.send(id, { n: 1n })).toBe(false);
    expect(a.send('not-an-id', 1)).toBe(false);
    expect(errors).toEqual(['too-large', 'bad-message', 'bad-message']);
  });

  it('rejects connect with the server code when the id is in use', async () => {
    const server = await start();
    const identity = await identityFromKeyPair(await generateKeyPair());
    await (await client(server.url, 'r', identity)).connect();
    const dup = await client(server.url, 'r', identity);
    const closed = nextEvent(dup, 'close');
    await expect(dup.connect()).rejects.toMatchObject({ code: 'id-in-use' });
    expect((await closed).code).toBe(4003);
  });

  it('rejects connect with bad-signature for a lying identity', async () => {
    const server = await start();
    const real = await identityFromKeyPair(await generateKeyPair());
    const liar: KeyIdentity = { ...real, sign: async () => new Uint8Array(64) };
    const c = await client(server.url, 'r', liar);
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalingError);
    expect(error).toMatchObject({ code: 'bad-signature' });
  });

  it('rejects connect with origin-forbidden when the page origin is not allowed, and lets a Node client in', async () => {
    const server = await start({ allowedOrigins: ['https://only.example'] });
    const refused = await client(server.url, 'room', undefined, 'https://elsewhere.example');
    const closed = nextEvent(refused, 'close');
    const error = await refused.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalingError);
    expect(error).toMatchObject({ code: 'origin-forbidden', message: "this page's origin is not allowed by the signaling server" });
    expect((await closed).code).toBe(4011);
    await expect((await client(server.url, 'room', undefined, 'https://only.example')).connect()).resolves.toMatchObject({ peers: [] });
    // No Origin (a Node peer): admitted by its key proof.
    await expect((await client(server.url)).connect()).resolves.toMatchObject({ introducer: true });
  });

  it('maps the origin-forbidden close code alone (no error frame first) to origin-forbidden', async () => {
    const c = createSignalingClient({
      url: 'ws://scripted',
      room: 'room',
      identity: await identityFromKeyPair(await generateKeyPair()),
      WebSocketImpl: scriptedSocket([], { code: 4011, reason: 'origin-forbidden' }),
      timeoutMs: 3000,
    });
    clients.push(c);
    const errors: string[] = [];
    c.on('error', ({ code }) => errors.push(code));
    await expect(c.connect()).rejects.toMatchObject({ code: 'origin-forbidden' });
    expect(errors).toEqual(['origin-forbidden']);
  });

  it('rejects connect with connect-failed when the upgrade is refused or nothing listens', async () => {
    const server = await start({ allowedOrigins: ['https://only.example'] });
    // A malformed Origin is refused with HTTP 403 at upgrade: no socket, so nothing more can be said.
    await expect((await client(server.url, 'room', undefined, 'only.example')).connect()).rejects.toMatchObject({ code: 'connect-failed' });
    const port = server.port;
    await server.close();
    servers.length = 0;
    await expect((await client(`ws://127.0.0.1:${port}`)).connect()).rejects.toMatchObject({ code: 'connect-failed' });
  });

  it('emits close once and rejects pending requests when the server goes away', async () => {
    const server = await start();
    const a = await client(server.url);
    await a.connect();
    const closes: number[] = [];
    a.on('close', ({ code }) => closes.push(code));
    await server.close();
    servers.length = 0;
    await expect.poll(() => closes).toEqual([1001]);
    await expect(a.requestPeers()).rejects.toMatchObject({ code: 'closed' });
    a.close();
    expect(closes).toEqual([1001]);
    await expect(a.connect()).rejects.toBeDefined();
  });
});

/**
 * A scripted server: answers the hello with the given frames (for shapes a real server never sends), or closes
 * the socket at once with `closeAtOnce`.
 */
function scriptedSocket(afterHello: unknown[], closeAtOnce?: { code: number; reason: string }): new (url: string) => WebSocketLike {
  return class implements WebSocketLike {
    readyState = 1;
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    constructor(_url: string) {
      queueMicrotask(() => {
        this.onopen?.({});
        if (closeAtOnce === undefined) return this.onmessage?.({ data: JSON.stringify({ v: 1, t: 'challenge', nonce: 'n' }) });
        // Closed by the "server" right after the upgrade, with no frame first.
        this.readyState = 3;
        this.onclose?.(closeAtOnce);
      });
    }
    send(text: string): void {
      if ((JSON.parse(text) as { t?: unknown }).t !== 'hello') return;
      for (const frame of afterHello) this.onmessage?.({ data: JSON.stringify(frame) });
    }
    close(): void {
      this.readyState = 3;
    }
  };
}

describe('signaling client: introducer pool', () => {
  it('reports its role on connect, and a promotion as a role event', async () => {
    const server = await start({ maxIntroducersPerRoom: 1 });
    const a = await client(server.url);
    const b = await client(server.url);
    const welcomeA = await a.connect();
    expect(welcomeA).toEqual({ id: welcomeA.id, peers: [], introducer: true });
    expect(a.isIntroducer()).toBe(true);
    const welcomeB = await b.connect();
    expect(welcomeB).toEqual({ id: welcomeB.id, peers: [welcomeA.id], introducer: false });
    expect(b.isIntroducer()).toBe(false);
    const role = nextEvent(b, 'role');
    a.close();
    expect(a.isIntroducer()).toBe(false);
    expect(await role).toEqual({ introducer: true });
    expect(b.isIntroducer()).toBe(true);
  });

  it('reports a lease expiry as a close with code 4007, not as an error', async () => {
    const server = await start({ maxIntroducersPerRoom: 1, guestLeaseMs: 200 });
    const a = await client(server.url);
    const guest = await client(server.url);
    await a.connect();
    const errors: string[] = [];
    guest.on('error', ({ code }) => errors.push(code));
    const closed = nextEvent(guest, 'close');
    expect((await guest.connect()).introducer).toBe(false);
    const event = await closed;
    expect(event.code).toBe(SIGNAL_LEASE_EXPIRED_CLOSE_CODE);
    expect(event.reason).toMatch(/^lease-expired/);
    expect(errors).toEqual([]);
    expect(guest.isIntroducer()).toBe(false);
    await expect(guest.requestPeers()).rejects.toMatchObject({ code: 'closed' });
    expect(a.isIntroducer()).toBe(true);
    expect(await a.requestPeers()).toEqual([]);
  });

  it('treats a welcome without introducer (older server) as a guest, and refuses malformed role frames', async () => {
    const identity = await identityFromKeyPair(await generateKeyPair());
    const old = createSignalingClient({
      url: 'ws://scripted',
      room: 'r',
      identity,
      WebSocketImpl: scriptedSocket([
        { v: 1, t: 'welcome', id: identity.id, peers: [] },
        { v: 1, t: 'role', introducer: 'yes' },
      ]),
    });
    clients.push(old);
    const errors: string[] = [];
    old.on('error', ({ code }) => errors.push(code));
    expect(await old.connect()).toEqual({ id: identity.id, peers: [], introducer: false });
    expect(old.isIntroducer()).toBe(false);
    expect(errors).toEqual(['protocol-error']);

    const early = createSignalingClient({
      url: 'ws://scripted',
      room: 'r',
      identity,
      timeoutMs: 200,
      WebSocketImpl: scriptedSocket([
        { v: 1, t: 'role', introducer: true },
        { v: 1, t: 'welcome', id: identity.id, peers: [], introducer: 1 },
      ]),
    });
    clients.push(early);
    const earlyErrors: string[] = [];
    early.on('error', ({ code }) => earlyErrors.push(code));
    early.on('role', () => earlyErrors.push('role-event'));
    await expect(early.connect()).rejects.toMatchObject({ code: 'timeout' });
    expect(earlyErrors).toEqual(['protocol-error', 'protocol-error']);
    expect(early.isIntroducer()).toBe(false);
  });
});

describe('signaling client: the server limits', () => {
  it('rejects with address-limit when its address has too many sockets', async () => {
    const server = await start({ maxSocketsPerAddress: 1 });
    await (await client(server.url)).connect();
    await expect((await client(server.url)).connect()).rejects.toMatchObject({ code: 'address-limit' });
  });

  it('names the close codes that come without an error message (slow reader, message time-out, 1008, 1011)', async () => {
    const cases: Array<[number, string]> = [[4009, 'slow-reader'], [4010, 'message-timeout'], [1008, 'policy-violation'], [1011, 'internal-error']];
    for (const [code, name] of cases) {
      const Impl = class implements WebSocketLike {
        readyState = 1;
        onopen: ((event: unknown) => void) | null = null;
        onmessage: ((event: unknown) => void) | null = null;
        onclose: ((event: { code: number; reason: string }) => void) | null = null;
        onerror: ((event: unknown) => void) | null = null;
        constructor(_url: string) {
          queueMicrotask(() => this.onclose?.({ code, reason: name }));
        }
        send(): void {}
        close(): void {}
      };
      const c = createSignalingClient({ url: 'ws://x', room: 'r', identity: await identityFromKeyPair(await generateKeyPair()), WebSocketImpl: Impl });
      const errors: string[] = [];
      c.on('error', ({ code: errorCode }) => errors.push(errorCode));
      await expect(c.connect()).rejects.toMatchObject({ code: name });
      expect(errors).toEqual([name]);
    }
  });
});
