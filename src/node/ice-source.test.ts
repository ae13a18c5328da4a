import { describe, expect, it } from 'vitest';
import type { SignalingClient, SignalingWelcome } from '../adapters/signaling-client';
import { createIceSource } from './ice-source';

const ID = 'abcdefghijklmnopqrstuv';
const STUN = { urls: ['stun:10.0.0.1:3478'] };
const TURN = { urls: ['turn:10.0.0.1:3478'], username: `1700003600:${ID}`, credential: 'c1' };

/** A client whose next connect() resolves with `welcome`. */
function clientWith(welcomes: SignalingWelcome[]): SignalingClient {
  return { connect: async () => welcomes.shift() ?? { id: ID, peers: [], introducer: false } } as unknown as SignalingClient;
}

describe('ice source', () => {
  it('uses no ICE server before any welcome, and the welcome’s after it', async () => {
    const source = createIceSource({ nowMs: () => 0 });
    expect(source.current()).toBeUndefined();
    await source.capture(clientWith([{ id: ID, peers: [], introducer: true, ice: { iceServers: [STUN, TURN], ttlSec: 3600 } }])).connect();
    expect(source.current()).toEqual({ iceServers: [STUN, TURN] });
  });

  it('lets explicit servers win over server-issued ones, and applies the policy to either', async () => {
    const explicit = createIceSource({ iceServers: [{ urls: 'stun:own:3478' }], iceTransportPolicy: 'relay', nowMs: () => 0 });
    await explicit.capture(clientWith([{ id: ID, peers: [], introducer: true, ice: { iceServers: [TURN], ttlSec: 3600 } }])).connect();
    expect(explicit.current()).toEqual({ iceServers: [{ urls: 'stun:own:3478' }], iceTransportPolicy: 'relay' });
    const policyOnly = createIceSource({ iceTransportPolicy: 'relay', nowMs: () => 0 });
    await policyOnly.capture(clientWith([{ id: ID, peers: [], introducer: true, ice: { iceServers: [TURN], ttlSec: 3600 } }])).connect();
    expect(policyOnly.current()).toEqual({ iceServers: [TURN], iceTransportPolicy: 'relay' });
  });

  it('leaves expired TURN credentials out until a rejoin brings fresh ones', async () => {
    let nowMs = 1_000;
    const source = createIceSource({ nowMs: () => nowMs });
    const fresh = { ...TURN, username: `1700007200:${ID}`, credential: 'c2' };
    const client = source.capture(
      clientWith([
        { id: ID, peers: [], introducer: false, ice: { iceServers: [STUN, TURN], ttlSec: 3600 } },
        { id: ID, peers: [], introducer: false, ice: { iceServers: [STUN, fresh], ttlSec: 3600 } },
      ]),
    );
    await client.connect();
    nowMs = 1_000 + 3_540_000 - 1; // one ms before the 60 s margin
    expect(source.current()?.iceServers).toEqual([STUN, TURN]);
    nowMs += 1;
    expect(source.current()?.iceServers).toEqual([STUN]);
    await client.connect();
    expect(source.current()?.iceServers).toEqual([STUN, fresh]);
  });

  it('forgets server-issued servers when a later welcome has none', async () => {
    const source = createIceSource({ nowMs: () => 0 });
    const client = source.capture(clientWith([{ id: ID, peers: [], introducer: true, ice: { iceServers: [STUN] } }, { id: ID, peers: [], introducer: true }]));
    await client.connect();
    expect(source.current()).toEqual({ iceServers: [STUN] });
    await client.connect();
    expect(source.current()).toBeUndefined();
  });
});
