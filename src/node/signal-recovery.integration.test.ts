/**
 * A node that starts while the signaling server is down keeps asking (with back-off) on fresh sockets, and joins
 * once the server is back on the same address.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startSignalServer, type SignalServer } from '../../signal/server';
import type { MeshNode } from './mesh-node';
import { startNodePeer } from './node-peer';
import { until } from './test-helpers';

const FAST = { gossipIntervalMs: 500, pingIntervalMs: 500, pingTimeoutMs: 300, retryBaseMs: 1_000, retryMaxMs: 4_000 };

describe('signaling recovery', () => {
  const nodes: MeshNode[] = [];
  let server: SignalServer | undefined;

  afterAll(async () => {
    for (const node of nodes) node.stop();
    await server?.close();
  });

  it('a node started during a server outage joins when the server returns', async () => {
    const probe = await startSignalServer({ port: 0, host: '127.0.0.1' });
    const { port, url } = probe;
    await probe.close();

    const early = await startNodePeer({ signalUrl: url, room: 'recovery', membership: FAST });
    nodes.push(early);
    await until(() => early.state === 'offline', 10_000, () => `state ${early.state}`);

    server = await startSignalServer({ port, host: '127.0.0.1' });
    const late = await startNodePeer({ signalUrl: url, room: 'recovery', membership: FAST });
    nodes.push(late);
    await until(
      () => early.members().includes(late.id) && late.members().includes(early.id),
      20_000,
      () => `early: ${early.state} ${early.members().length}, late: ${late.state} ${late.members().length}`,
    );
    expect(early.state).toBe('connected');
  });
});
