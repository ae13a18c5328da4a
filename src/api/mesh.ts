/**
 * The typed node of the public API, a thin layer over the driver (`MeshNode`): payloads encoded and decoded
 * (`payload.ts`), failures as `MeshError`s, the driver's events renamed for users, `ready` and `leave()`. It holds
 * no protocol decision; `joinMesh` (browser) and `starmesh/node` make the driver and hand it here.
 */
import { isNodeId } from '../core/node-id';
import type { MeshNode, MeshNodeStats, NodeState } from '../node/mesh-node';
import { consoleHandlerErrors } from '../util/emitter';
import { MeshError } from './mesh-error';
import { createMeshEmitter, type ListenOptions, type MeshEvents, type MeshHandler } from './mesh-events';
import { decodePayload, encodePayload, type MeshData } from './payload';

/** A member as this node sees it. */
export interface MeshPeer {
  id: string;
  /** `suspect`: it stopped answering and has `suspicionTimeoutMs` to show it is alive before it is removed. */
  state: 'alive' | 'suspect';
  /** True when this node holds a direct link to it (otherwise messages reach it over other members). */
  neighbour: boolean;
  /** Wall-clock milliseconds of the latest evidence that it lives (for display). */
  lastSeenMs: number;
}

/** A delivered unicast: the hops it took and the round trip of its acknowledgement. */
export interface SendReceipt {
  /** The nodes it crossed, this node first, the target last. */
  trace: string[];
  hops: number;
  rttMs: number;
}

/** A node in a mesh: what `joinMesh` resolves with. */
export interface Mesh {
  /** This node's ID: 22 characters of base64url, derived from its public key. */
  readonly id: string;
  /** The node's state now; changes arrive as `state` events. */
  readonly state: NodeState;
  /** True when identity and table survive a reload (IndexedDB works and was asked for). */
  readonly persistent: boolean;
  /** Why not persistent, or why the latest save failed; undefined while all is well. */
  readonly persistenceProblem: string | undefined;
  /**
   * Resolves once this node holds its first link to another member (state `connected`): from then on `send` and
   * `broadcast` reach someone. A node alone in its room waits for the next to come. Rejects with a `MeshError`
   * `stopped` when `leave()` comes first.
   */
  readonly ready: Promise<void>;
  /** The other members (removed ones left out). */
  peers(): MeshPeer[];
  /** Every member's neighbour list, as flooded through the mesh (this node's included). */
  topology(): Record<string, string[]>;
  /**
   * Sends `data` to member `peerId` over the mesh, hop by hop, and resolves once it acknowledged it. A `Uint8Array`
   * (≤ 256 KiB) travels raw in binary frames of ≤ 16 KiB and arrives as a `Uint8Array`. Rejects with a
   * `MeshError`: `bad-payload`, `bad-target`, `too-large`, `unreachable`, `timeout` or `stopped`.
   */
  send(peerId: string, data: MeshData): Promise<SendReceipt>;
  /**
   * Floods `data` to every member (best effort: no acknowledgement) and returns its message ID. Throws a
   * `MeshError` `bad-payload`, `too-large` or `stopped`.
   */
  broadcast(data: MeshData): string;
  /** Subscribes to an event; returns the function that unsubscribes (so does aborting `options.signal`). */
  on<K extends keyof MeshEvents>(event: K, handler: MeshHandler<K>, options?: ListenOptions): () => void;
  /** Unsubscribes `handler` from `event`. */
  off<K extends keyof MeshEvents>(event: K, handler: MeshHandler<K>): void;
  /** Counters of the driver, the membership core and the router, for diagnostics (shape may grow). */
  stats(): MeshNodeStats & { payloadsRefused: number };
  /** Says goodbye to the neighbours, closes every link and the server socket, saves the table. Idempotent. */
  leave(): Promise<void>;
}

/** What the starter of the driver knows about storage. */
export interface MeshSetup {
  persistent: boolean;
  persistenceProblem?: () => string | undefined;
  /** Writes the table now. */
  flush?: () => Promise<void>;
}

/** Wraps a started driver as the public `Mesh`. */
export function createMesh(node: MeshNode, setup: MeshSetup): Mesh {
  const emitter = createMeshEmitter(consoleHandlerErrors('mesh'));
  let payloadsRefused = 0;
  let leaving: Promise<void> | undefined;
  let settleReady: { resolve: () => void; reject: (error: MeshError) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  // Nobody has to await `ready`: a node that leaves alone must not raise an unhandled rejection.
  ready.catch(() => undefined);
  const settle = (state: NodeState): void => {
    if (state === 'connected') settleReady?.resolve();
    else if (state === 'stopped') settleReady?.reject(new MeshError('stopped', 'the node left before its first link'));
    else return;
    settleReady = undefined;
  };
  settle(node.state);
  const offs = [
    node.on('membership', (event) => {
      if (event.type === 'peer:join') emitter.emit('peer-join', { id: event.id });
      else if (event.type === 'peer:remove') emitter.emit('peer-leave', { id: event.id, reason: event.reason });
    }),
    node.on('message', (delivery) => {
      const decoded = decodePayload(delivery.data);
      if (!decoded.ok) {
        payloadsRefused++;
        return;
      }
      emitter.emit('message', { from: delivery.from, data: decoded.data, kind: delivery.kind, msgId: delivery.msgId, trace: delivery.trace, hops: delivery.hops });
    }),
    node.on('progress', (progress) => emitter.emit('progress', { ...progress })),
    node.on('state', (change) => {
      settle(change.state);
      emitter.emit('state', change);
    }),
    node.on('route', (entry) => emitter.emit('route', entry)),
  ];

  const encode = (data: MeshData): string | Uint8Array => {
    const encoded = encodePayload(data);
    if (encoded === null) throw new MeshError('bad-payload', 'data must be a string, a JSON value or a Uint8Array');
    return encoded;
  };

  return {
    id: node.id,
    get state() {
      return node.state;
    },
    persistent: setup.persistent,
    get persistenceProblem() {
      return setup.persistenceProblem?.();
    },
    ready,
    peers: () =>
      node
        .peers()
        .filter((peer) => peer.state !== 'dead' && peer.id !== node.id)
        .map((peer) => ({ id: peer.id, state: peer.state === 'suspect' ? 'suspect' : 'alive', neighbour: peer.neighbour, lastSeenMs: peer.lastSeenMs })),
    topology: () => node.topology(),
    async send(peerId, data) {
      if (!isNodeId(peerId) || peerId === node.id) throw new MeshError('bad-target', `not another member's ID: ${String(peerId).slice(0, 40)}`);
      const encoded = encode(data);
      if (node.state === 'stopped') throw new MeshError('stopped', 'the node has left');
      const result = await node.send(peerId, encoded);
      if (!result.ok) throw new MeshError(result.code, result.detail ?? `send to ${peerId} failed`);
      return { trace: result.trace, hops: result.hops, rttMs: result.rttMs };
    },
    broadcast(data) {
      const encoded = encode(data);
      if (node.state === 'stopped') throw new MeshError('stopped', 'the node has left');
      const { msgId } = node.broadcast(encoded);
      if (msgId === null) throw new MeshError('too-large', 'the encoded message is over 256 KiB');
      return msgId;
    },
    on: (event, handler, options) => emitter.on(event, handler, options),
    off: (event, handler) => emitter.off(event, handler),
    stats: () => ({ ...node.stats(), payloadsRefused }),
    leave() {
      leaving ??= (async () => {
        node.stop();
        for (const off of offs) off();
        emitter.clear();
        await setup.flush?.();
      })();
      return leaving;
    },
  };
}
