/** `joinMesh` for browsers: checks the config, starts the tab's node (`startBrowserNode`) and wraps it. */
import { startBrowserNode } from '../browser/start-browser-node';
import { checkJoinConfig, type JoinMeshConfig } from './mesh-config';
import { createMesh, type Mesh } from './mesh';
import { announceMesh } from './test-hook';

/**
 * Makes this tab a node of the mesh of `config.room`: loads (or mints) its identity, restores its member table
 * and contacts the signaling server. Resolves as soon as the node runs (its `id` is known); `ready` says when it
 * has a peer. Rejects only with a `MeshError` `bad-config`; an unreachable server is a `state` of the node
 * (`offline`, retried), not an error.
 *
 * @example
 * const mesh = await joinMesh({ room: 'lobby', signal: 'wss://signal.example.org' });
 * mesh.on('message', ({ from, data }) => console.log(from, data));
 * await mesh.ready;
 * mesh.broadcast({ hello: 'everyone' });
 */
export async function joinMesh(config: JoinMeshConfig): Promise<Mesh> {
  const { room, signal, iceServers, identity, persistence, options } = checkJoinConfig(config);
  const started = await startBrowserNode({
    signalUrl: signal,
    room,
    ...(options !== undefined ? { membership: options } : {}),
    ...(iceServers !== undefined ? { iceServers } : {}),
    ...(identity !== undefined ? { keyPair: identity } : {}),
    ...(persistence !== undefined ? { persistence } : {}),
  });
  const mesh = createMesh(started.node, {
    persistent: started.persistent,
    persistenceProblem: () => started.persistenceProblem,
    flush: () => started.flush(),
  });
  announceMesh(mesh);
  return mesh;
}
