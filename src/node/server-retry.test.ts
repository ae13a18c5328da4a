/**
 * The driver reports when it will try the signaling server again: a node whose server is unreachable says how long
 * until the core's next request for introductions, that an attempt is under way while one is, and nothing once
 * the server answered. A manual clock and a scripted signaling client: no network, no real timers.
 */
import { describe, expect, it } from 'vitest';
import { seededRng } from '../core/random';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import type { LinkFactory } from './links';
import { FakeSignalingClient, settle } from './fake-signaling';
import { MeshNode } from './mesh-node';
import { ManualClock } from './test-clock';

/** No link is ever made here (nobody is introduced); making one would be a bug. */
const NO_LINKS: LinkFactory = () => {
  throw new Error('no links in this test');
};

describe('MeshNode.serverRetry', () => {
  it('counts down to the next request for introductions, says "attempting" during one, and stops once joined', async () => {
    const clock = new ManualClock(1_000_000);
    const clients: FakeSignalingClient[] = [];
    const node = new MeshNode({
      identity: await identityFromKeyPair(await generateKeyPair(false)),
      signaling: () => {
        const client = new FakeSignalingClient();
        clients.push(client);
        return client;
      },
      links: NO_LINKS,
      clock,
      rng: seededRng(9),
    });
    try {
      const started = node.start();
      expect(node.serverRetry()).toEqual({ attempting: true, retryInMs: null });
      clients[0]?.fail();
      await started;
      expect(node.state).toBe('offline');

      // The core asks for introductions at once: a second attempt on a fresh socket, which fails too.
      clock.advance(0);
      expect(clients).toHaveLength(2);
      expect(node.serverRetry()).toEqual({ attempting: true, retryInMs: null });
      clients[1]?.fail();
      await settle();
      const retry = node.serverRetry();
      expect(retry.attempting).toBe(false);
      // retryBaseMs 5 000: the first back-off is 2.5 s ±50 %.
      expect(retry.retryInMs).toBeGreaterThanOrEqual(1_250);
      expect(retry.retryInMs).toBeLessThanOrEqual(3_750);
      const inMs = retry.retryInMs ?? 0;

      clock.advance(1_000);
      expect(node.serverRetry()).toEqual({ attempting: false, retryInMs: inMs - 1_000 });
      clock.advance(inMs - 1_000 - 1);
      expect(node.serverRetry()).toEqual({ attempting: false, retryInMs: 1 });
      expect(clients).toHaveLength(2);
      clock.advance(1);
      expect(clients).toHaveLength(3);
      expect(node.serverRetry().attempting).toBe(true);

      // The server answers (nobody else in the room): nothing pending any more.
      clients[2]?.welcome({ id: node.id, peers: [], introducer: true });
      await settle();
      expect(node.serverRetry()).toEqual({ attempting: false, retryInMs: null });
    } finally {
      node.stop();
    }
    expect(node.serverRetry()).toEqual({ attempting: false, retryInMs: null });
  });
});
