/**
 * Links in memory, for driver tests that are not about WebRTC: the same `Link` interface as the WebRTC adapter,
 * over a shared in-process network. A link still needs its signaling carried by the driver (the initiator sends an
 * offer, the other side answers), so the driver's real signaling paths (server or sealed through the mesh) are
 * exercised; only ICE, DTLS and SCTP are skipped. Deliveries are asynchronous (a microtask), like a data channel.
 */
import type { CreateLinkResult, Link, LinkEvents, LinkState } from '../adapters/webrtc-transport';
import type { NodeId } from '../core/wire';
import { linkFrameBytes, type LinkFrame } from '../transport/framing';
import { createLinkCounters, type LinkCloseCode, type LinkCounters, type SendResult, type SignalResult } from '../transport/types';
import { consoleHandlerErrors, createEmitter } from '../util/emitter';
import type { LinkFactory } from './links';

/** Largest message, as on a real data channel. */
const MAX_FRAME_BYTES = 16_384;

interface MemoryLink extends Link {
  /** The remote side delivered a frame. */
  deliver(frame: LinkFrame): void;
  /** The pairing completed. */
  open(): void;
  /** The remote side closed. */
  closeFromRemote(code: LinkCloseCode): void;
}

/** A network of in-memory links between the nodes of one test. */
export class MemoryLinkNetwork {
  /** Links by `from>to`. */
  private readonly links = new Map<string, MemoryLink>();
  /** Links ever created, per node (a test can check a node's use of connections). */
  readonly created = new Map<NodeId, number>();

  /** The link factory of node `self`. */
  factory(self: NodeId): LinkFactory {
    return (peer, initiator) => this.create(self, peer, initiator);
  }

  private create(self: NodeId, peer: NodeId, initiator: boolean): CreateLinkResult {
    this.created.set(self, (this.created.get(self) ?? 0) + 1);
    const link = this.makeLink(self, peer, initiator);
    this.links.set(`${self}>${peer}`, link);
    return { ok: true, link };
  }

  private makeLink(self: NodeId, peer: NodeId, initiator: boolean): MemoryLink {
    const events = createEmitter<LinkEvents>(consoleHandlerErrors('memory link'));
    const counters: LinkCounters = createLinkCounters();
    let state: LinkState = 'connecting';
    const remote = (): MemoryLink | undefined => this.links.get(`${peer}>${self}`);
    const finish = (code: LinkCloseCode): void => {
      if (state === 'closed') return;
      state = 'closed';
      if (this.links.get(`${self}>${peer}`) === link) this.links.delete(`${self}>${peer}`);
      events.emit('close', { code });
    };
    const link: MemoryLink = {
      initiator,
      remoteId: () => peer,
      state: () => state,
      on: (event, listener) => events.on(event, listener),
      off: (event, listener) => events.off(event, listener),
      signal: (data: unknown): SignalResult => {
        if (state === 'closed') return { ok: false, code: 'closed' };
        const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
        if (type === 'offer' && !initiator) {
          queueMicrotask(() => events.emit('signal', { type: 'answer', sdp: `memory answer ${self}` }));
          return { ok: true };
        }
        if (type === 'answer' && initiator) {
          // Both sides have what they need: the pair opens, as after ICE and the key proof.
          queueMicrotask(() => {
            const other = remote();
            if (state !== 'connecting' || other === undefined || other.state() !== 'connecting') return;
            link.open();
            other.open();
          });
          return { ok: true };
        }
        counters.refusedSignals++;
        return { ok: false, code: type === 'offer' || type === 'answer' ? 'unexpected-signal' : 'bad-signal' };
      },
      send: (frame: LinkFrame): SendResult => {
        if (state !== 'open') return { ok: false, code: state === 'closed' ? 'closed' : 'not-open' };
        if (typeof frame !== 'string' && !(frame instanceof Uint8Array)) return { ok: false, code: 'not-text' };
        if (linkFrameBytes(frame) > MAX_FRAME_BYTES) return { ok: false, code: 'too-large' };
        counters.messagesSent++;
        // A copy, as a real channel makes: the sender may reuse its buffer.
        const sent = typeof frame === 'string' ? frame : frame.slice();
        queueMicrotask(() => remote()?.deliver(sent));
        return { ok: true };
      },
      queuedBytes: () => 0,
      // In memory there is no ICE, so no candidate pair to tell.
      path: () => Promise.resolve(undefined),
      close: () => {
        if (state === 'closed') return;
        const other = remote();
        finish('local');
        if (other !== undefined) queueMicrotask(() => other.closeFromRemote('remote-closed'));
      },
      counters: () => counters,
      deliver: (frame) => {
        if (state !== 'open') return;
        counters.messagesReceived++;
        events.emit('message', frame);
      },
      open: () => {
        if (state !== 'connecting') return;
        state = 'open';
        events.emit('open', { remoteId: peer });
      },
      closeFromRemote: (code) => finish(code),
    };
    if (initiator) queueMicrotask(() => state === 'connecting' && events.emit('signal', { type: 'offer', sdp: `memory offer ${self}` }));
    return link;
  }
}
