/**
 * `wss://` served by the signaling server itself (`tls` option, CLI `--cert`/`--key`): a certificate made for the
 * test by the `openssl` CLI (node:crypto cannot make X.509 certificates; `.ci/run` installs openssl), a `ws` client
 * that trusts exactly that certificate joins, one that does not is refused, and plain `ws://` gets nothing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSignalServer, type SignalServer } from './server';
import { helloSigningInput } from './protocol';
import { base64urlEncode } from '../src/identity/keys';
import { newIdentity } from './test-helpers';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir = '';
let cert: Buffer;
let key: Buffer;
const servers: SignalServer[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'starmesh-tls-'));
  // A self-signed P-256 certificate for 127.0.0.1, valid one day.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=starmesh-test', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'pipe' });
  cert = readFileSync(join(dir, 'cert.pem'));
  key = readFileSync(join(dir, 'key.pem'));
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens a socket with `ca` trusted, joins `room` with a fresh identity, resolves with the welcome's `t`. */
async function joinOver(url: string, ca: Buffer | undefined): Promise<string> {
  const identity = await newIdentity();
  const ws = new WebSocket(url, ca ? { ca } : {});
  try {
    return await new Promise<string>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as Record<string, unknown>;
        if (frame['t'] !== 'challenge') return resolve(String(frame['t']));
        void identity.sign(helloSigningInput('tls-room', String(frame['nonce']))).then((sig) =>
          ws.send(JSON.stringify({ v: 1, t: 'hello', room: 'tls-room', key: base64urlEncode(identity.publicKey), sig: base64urlEncode(sig) })),
        );
      });
    });
  } finally {
    ws.terminate();
  }
}

describe('signal server over TLS', () => {
  it('serves wss:// with the given certificate; a client trusting it joins, others are refused', async () => {
    const server = await startSignalServer({ port: 0, host: '127.0.0.1', tls: { cert, key } });
    servers.push(server);
    expect(server.url).toBe(`wss://127.0.0.1:${server.port}`);
    expect(await joinOver(server.url, cert)).toBe('welcome');
    // The accounting of not-yet-upgraded connections sees the upgrade through the TLS socket (else an upgraded
    // wss socket would hold a pending slot for its whole life).
    const open = new WebSocket(server.url, { ca: cert });
    await new Promise((resolve, reject) => open.once('message', resolve).once('error', reject));
    expect(server.connections()).toEqual({ open: 1, pending: 0 });
    open.terminate();
    await expect(joinOver(server.url, undefined)).rejects.toThrow(/self[- ]signed/i);
    await expect(joinOver(`ws://127.0.0.1:${server.port}`, undefined)).rejects.toThrow();
    expect(server.stats().sockets).toBe(0);
  });

  it('the CLI serves wss:// from --cert and --key files', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'signal/cli.ts', '--port', '0', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`cli did not start: ${text.slice(-500)}`)), 60_000);
      const read = (chunk: Buffer): void => {
        if (text.length < 10_000) text += chunk.toString();
        const match = /listening on (wss:\/\/\S+)/.exec(text);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.once('exit', (code) => reject(new Error(`cli exited (${code}): ${text.slice(-500)}`)));
    });
    expect(await joinOver(url, cert)).toBe('welcome');
  });
});
