/**
 * Browser entry for the simple-peer constructor: the prebuilt UMD bundle, which carries its own
 * polyfills, so Vite never pulls Node built-ins (verified: its default export is the constructor).
 */
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { SimplePeerConstructor } from '../transport/types';

/** simple-peer for browsers; pass it as `SimplePeerImpl` to `createLink`. */
export const SimplePeerImpl = SimplePeer as unknown as SimplePeerConstructor;
