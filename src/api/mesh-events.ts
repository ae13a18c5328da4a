/** The events of the public API and its emitter: `on` returns an unsubscribe function and takes an AbortSignal. */
import type { RemovalReason } from '../core/peer-table';
import type { NodeState } from '../node/mesh-node-types';
import type { RouteLogEntry } from '../routing/router';
import { createEmitter, type HandlerErrorSink } from '../util/emitter';
import type { MeshData } from './payload';

/** A message for this node. */
export interface MeshMessage {
  /** The sender's ID. */
  from: string;
  /** What the sender passed to `send` or `broadcast` (a `Uint8Array` arrives as a `Uint8Array`). */
  data: MeshData;
  kind: 'unicast' | 'broadcast';
  /** The message's ID (what the sender's `broadcast` returned; `progress` events carry the same). */
  msgId: string;
  /** The nodes it crossed, sender first, this node last. */
  trace: string[];
  hops: number;
}

/**
 * A large message on its way to this node: it travels in pieces of 12 000 bytes, and each piece that arrives but
 * the last is reported (the last is the `message` event). `receivedBytes` counts the encoded payload (a string as
 * UTF-8); the total is at most `totalPieces × 12 000`.
 */
export interface MeshProgress {
  from: string;
  msgId: string;
  kind: 'unicast' | 'broadcast';
  receivedPieces: number;
  totalPieces: number;
  receivedBytes: number;
}

/** The events a mesh emits, by name. */
export interface MeshEvents {
  /** A member joined the mesh (this node learned of it, directly or by gossip). */
  'peer-join': { id: string };
  /** A member left: said goodbye (`left`), stopped answering (`dead`) or went stale (`stale`). */
  'peer-leave': { id: string; reason: RemovalReason };
  message: MeshMessage;
  /** A piece of a large message for this node arrived (see `MeshProgress`). */
  progress: MeshProgress;
  /** This node's state changed (`joining`, `connected`, `isolated`, `offline`, `stopped`), with why when known. */
  state: { state: NodeState; detail?: string };
  /** A line of the routing log: a message sent, received, forwarded or dropped here, with its trace so far. */
  route: RouteLogEntry;
}

/** Options of `on`. */
export interface ListenOptions {
  /** Unsubscribes when aborted (an already aborted signal subscribes nothing). */
  signal?: AbortSignal;
}

/** A handler of event `K`. */
export type MeshHandler<K extends keyof MeshEvents> = (payload: MeshEvents[K]) => void;

/** The emitter behind a mesh: `on`/`off` for users, `emit`/`clear` for the mesh itself. */
export interface MeshEmitter {
  on<K extends keyof MeshEvents>(event: K, handler: MeshHandler<K>, options?: ListenOptions): () => void;
  off<K extends keyof MeshEvents>(event: K, handler: MeshHandler<K>): void;
  emit<K extends keyof MeshEvents>(event: K, payload: MeshEvents[K]): void;
  clear(): void;
}

/** An emitter whose throwing handlers go to `onHandlerError` (the other handlers still run). */
export function createMeshEmitter(onHandlerError: HandlerErrorSink): MeshEmitter {
  const inner = createEmitter<MeshEvents>(onHandlerError);
  return {
    on(event, handler, options = {}) {
      const { signal } = options;
      if (signal?.aborted) return () => undefined;
      const off = inner.on(event, handler);
      if (signal === undefined) return off;
      const onAbort = (): void => off();
      signal.addEventListener('abort', onAbort, { once: true });
      return () => {
        signal.removeEventListener('abort', onAbort);
        off();
      };
    },
    off: (event, handler) => inner.off(event, handler),
    emit: (event, payload) => inner.emit(event, payload),
    clear: () => inner.clear(),
  };
}
