/**
 * `starmesh`: a mesh network of browser tabs. `joinMesh({ room, signal })` makes this tab a node; the signaling
 * server is only for first contact, then the mesh signals, routes and keeps its members by itself.
 */
export { joinMesh } from './join-mesh';
export type { JoinMeshConfig } from './mesh-config';
export type { Mesh, MeshPeer, SendReceipt } from './mesh';
export type { ListenOptions, MeshEvents, MeshHandler, MeshMessage, MeshProgress } from './mesh-events';
export { MeshError, isMeshError, type MeshErrorCode } from './mesh-error';
export type { JsonValue, MeshData } from './payload';
export type { NodeState } from '../node/mesh-node-types';
export type { MembershipOptions } from '../core/options';
export type { RouteLogEntry } from '../routing/router';
