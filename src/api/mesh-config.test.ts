import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../identity/keys';
import { checkJoinConfig, type JoinMeshConfig } from './mesh-config';

const GOOD: JoinMeshConfig = { room: 'lobby', signal: 'ws://127.0.0.1:8787' };

function problem(config: unknown): string | undefined {
  try {
    checkJoinConfig(config as JoinMeshConfig);
    return undefined;
  } catch (error) {
    return (error as { code?: string; message: string }).code + ' ' + (error as Error).message;
  }
}

describe('joinMesh config', () => {
  it('accepts a minimal and a full config', async () => {
    expect(problem(GOOD)).toBeUndefined();
    const identity = await generateKeyPair(false);
    const full: JoinMeshConfig = {
      ...GOOD, signal: 'wss://signal.example.org/x', iceServers: [{ urls: 'stun:stun.example.org' }, { urls: ['turn:a', 'turn:b'], username: 'u', credential: 'c' }],
      identity, persistence: 'memory', options: { gossipIntervalMs: 500, targetDegree: 4 },
    };
    expect(problem(full)).toBeUndefined();
  });

  it('names the first thing wrong, as bad-config', () => {
    expect(problem(null)).toMatch(/^bad-config .*object/);
    expect(problem({ ...GOOD, room: '' })).toMatch(/^bad-config .*room/);
    expect(problem({ ...GOOD, room: 'a b' })).toMatch(/room/);
    expect(problem({ ...GOOD, room: 'x'.repeat(65) })).toMatch(/room/);
    expect(problem({ ...GOOD, signal: 'http://127.0.0.1:8787' })).toMatch(/^bad-config .*signal/);
    expect(problem({ ...GOOD, signal: 'not a url' })).toMatch(/signal/);
    expect(problem({ ...GOOD, iceServers: [{ url: 'stun:x' }] })).toMatch(/iceServers/);
    expect(problem({ ...GOOD, iceServers: 'stun:x' })).toMatch(/iceServers/);
    expect(problem({ ...GOOD, persistence: 'localStorage' })).toMatch(/persistence/);
    expect(problem({ ...GOOD, identity: { publicKey: 'k' } })).toMatch(/identity/);
    expect(problem({ ...GOOD, options: { gossipMs: 500 } })).toMatch(/unknown option gossipMs/);
    expect(problem({ ...GOOD, options: { gossipIntervalMs: -1 } })).toMatch(/gossipIntervalMs/);
    expect(problem({ ...GOOD, options: { gossipIntervalMs: '500' } })).toMatch(/gossipIntervalMs/);
  });
});
