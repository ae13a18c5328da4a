/**
 * The driver on in-memory links and an in-memory signaling server: no WebRTC, no network, a manual clock. The
 * real machine, the real signaling paths (sealed, signed mesh signaling included) and the real codec run; only
 * ICE, DTLS and SCTP are skipped. WebRTC itself is tested in `src/adapters/webrtc-transport.test.ts` and the
 * integration tests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededRng } from '../core/random';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import { settle } from './fake-signaling';
import { MemoryLinkNetwork } from './memory-links';
import { MemorySignaling } from './memory-signaling';
import { MeshNode } from './mesh-node';
import { ManualClock } from './test-clock';

const FAST = {
  gossipIntervalMs: 500, pingIntervalMs: 1_000, pingTimeoutMs: 500, suspicionTimeoutMs: 3_000, heartbeatIntervalMs: 2_000,
  cleanupIntervalMs: 1_000, connectTimeoutMs: 5_000, minLinkAgeMs: 2_000, retryBaseMs: 500,
};

const nodes: MeshNode[] = [];
afterEach(() => {
  for (const node of nodes.splice(0)) node.stop();
});

async function mesh(n: number): Promise<{ clock: ManualClock; server: MemorySignaling; links: MemoryLinkNetwork; nodes: MeshNode[] }> {
  const clock = new ManualClock(1_000_000);
  const server = new MemorySignaling();
  const links = new MemoryLinkNetwork();
  for (let i = 0; i < n; i++) {
    const identity = await identityFromKeyPair(await generateKeyPair(false));
    const node = new MeshNode({
      identity, signaling: () => server.client(identity.id), links: links.factory(identity.id), clock, rng: seededRng(100 + i), membership: FAST,
    });
    nodes.push(node);
    void node.start();
    await settle();
  }
  return { clock, server, links, nodes: [...nodes] };
}

/** Moves the manual clock in small steps, letting crypto and deliveries settle, until `done()` or `maxMs` passed. */
async function runUntil(clock: ManualClock, done: () => boolean, maxMs: number, what: () => string): Promise<void> {
  for (let elapsedMs = 0; !done(); elapsedMs += 50) {
    if (elapsedMs > maxMs) throw new Error(`not within ${maxMs} virtual ms: ${what()}`);
    clock.advance(50);
    for (let i = 0; i < 5; i++) await settle();
  }
}

describe('MeshNode on in-memory links', () => {
  it('eight nodes join, dial their later links through the mesh, and route a unicast along real links', async () => {
    const { clock, nodes: all } = await mesh(8);
    const ids = new Set(all.map((node) => node.id));
    await runUntil(
      clock,
      () => all.every((node) => node.members().length === 7 && node.members().every((id) => ids.has(id))),
      60_000,
      () => `members ${all.map((node) => node.members().length)}`,
    );
    // The first contacts alone may already carry the whole table: wait for the later links (target degree 6).
    await runUntil(clock, () => all.every((node) => node.neighbours().length >= 6), 60_000, () => `degrees ${all.map((node) => node.neighbours().length)}`);
    const viaMesh = all.reduce((sum, node) => sum + node.stats().linksViaMesh, 0);
    const viaServer = all.reduce((sum, node) => sum + node.stats().linksViaServer, 0);
    expect(viaMesh).toBeGreaterThan(0);
    expect(viaServer).toBe(0);
    expect(all.every((node) => node.state === 'connected')).toBe(true);

    const [sender, target] = [all[0]!, all[7]!];
    await runUntil(clock, () => Object.keys(sender.topology()).length === 8, 30_000, () => 'topology incomplete');
    const outcome = sender.send(target.id, 'hello');
    let result: Awaited<typeof outcome> | undefined;
    void outcome.then((r) => (result = r));
    await runUntil(clock, () => result !== undefined, 30_000, () => 'no outcome');
    expect(result).toMatchObject({ ok: true });
    if (!result?.ok) throw new Error('unicast failed');
    expect(result.trace[0]).toBe(sender.id);
    expect(result.trace.at(-1)).toBe(target.id);
    const byId = new Map(all.map((node) => [node.id, node]));
    for (let h = 1; h < result.trace.length; h++) expect(byId.get(result.trace[h - 1]!)?.neighbours()).toContain(result.trace[h]);
  });

  it('a node that leaves is removed everywhere, and nobody else is', async () => {
    const { clock, nodes: all } = await mesh(5);
    await runUntil(clock, () => all.every((node) => node.members().length === 4), 60_000, () => `members ${all.map((node) => node.members().length)}`);
    const [leaver, ...rest] = all as [MeshNode, ...MeshNode[]];
    leaver.stop();
    await runUntil(clock, () => rest.every((node) => !node.members().includes(leaver.id)), 30_000, () => 'leaver still listed');
    expect(rest.every((node) => node.members().length === 3)).toBe(true);
  });
});
