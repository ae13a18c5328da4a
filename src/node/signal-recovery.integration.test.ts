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
/** Every wait's upper bound, sized for a loaded 2-core machine; passing runs end their waits far sooner. */
const PATIENT_MS = 60_000;

describe('signaling recovery', { timeout: 4 * PATIENT_MS }, () => {
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

    const early = await startNodePeer({ signalUrl: url, room: 'recovery', membership: FAST, loopbackOnly: true });
    nodes.push(early);
    await until(() => early.state === 'offline', PATIENT_MS, () => `state ${early.state}`);

    server = await startSignalServer({ port, host: '127.0.0.1' });
    const late = await startNodePeer({ signalUrl: url, room: 'recovery', membership: FAST, loopbackOnly: true });
    nodes.push(late);
    await until(
      () => early.members().includes(late.id) && late.members().includes(early.id),
      PATIENT_MS,
      () => `early: ${early.state} ${early.members().length}, late: ${late.state} ${late.members().length}`,
    );
    expect(early.state).toBe('connected');
  });

  it('after a server restart only the introducers come back, spread out in time; guests stay away', async () => {
    for (const node of nodes.splice(0)) node.stop();
    await server?.close();
    server = await startSignalServer({ port: 0, host: '127.0.0.1', maxIntroducersPerRoom: 3 });
    const { port, url } = server;
    // Calm probes: under a loaded CI machine, 300 ms ping time-outs could isolate a node, and an isolated node rightly
    // goes back to the server, which is not what this test is about.
    const calm = { ...FAST, pingIntervalMs: 1_000, pingTimeoutMs: 1_500 };
    const mesh = await Promise.all(Array.from({ length: 8 }, () => startNodePeer({ signalUrl: url, room: 'restart', membership: calm, loopbackOnly: true })));
    nodes.push(...mesh);
    await until(
      () => mesh.every((node) => node.members().length === 7) && server!.stats().sockets === 3,
      PATIENT_MS,
      () => `members ${mesh.map((node) => node.members().length)}, server ${JSON.stringify(server!.stats())}`,
    );
    const introducers = mesh.filter((node) => node.serverStatus().introducer);
    expect(introducers).toHaveLength(3);

    await server.close();
    server = await startSignalServer({ port, host: '127.0.0.1', maxIntroducersPerRoom: 3 });
    const restarted = server;
    // A socket counts before its hello is through; wait for the joins themselves.
    await until(
      () => restarted.stats().sockets === 3 && restarted.traffic().joins === 3,
      PATIENT_MS,
      () => `server ${JSON.stringify(restarted.stats())} ${JSON.stringify(restarted.traffic())}`,
    );
    // Only the three former introducers came back (a guest with links has no reason to), and the mesh held. The
    // server counts a join before its welcome reaches the node, so each node's own view is waited for.
    await until(
      () => introducers.every((node) => node.serverStatus().introducer),
      PATIENT_MS,
      () => `introducers back: ${introducers.filter((node) => node.serverStatus().introducer).length} of 3`,
    );
    expect(mesh.every((node) => node.members().length === 7 && node.state === 'connected')).toBe(true);
    expect(restarted.traffic().joins).toBe(3);
  });
});
