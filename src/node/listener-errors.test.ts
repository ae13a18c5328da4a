/**
 * A listener of a node's events that throws (a page's handler with a bug) must neither break the node nor vanish:
 * it is counted by event in `stats().listenerErrors`, written to the console, and the other listeners still run.
 */
import { describe, expect, it, vi } from 'vitest';
import { seededRng } from '../core/random';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import type { LinkFactory } from './links';
import { FakeSignalingClient } from './fake-signaling';
import { MeshNode, type NodeState } from './mesh-node';
import { ManualClock } from './test-clock';

/** No link is ever made here (nobody is introduced); making one would be a bug. */
const NO_LINKS: LinkFactory = () => {
  throw new Error('no links in this test');
};

describe('MeshNode listeners', () => {
  it('counts and reports a throwing listener, and the node and the other listeners go on', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const clients: FakeSignalingClient[] = [];
    const node = new MeshNode({
      identity: await identityFromKeyPair(await generateKeyPair(false)),
      signaling: () => {
        const client = new FakeSignalingClient();
        clients.push(client);
        return client;
      },
      links: NO_LINKS,
      clock: new ManualClock(1_000_000),
      rng: seededRng(3),
    });
    try {
      const seen: NodeState[] = [];
      const bug = new Error('page bug');
      node.on('state', () => {
        throw bug;
      });
      node.on('state', ({ state }) => seen.push(state));
      const started = node.start();
      clients[0]?.fail();
      await started;
      expect(node.state).toBe('offline');
      expect(seen.length).toBeGreaterThan(0);
      expect(node.stats().listenerErrors).toEqual({ state: seen.length });
      expect(consoleError).toHaveBeenCalledWith("starmesh: a 'state' listener threw", bug);
    } finally {
      node.stop();
      consoleError.mockRestore();
    }
  });
});
