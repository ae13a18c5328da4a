/**
 * Same-browser first contact: tabs of one profile and origin find each other over a `BroadcastChannel` named
 * after the room and exchange WebRTC signaling there, with no server at all. The only user of BroadcastChannel.
 *
 * Everything on the channel is untrusted (any same-origin script can post): messages are validated and capped,
 * and the `from` a tab claims is only a routing hint — the link's key-proof handshake is what authenticates.
 */
import { isNodeId, type NodeId } from '../identity/keys';
import { consoleHandlerErrors, createEmitter } from '../util/emitter';
import type { SignalingClient, SignalingEvents } from './signaling-client';

/** The part of BroadcastChannel used here (injectable for tests). */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** Options of `createBroadcastSignaling`. */
export interface BroadcastSignalingOptions {
  room: string;
  id: NodeId;
  /** Makes the channel; default `new BroadcastChannel(name)`. */
  openChannel?: (name: string) => BroadcastChannelLike;
  /** How long `connect()` collects answers from the other tabs. Default 300 ms. */
  discoveryMs?: number;
  /** Largest message accepted, in characters of JSON. Default 64 KiB. */
  maxMessageChars?: number;
}

/** A signaling client over BroadcastChannel, plus whether a peer is reachable this way. */
export interface BroadcastSignaling extends SignalingClient {
  /** True when `id` is a tab of this browser seen on the channel. */
  hasPeer(id: NodeId): boolean;
}

type ChannelMessage =
  | { t: 'announce'; from: NodeId }
  | { t: 'present'; from: NodeId; to: NodeId }
  | { t: 'signal'; from: NodeId; to: NodeId; data: unknown }
  | { t: 'bye'; from: NodeId };

const MAX_LOCAL_PEERS = 256;

function parse(raw: unknown, maxChars: number): ChannelMessage | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const message = raw as Record<string, unknown>;
  const { t, from, to } = message;
  if (message['v'] !== 1 || !isNodeId(from)) return null;
  if (t === 'announce' || t === 'bye') return { t, from };
  if (!isNodeId(to)) return null;
  if (t === 'present') return { t, from, to };
  if (t !== 'signal' || !('data' in message)) return null;
  let size: number;
  try {
    size = JSON.stringify(message['data'])?.length ?? 0;
  } catch {
    return null;
  }
  return size <= maxChars ? { t, from, to, data: message['data'] } : null;
}

/** Creates the client; the channel opens on `connect()`. Never throws on bad input. */
export function createBroadcastSignaling(options: BroadcastSignalingOptions): BroadcastSignaling {
  const emitter = createEmitter<SignalingEvents>(consoleHandlerErrors('signaling'));
  const peers = new Set<NodeId>();
  const maxChars = options.maxMessageChars ?? 64 * 1024;
  let channel: BroadcastChannelLike | undefined;
  let closed = false;

  const post = (message: Record<string, unknown>): boolean => {
    if (channel === undefined || closed) return false;
    try {
      channel.postMessage({ v: 1, from: options.id, ...message });
      return true;
    } catch {
      return false;
    }
  };

  const remember = (id: NodeId): void => {
    if (id !== options.id && peers.size < MAX_LOCAL_PEERS) peers.add(id);
  };

  const onMessage = (raw: unknown): void => {
    const message = parse(raw, maxChars);
    if (message === null) {
      emitter.emit('error', { code: 'bad-message', message: 'ignored a malformed BroadcastChannel message' });
      return;
    }
    if (message.from === options.id) return;
    switch (message.t) {
      case 'announce':
        remember(message.from);
        post({ t: 'present', to: message.from });
        break;
      case 'present':
        if (message.to === options.id) remember(message.from);
        break;
      case 'signal':
        if (message.to !== options.id) return;
        remember(message.from);
        emitter.emit('signal', { from: message.from, data: message.data });
        break;
      case 'bye':
        peers.delete(message.from);
        break;
    }
  };

  return {
    async connect() {
      if (channel === undefined && !closed) {
        const open = options.openChannel ?? ((name: string) => new BroadcastChannel(name) as unknown as BroadcastChannelLike);
        try {
          channel = open(`starmesh:${options.room}`);
        } catch {
          closed = true;
        }
        if (channel !== undefined) {
          channel.onmessage = (event) => onMessage(event.data);
          post({ t: 'announce' });
          await new Promise((resolve) => setTimeout(resolve, options.discoveryMs ?? 300));
        }
      }
      return { id: options.id, peers: [...peers], introducer: false };
    },
    // No server is involved, so there is no introducer pool to be part of.
    isIntroducer() {
      return false;
    },
    // Nothing to let go of: this path needs no server, and sibling tabs keep finding us through it.
    release() {},
    send(to, data) {
      return post({ t: 'signal', to, data });
    },
    async requestPeers() {
      return [...peers];
    },
    close() {
      if (closed) return;
      post({ t: 'bye' });
      closed = true;
      channel?.close();
      emitter.emit('close', { code: 1000, reason: 'closed' });
    },
    on(event, handler) {
      return emitter.on(event, handler);
    },
    hasPeer(id) {
      return peers.has(id);
    },
  };
}
