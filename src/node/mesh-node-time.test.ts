/**
 * The driver and time: every interval, time-out and age runs on the monotonic clock, so moving a node's wall
 * clock (±2 h, ±262 s) while it runs changes nothing it decides, and what it shows stays right.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MembershipEvent } from '../core';
import { seededRng } from '../core/random';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import { settle } from './fake-signaling';
import { MemoryLinkNetwork } from './memory-links';
import { MemorySignaling } from './memory-signaling';
import { MeshNode } from './mesh-node';
import { ManualClock, wallView } from './test-clock';

const FAST = {
  gossipIntervalMs: 500, pingIntervalMs: 1_000, pingTimeoutMs: 500, suspicionTimeoutMs: 3_000, heartbeatIntervalMs: 2_000,
  cleanupIntervalMs: 1_000, connectTimeoutMs: 5_000, minLinkAgeMs: 2_000, retryBaseMs: 500, staleAfterMs: 60_000, tombstoneTtlMs: 120_000,
};
const HOUR_MS = 3_600_000;

const started: MeshNode[] = [];
afterEach(() => {
  for (const node of started.splice(0)) node.stop();
});

async function advance(clock: ManualClock, ms: number): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += 50) {
    clock.advance(50);
    for (let i = 0; i < 5; i++) await settle();
  }
}

describe('MeshNode and the wall clock', () => {
  it('wall-clock jumps of ±2 h and ±262 s in running nodes: no suspicion, no removal, heartbeats at the same rate', async () => {
    const base = new ManualClock(5_000);
    const server = new MemorySignaling();
    const links = new MemoryLinkNetwork();
    const clocks = [wallView(base), wallView(base), wallView(base), wallView(base)];
    const verdicts: string[] = [];
    for (const [i, clock] of clocks.entries()) {
      const identity = await identityFromKeyPair(await generateKeyPair(false));
      const node = new MeshNode({ identity, signaling: () => server.client(identity.id), links: links.factory(identity.id), clock, rng: seededRng(7 + i), membership: FAST });
      node.on('membership', (event: MembershipEvent) => {
        if (event.type === 'peer:suspect' || event.type === 'peer:remove') verdicts.push(`${i}: ${event.type} ${event.id}`);
      });
      started.push(node);
      void node.start();
      await settle();
    }
    for (let waited = 0; started.some((node) => node.members().length < 3); waited += 100) {
      if (waited > 30_000) throw new Error('no full membership');
      await advance(base, 100);
    }
    expect(verdicts).toEqual([]);
    const [jumper, steady] = [started[0]!, started[2]!];
    for (const jumpMs of [2 * HOUR_MS, -2 * HOUR_MS, -2 * HOUR_MS, 262_000, -262_000, -262_000]) {
      const before = { jumper: jumper.stats().counter, steady: steady.stats().counter };
      clocks[0]!.jumpWall(jumpMs);
      clocks[1]!.jumpWall(-jumpMs);
      await advance(base, 12_000);
      const advanced = { jumper: jumper.stats().counter - before.jumper, steady: steady.stats().counter - before.steady };
      // Heartbeats every 2 s (±10 %): 5–7 in 12 s, whatever the wall clock did.
      expect(advanced.jumper, `heartbeats after a ${jumpMs} ms jump`).toBeGreaterThanOrEqual(4);
      expect(advanced.jumper).toBeLessThanOrEqual(advanced.steady + 2);
      expect(advanced.jumper).toBeGreaterThanOrEqual(advanced.steady - 2);
      // What it shows stays right: members seen within seconds, by its own display time.
      for (const peer of jumper.peers()) expect(jumper.wallNow() - peer.lastSeenMs, `age of ${peer.id}`).toBeLessThan(5_000);
    }
    expect(verdicts).toEqual([]);
    for (const node of started) expect(node.members()).toHaveLength(3);
  });

  it('shows wall-clock times from the offset taken at start, unmoved by a later jump', async () => {
    const base = new ManualClock(100, 1_750_000_000_000);
    const clock = wallView(base);
    const identity = await identityFromKeyPair(await generateKeyPair(false));
    const server = new MemorySignaling();
    const node = new MeshNode({ identity, signaling: () => server.client(identity.id), links: new MemoryLinkNetwork().factory(identity.id), clock, membership: FAST });
    started.push(node);
    expect(node.wallNow()).toBe(1_750_000_000_000);
    clock.jumpWall(2 * HOUR_MS);
    base.advance(1_000);
    expect(node.wallNow()).toBe(1_750_000_001_000);
  });
});
