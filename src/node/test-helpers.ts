/** Helpers for the Node integration tests and the mesh bench: polling, and a raw (possibly hostile) peer. */
import SimplePeer from 'simple-peer';
import { WebSocket } from 'ws';
import { createSignalingClient, type SignalingClient, type WebSocketConstructor } from '../adapters/signaling-client';
import { loadNodeWebRtc } from '../adapters/node-webrtc';
import { createLink, isInitiator, type Link } from '../adapters/webrtc-transport';
import { generateKeyPair, identityFromKeyPair, type NodeId } from '../identity/keys';
import type { SimplePeerConstructor, SimplePeerLike } from '../transport/types';

/**
 * Polls `predicate` every `everyMs` until it holds; resolves with the elapsed milliseconds, or rejects after
 * `timeoutMs` with `explain()` in the message.
 */
export async function until(predicate: () => boolean, timeoutMs: number, explain: () => string, everyMs = 50): Promise<number> {
  const startMs = Date.now();
  for (;;) {
    if (predicate()) return Date.now() - startMs;
    if (Date.now() - startMs > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A peer that speaks the signaling and link handshake correctly and then sends whatever the test wants. */
export interface RawPeer {
  id: NodeId;
  link: Link;
  /** Text frames received after the link opened. */
  received: string[];
  /** Binary frames received after the link opened. */
  receivedBytes: Uint8Array[];
  /** Sends a text or binary frame on the data channel, bypassing the link's own checks (size, state). */
  sendRaw(frame: string | Uint8Array): void;
  close(): void;
}

/** Joins `room` and opens an authenticated link to `target` (a MeshNode), following the initiator rule. */
export async function connectRawPeer(signalUrl: string, room: string, target: NodeId, timeoutMs = 10_000): Promise<RawPeer> {
  const identity = await identityFromKeyPair(await generateKeyPair(false));
  const rtc = await loadNodeWebRtc();
  const signaling: SignalingClient = createSignalingClient({
    url: signalUrl, room, identity, WebSocketImpl: WebSocket as unknown as WebSocketConstructor,
  });
  await signaling.connect();
  const captured: SimplePeerLike[] = [];
  // Records the simple-peer instance the link wraps, so frames can skip the link's outbound checks.
  class CapturingPeer extends (SimplePeer as unknown as new (options: object) => SimplePeerLike) {
    constructor(options: object) {
      super(options);
      captured.push(this);
    }
  }
  const initiator = isInitiator(identity.id, target);
  const created = createLink({
    remoteId: target, initiator, identity, SimplePeerImpl: CapturingPeer as unknown as SimplePeerConstructor,
    wrtc: rtc.wrtc, rtcConfig: rtc.rtcConfig({ loopbackOnly: true }), connectTimeoutMs: timeoutMs,
  });
  if (!created.ok) throw new Error(`createLink failed: ${created.code}`);
  const link = created.link;
  const received: string[] = [];
  const receivedBytes: Uint8Array[] = [];
  link.on('message', (frame) => (typeof frame === 'string' ? received.push(frame) : receivedBytes.push(frame)));
  link.on('signal', (data) => signaling.send(target, { k: 'rtc', s: data }));
  signaling.on('signal', ({ from, data }) => {
    const payload = data as { k?: unknown; s?: unknown };
    if (from === target && payload.k === 'rtc') link.signal(payload.s);
  });
  // The lower ID makes the offer; otherwise ask the target to make it.
  if (!initiator) signaling.send(target, { k: 'dial' });
  await new Promise<void>((resolve, reject) => {
    link.on('open', () => resolve());
    link.on('close', (event) => reject(new Error(`raw link closed before open: ${event.code} ${event.detail ?? ''}`)));
  });
  const raw = captured[0];
  if (raw === undefined) throw new Error('no simple-peer instance captured');
  return {
    id: identity.id,
    link,
    received,
    receivedBytes,
    sendRaw: (frame) => {
      raw.write(frame);
    },
    close: () => {
      link.close();
      signaling.close();
    },
  };
}
