/**
 * Who makes the WebRTC offer between two nodes: the lower ID. Both sides compute the same answer without talking,
 * so two nodes that want each other at the same moment still end up with one connection, not two.
 */
import type { NodeId } from './wire';

/** True when `selfId` makes the offer to `remoteId` (the lower ID does). */
export function isInitiator(selfId: NodeId, remoteId: NodeId): boolean {
  return selfId < remoteId;
}
