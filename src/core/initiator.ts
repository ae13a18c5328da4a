import type { NodeId } from './wire';

/**
 * Whether this node makes the WebRTC offer on a link to `remoteId`: the lower ID does. Both ends reach the same
 * answer without exchanging a word, so two nodes that dial each other at the same moment end up with one
 * connection (one offers, the other answers) instead of two offers crossing on the way.
 */
export function isInitiator(selfId: NodeId, remoteId: NodeId): boolean {
  return selfId < remoteId;
}
