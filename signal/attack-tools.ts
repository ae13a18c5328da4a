/**
 * Test tools that speak WebSocket by hand, as a hostile client would: raw TCP connections from a chosen local
 * address (127.0.0.x stands for different clients), the upgrade request written out, client frames built byte
 * by byte (fragments, partial frames), and a reader for the server's frames. Used by the hostile-client tests
 * and by the resource test's attacker process; never by the server.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { base64urlEncode, type KeyIdentity } from '../src/identity/keys';
import { helloSigningInput } from './protocol';

/** WebSocket opcodes used here. */
export const OPCODE = { continuation: 0x0, text: 0x1, close: 0x8, ping: 0x9 } as const;

/** One client frame, masked as RFC 6455 requires (with a zero mask, so the payload reads as is). */
export function clientFrame(opcode: number, payload: Uint8Array | string, fin = true): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const length = body.length;
  const head = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) head[1] = 0x80 | length;
  else if (length < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, Buffer.alloc(4), body]);
}

/** A raw connection; `frames` collects the server's text frames (parsed JSON), `closeCode` its close frame. */
export interface RawClient {
  socket: Socket;
  frames: Array<Record<string, unknown>>;
  closeCode: number | undefined;
  /** Resolves when the TCP connection has closed. */
  closed: Promise<void>;
  /** Waits (polling the collected frames) for a frame matching `match`. */
  next(match: (frame: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  sendText(text: string): void;
}

/** Opens a TCP connection from `localAddress` and writes nothing (the caller decides what to send). */
export function rawSocket(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The upgrade request of a WebSocket handshake. */
export function upgradeRequest(port: number, extraHeaders = ''): string {
  const key = randomBytes(16).toString('base64');
  return (
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`
  );
}

/** Opens a raw WebSocket (upgrade done) from `localAddress`, reading and recording the server's frames. */
export async function rawClient(port: number, localAddress = '127.0.0.1'): Promise<RawClient> {
  const socket = await rawSocket(port, localAddress);
  socket.on('error', () => {});
  const client: RawClient = {
    socket,
    frames: [],
    closeCode: undefined,
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
    async next(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = client.frames.findIndex(match);
        if (index >= 0) return client.frames.splice(index, 1)[0] as Record<string, unknown>;
        if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(client.frames).slice(0, 300)}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    sendText(text) {
      socket.write(clientFrame(OPCODE.text, text));
    },
  };
  let buffer: Buffer = Buffer.alloc(0);
  let upgraded = false;
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buffer.subarray(0, 12).toString().includes('101')) return reject(new Error(buffer.toString().split('\r\n')[0]));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve();
      }
      buffer = readServerFrames(buffer, client);
    });
    socket.once('close', () => reject(new Error('closed during the upgrade')));
    socket.write(upgradeRequest(port));
  });
  return client;
}

/** Parses complete unmasked server frames off the front of `buffer`; returns the rest. */
function readServerFrames(buffer: Buffer, client: RawClient): Buffer {
  for (;;) {
    if (buffer.length < 2) return buffer;
    const len7 = (buffer[1] ?? 0) & 0x7f;
    const headLength = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
    if (buffer.length < headLength) return buffer;
    const length = len7 === 126 ? buffer.readUInt16BE(2) : len7 === 127 ? Number(buffer.readBigUInt64BE(2)) : len7;
    if (buffer.length < headLength + length) return buffer;
    const opcode = (buffer[0] ?? 0) & 0x0f;
    const payload = buffer.subarray(headLength, headLength + length);
    if (opcode === OPCODE.text) client.frames.push(JSON.parse(payload.toString()) as Record<string, unknown>);
    if (opcode === OPCODE.close && payload.length >= 2) client.closeCode = payload.readUInt16BE(0);
    buffer = buffer.subarray(headLength + length);
  }
}

/** Joins `room` over a raw client; resolves with the welcome frame. */
export async function rawJoin(client: RawClient, room: string, identity: KeyIdentity): Promise<Record<string, unknown>> {
  const challenge = await client.next((frame) => frame['t'] === 'challenge');
  const sig = await identity.sign(helloSigningInput(room, String(challenge['nonce'])));
  client.sendText(JSON.stringify({ v: 1, t: 'hello', room, key: base64urlEncode(identity.publicKey), sig: base64urlEncode(sig) }));
  const answer = await client.next((frame) => frame['t'] === 'welcome' || frame['t'] === 'error');
  if (answer['t'] !== 'welcome') throw new Error(`join failed: ${JSON.stringify(answer)}`);
  return answer;
}

/** JSON text nested `depth` levels deep (`[[[...]]]`). */
export function deepJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}
