/**
 * A hostile Node peer for e2e tests: it joins the room through the real signaling server, opens a real WebRTC
 * channel to one tab (plain simple-peer on the Node WebRTC of src/adapters/node-webrtc.ts), passes the key-proof handshake honestly, and then
 * writes whatever frames a test wants: malformed JSON, wrong types, oversize frames, binary.
 */
import { WebSocket } from 'ws';
import { createSignalingClient, type SignalingClient } from '../src/adapters/signaling-client';
import { loadNodeWebRtc } from '../src/adapters/node-webrtc';
import { SimplePeerImpl } from '../src/adapters/simple-peer.node';
import { generateKeyPair, identityFromKeyPair, type KeyIdentity } from '../src/identity/keys';
import { createLinkHandshake } from '../src/transport/handshake';
import type { SimplePeerLike } from '../src/transport/types';

/** An authenticated raw channel to one tab. */
export interface EvilPeer {
  id: string;
  /** Writes one text frame, bypassing every size check of the transport. */
  write(text: string): void;
  /** Writes one binary frame. */
  writeBinary(bytes: Uint8Array): void;
  close(): void;
}

/** An identity whose ID sorts below `targetId`, so that this peer makes the offer (the initiator rule). */
async function identityBelow(targetId: string): Promise<KeyIdentity> {
  for (;;) {
    const identity = await identityFromKeyPair(await generateKeyPair());
    if (identity.id < targetId) return identity;
  }
}

/**
 * Connects to the tab `targetId` in `room` and resolves once the channel is authenticated. `origin` is sent in
 * the WebSocket handshake (the test server has an Origin allow-list, as production should).
 */
export async function connectEvilPeer(signalUrl: string, room: string, targetId: string, origin: string): Promise<EvilPeer> {
  const identity = await identityBelow(targetId);
  class OriginWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin });
    }
  }
  const signaling: SignalingClient = createSignalingClient({ url: signalUrl, room, identity, WebSocketImpl: OriginWebSocket });
  await signaling.connect();
  const rtc = await loadNodeWebRtc();
  // Loopback only: the tab and this peer share the machine (and the test's network namespace).
  const raw: SimplePeerLike = new SimplePeerImpl({
    initiator: true, trickle: true, objectMode: true, wrtc: rtc.wrtc, config: rtc.rtcConfig({ loopbackOnly: true }),
  });
  raw.on('error', () => undefined);
  raw.on('signal', (data) => signaling.send(targetId, { k: 'rtc', s: data }));
  signaling.on('signal', ({ from, data }) => {
    const payload = data as { k?: string; s?: unknown };
    if (from === targetId && payload.k === 'rtc') raw.signal(payload.s as never);
  });
  await new Promise<void>((resolve, reject) => {
    const handshake = createLinkHandshake({
      identity,
      expectedRemoteId: targetId,
      send: (text) => raw.write(text),
      onAuthenticated: () => resolve(),
      onFailed: (code, detail) => reject(new Error(`handshake ${code}: ${detail}`)),
    });
    raw.on('data', (data) => handshake.receive(String(data)));
    raw.on('connect', () => handshake.start());
  });
  return {
    id: identity.id,
    write: (text) => raw.write(text),
    writeBinary: (bytes) => (raw as unknown as { send(b: Uint8Array): void }).send(bytes),
    close: () => {
      raw.destroy();
      signaling.close();
    },
  };
}
