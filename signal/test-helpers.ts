/**
 * Helpers for the signaling tests: a raw `ws` client that records every frame and lets a test wait for a
 * specific one (no sleeps), plus a signed join.
 */
import { WebSocket } from 'ws';
import { base64urlEncode, generateKeyPair, identityFromKeyPair, type KeyIdentity } from '../src/identity/keys';
import { helloSigningInput } from './protocol';

/** A parsed server frame (tests inspect it loosely). */
export type Frame = Record<string, unknown>;

/** A recording client. */
export interface TestClient {
  ws: WebSocket;
  /** Frames received and not yet consumed by `next`. */
  frames: Frame[];
  /** Resolves with (and consumes) the first frame matching `match`, waiting for it if needed. */
  next(match?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Resolves when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  sendJson(value: unknown): void;
}

/** Where a test client connects from: another 127.0.0.x stands for another client address. */
export interface ClientOptions {
  origin?: string;
  autoPong?: boolean;
  localAddress?: string;
}

/** Opens a socket and resolves once it is open. Rejects with the HTTP status if the upgrade is refused. */
export function openClient(url: string, options: ClientOptions = {}): Promise<TestClient> {
  const wsOptions: ClientOptions = { autoPong: options.autoPong ?? true };
  if (options.origin !== undefined) wsOptions.origin = options.origin;
  if (options.localAddress !== undefined) wsOptions.localAddress = options.localAddress;
  const ws = new WebSocket(url, wsOptions);
  const frames: Frame[] = [];
  const waiters: Array<{ match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => {});
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as Frame;
    const index = waiters.findIndex((waiter) => waiter.match(frame));
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(frame);
    else frames.push(frame);
  });
  const client: TestClient = {
    ws,
    frames,
    closed,
    next(match = () => true, timeoutMs = 5000) {
      const index = frames.findIndex(match);
      if (index >= 0) return Promise.resolve(frames.splice(index, 1)[0] as Frame);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame; unconsumed: ${JSON.stringify(frames)}`)), timeoutMs);
        waiters.push({ match, resolve: (frame) => (clearTimeout(timer), resolve(frame)) });
      });
    },
    sendJson(value) {
      ws.send(JSON.stringify(value));
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Matches frames by type (and error code). */
export const isType = (t: string) => (frame: Frame) => frame['t'] === t;
export const isError = (code: string) => (frame: Frame) => frame['t'] === 'error' && frame['code'] === code;

/** A fresh identity. */
export async function newIdentity(): Promise<KeyIdentity> {
  return identityFromKeyPair(await generateKeyPair());
}

/** Sends a correctly signed hello for `room` (or one signed over `signedNonce` instead of the real challenge). */
export async function sendHello(client: TestClient, room: string, identity: KeyIdentity, signedNonce?: string): Promise<void> {
  const challenge = await client.next(isType('challenge'));
  const nonce = signedNonce ?? String(challenge['nonce']);
  const sig = await identity.sign(helloSigningInput(room, nonce));
  client.sendJson({ v: 1, t: 'hello', room, key: base64urlEncode(identity.publicKey), sig: base64urlEncode(sig) });
}

/** Opens a client and joins `room`; resolves with the client, its identity and the welcome frame. */
export async function joinedClient(
  url: string,
  room: string,
  identity?: KeyIdentity,
  localAddress?: string,
): Promise<{ client: TestClient; identity: KeyIdentity; welcome: Frame }> {
  const id = identity ?? (await newIdentity());
  const client = await openClient(url, localAddress === undefined ? {} : { localAddress });
  await sendHello(client, room, id);
  const welcome = await client.next((frame) => frame['t'] === 'welcome' || frame['t'] === 'error');
  if (welcome['t'] !== 'welcome') throw new Error(`join failed: ${JSON.stringify(welcome)}`);
  return { client, identity: id, welcome };
}

/** Two joined clients in their own room; `check()` proves the server still relays between them. */
export async function createWitnesses(url: string): Promise<{ check(): Promise<void>; close(): void }> {
  const a = await joinedClient(url, 'witness-room');
  const b = await joinedClient(url, 'witness-room');
  let round = 0;
  return {
    async check() {
      round++;
      a.client.sendJson({ v: 1, t: 'signal', to: b.identity.id, data: { round } });
      const got = await b.client.next((frame) => frame['t'] === 'signal');
      if (got['from'] !== a.identity.id || JSON.stringify(got['data']) !== JSON.stringify({ round })) {
        throw new Error(`witness relay broken: ${JSON.stringify(got)}`);
      }
    },
    close() {
      a.client.ws.close();
      b.client.ws.close();
    },
  };
}
