/**
 * A signaling server in memory, for driver tests: clients join one room, get a few introductions, relay payloads
 * to each other, and can be taken down. Like the real server it stamps the sender; unlike it, there is no socket,
 * key proof or introducer pool. Deliveries are asynchronous (a microtask), like a socket.
 */
import { SignalingError, type SignalingClient, type SignalingEvents, type SignalingWelcome } from '../adapters/signaling-client';
import type { NodeId } from '../core/wire';
import { consoleHandlerErrors, createEmitter, type Emitter } from '../util/emitter';

/** Introductions per join, as the real server hands out. */
const INTRODUCTIONS = 4;

/** One room on an in-memory server. */
export class MemorySignaling {
  private readonly joined = new Map<NodeId, Emitter<SignalingEvents>>();
  /** While false, every connect fails (`connect-failed`) as if nothing listened. */
  up = true;
  /** Relayed payloads, for tests to count. */
  relayed = 0;

  /** A client for node `id`. */
  client(id: NodeId): SignalingClient {
    const emitter = createEmitter<SignalingEvents>(consoleHandlerErrors('memory signaling'));
    const leave = (): void => {
      if (this.joined.get(id) !== emitter) return;
      this.joined.delete(id);
      emitter.emit('close', { code: 1000, reason: 'closed' });
    };
    return {
      connect: async (): Promise<SignalingWelcome> => {
        await Promise.resolve();
        if (!this.up) throw new SignalingError('connect-failed', 'memory server down');
        this.joined.set(id, emitter);
        return { id, peers: this.introductions(id), introducer: true };
      },
      isIntroducer: () => this.joined.get(id) === emitter,
      send: (to, data) => {
        const target = this.joined.get(to);
        if (this.joined.get(id) !== emitter || target === undefined) return false;
        this.relayed++;
        const copy = structuredClone(data);
        queueMicrotask(() => target.emit('signal', { from: id, data: copy }));
        return true;
      },
      requestPeers: async () => {
        await Promise.resolve();
        if (this.joined.get(id) !== emitter) throw new SignalingError('closed', 'not joined');
        return this.introductions(id);
      },
      close: leave,
      release: leave,
      on: (event, handler) => emitter.on(event, handler),
    };
  }

  /** Stops the server: every client's socket closes. */
  stop(): void {
    this.up = false;
    for (const [id, emitter] of [...this.joined]) {
      this.joined.delete(id);
      emitter.emit('close', { code: 1001, reason: 'server stopped' });
    }
  }

  private introductions(id: NodeId): NodeId[] {
    return [...this.joined.keys()].filter((other) => other !== id).slice(-INTRODUCTIONS);
  }
}
