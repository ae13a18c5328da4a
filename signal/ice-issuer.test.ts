import { afterEach, describe, expect, it } from 'vitest';
import { parseCliSettings } from './cli-settings';
import { createIceIssuer, turnRestCredential } from './ice-issuer';
import { startSignalServer, type SignalServer } from './server';
import { isType, newIdentity, openClient, sendHello, type TestClient } from './test-helpers';

const SECRET = 'north-wind-secret';
const ID = 'abcdefghijklmnopqrstuv';
/** 2023-11-14T22:13:20Z, a fixed wall clock. */
const WALL_NOW_MS = 1_700_000_000_000;

describe('TURN REST credentials', () => {
  it('match an independently computed vector', () => {
    // echo -n "1700003600:abcdefghijklmnopqrstuv" | openssl dgst -sha1 -hmac "north-wind-secret" -binary | base64
    expect(turnRestCredential(SECRET, `1700003600:${ID}`)).toBe('KHkrltxzuUBlFosi9kLn9+Ewsnc=');
  });

  it('are issued as <expiry>:<id> with the default lifetime of an hour, beside the STUN URLs', () => {
    const issue = createIceIssuer({ stunUrls: ['stun:10.0.0.1:3478'], turnUrls: ['turn:10.0.0.1:3478?transport=udp'], turnSecret: SECRET }, () => WALL_NOW_MS);
    expect(issue(ID)).toEqual({
      iceServers: [
        { urls: ['stun:10.0.0.1:3478'] },
        { urls: ['turn:10.0.0.1:3478?transport=udp'], username: `1700003600:${ID}`, credential: 'KHkrltxzuUBlFosi9kLn9+Ewsnc=' },
      ],
      ttlSec: 3600,
    });
  });

  it('follow the clock and the configured lifetime', () => {
    let nowMs = WALL_NOW_MS + 999;
    const issue = createIceIssuer({ turnUrls: ['turns:turn.example:5349'], turnSecret: SECRET, turnTtlSec: 600 }, () => nowMs);
    expect(issue(ID)?.iceServers[0]?.username).toBe(`1700000600:${ID}`);
    nowMs += 60_000;
    expect(issue(ID)).toMatchObject({ iceServers: [{ username: `1700000660:${ID}` }], ttlSec: 600 });
  });

  it('give nothing when no server is configured, and refuse bad settings', () => {
    expect(createIceIssuer({}, () => WALL_NOW_MS)(ID)).toBeUndefined();
    expect(() => createIceIssuer({ turnUrls: ['turn:a:3478'] }, () => 0)).toThrow(/needs --turn-secret/);
    expect(() => createIceIssuer({ stunUrls: ['http://a'] }, () => 0)).toThrow(/invalid --stun-url/);
    expect(() => createIceIssuer({ stunUrls: ['turn:a'] }, () => 0)).toThrow(/invalid --stun-url/);
    expect(() => createIceIssuer({ turnUrls: ['turn:a'], turnSecret: 's', turnTtlSec: 5 }, () => 0)).toThrow(/--turn-ttl-sec/);
  });
});

describe('ICE CLI settings', () => {
  it('read repeated flags, comma lists and env, the secret from env', () => {
    const settings = parseCliSettings(
      ['--stun-url', 'stun:a:3478,stun:b:3478', '--stun-url', 'stun:c:3478', '--turn-url', 'turn:a:3478', '--turn-ttl-sec', '900', '--turn-realm', 'mesh.example'],
      { STARMESH_TURN_SECRET: SECRET },
    );
    expect(settings.ice).toEqual({
      stunUrls: ['stun:a:3478', 'stun:b:3478', 'stun:c:3478'],
      turnUrls: ['turn:a:3478'],
      turnSecret: SECRET,
      turnTtlSec: 900,
      turnRealm: 'mesh.example',
    });
    expect(parseCliSettings(['--turn-secret', 'flag'], { STARMESH_TURN_SECRET: 'env' }).ice.turnSecret).toBe('flag');
    expect(() => parseCliSettings(['--turn-ttl-sec', '1h'], {})).toThrow(/turn-ttl-sec/);
  });
});

describe('signal server: ICE in the welcome', () => {
  let server: SignalServer | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.ws.terminate();
    await server?.close();
  });

  it('hands each member its own credentials and never sends or logs the secret', async () => {
    const logged: string[] = [];
    server = await startSignalServer({
      port: 0,
      host: '127.0.0.1',
      ice: { stunUrls: ['stun:10.0.0.1:3478'], turnUrls: ['turn:10.0.0.1:3478'], turnSecret: SECRET, turnRealm: 'mesh.example' },
      wallNowMs: () => WALL_NOW_MS,
      log: (event, details) => logged.push(JSON.stringify({ event, ...details })),
    });
    const raw: string[] = [];
    const joinOne = async () => {
      const identity = await newIdentity();
      const client = await openClient(server!.url);
      clients.push(client);
      client.ws.on('message', (data: Buffer) => raw.push(data.toString()));
      await sendHello(client, 'r', identity);
      return { identity, client, welcome: await client.next(isType('welcome')) };
    };
    const a = await joinOne();
    const b = await joinOne();
    const usernameA = `1700003600:${a.identity.id}`;
    expect(a.welcome['ice']).toEqual({
      iceServers: [{ urls: ['stun:10.0.0.1:3478'] }, { urls: ['turn:10.0.0.1:3478'], username: usernameA, credential: turnRestCredential(SECRET, usernameA) }],
      ttlSec: 3600,
    });
    expect(b.welcome['ice']).toMatchObject({ iceServers: [{}, { username: `1700003600:${b.identity.id}` }] });
    // Relayed signaling and an error answer: frames of every kind pass, none with the secret.
    a.client.sendJson({ v: 1, t: 'signal', to: b.identity.id, data: { secret: 'not this one' } });
    await b.client.next(isType('signal'));
    a.client.sendJson({ v: 1, t: 'bogus' });
    await a.client.next(isType('error'));
    const kinds = raw.map((frame) => String((JSON.parse(frame) as { t: unknown }).t));
    for (const kind of ['welcome', 'signal', 'error']) expect(kinds).toContain(kind);
    expect(raw.filter((frame) => frame.includes(SECRET))).toEqual([]);
    expect(logged.some((line) => line.includes('"ice-config"') && line.includes('mesh.example'))).toBe(true);
    expect(logged.filter((line) => line.includes(SECRET))).toEqual([]);
  });

  it('sends no ice field when none is configured', async () => {
    server = await startSignalServer({ port: 0, host: '127.0.0.1' });
    const client = await openClient(server.url);
    clients.push(client);
    await sendHello(client, 'r', await newIdentity());
    expect(await client.next(isType('welcome'))).not.toHaveProperty('ice');
  });
});
