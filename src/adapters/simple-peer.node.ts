/** Node entry for the simple-peer constructor (CommonJS package; needs `wrtc` passed to each link). */
import SimplePeer from 'simple-peer';
import type { SimplePeerConstructor } from '../transport/types';

/** simple-peer for Node; pass it as `SimplePeerImpl` to `createLink`. */
export const SimplePeerImpl = SimplePeer as unknown as SimplePeerConstructor;
