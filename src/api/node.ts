/**
 * `starmesh/node`: a mesh node in a Node process (an always-on member, a bot, a bridge), with the same `Mesh` API
 * as the browser's. Needs a Node WebRTC: install `@roamhq/wrtc` (native, optional peer dependency).
 */
import { startNodePeer } from '../node/node-peer';
import { checkJoinConfig, type JoinMeshConfig } from './mesh-config';
import { createMesh, type Mesh } from './mesh';

/** Options of the Node `joinMesh`: the browser's, without persistence (a Node peer keeps nothing). */
export type JoinNodeMeshConfig = Omit<JoinMeshConfig, 'persistence'> & {
  /** ICE host candidates on 127.0.0.1 only: for peers that all run on one machine (tests). */
  loopbackOnly?: boolean;
};

/**
 * Starts a mesh node in this process: a fresh identity (or `identity`), the signaling server for first contact,
 * WebRTC over `@roamhq/wrtc`. Resolves once the first contact was tried; rejects only with `MeshError`
 * `bad-config`, or when `@roamhq/wrtc` is not installed.
 */
export async function joinMesh(config: JoinNodeMeshConfig): Promise<Mesh> {
  const { room, signal, iceServers, identity, options } = checkJoinConfig(config);
  const node = await startNodePeer({
    signalUrl: signal,
    room,
    webrtc: 'wrtc',
    ...(options !== undefined ? { membership: options } : {}),
    ...(iceServers !== undefined ? { iceServers } : {}),
    ...(identity !== undefined ? { keyPair: identity } : {}),
    ...(config.loopbackOnly === true ? { loopbackOnly: true } : {}),
  });
  return createMesh(node, { persistent: false });
}

export { startNodePeer, type NodePeerConfig } from '../node/node-peer';
export type { JoinMeshConfig } from './mesh-config';
export type { Mesh, MeshPeer, SendReceipt } from './mesh';
export type { ListenOptions, MeshEvents, MeshHandler, MeshMessage, MeshProgress } from './mesh-events';
export { MeshError, isMeshError, type MeshErrorCode } from './mesh-error';
export type { JsonValue, MeshData } from './payload';
