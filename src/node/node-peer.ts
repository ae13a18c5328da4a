/**
 * Everything a Node process needs to become a mesh node: a fresh in-memory identity, the signaling client over
 * `ws`, the WebRTC platform (simple-peer on the Node WebRTC of `src/adapters/node-webrtc.ts`; no ICE servers unless
 * configured: peers on one host or LAN) and the driver, wired together. The CLI (`scripts/peer.ts`), the integration test and the bench use it.
 */
import { WebSocket } from 'ws';
import type { MembershipOptions } from '../core';
import { createSignalingClient, type WebSocketConstructor } from '../adapters/signaling-client';
import { loadNodeWebRtc, type NodeWebRtcName } from '../adapters/node-webrtc.js';
import { SimplePeerImpl } from '../adapters/simple-peer.node.js';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import { createAttemptLimiter, createConnectionBudget } from '../transport/budget';
import type { IceServer, IceTransportPolicy } from '../transport/ice-servers';
import { iceSourceFromOptions } from './ice-source';
import { webrtcLinks } from './links';
import { MeshNode, type MeshNodeOptions } from './mesh-node';

/** Options of `startNodePeer`. */
export interface NodePeerConfig {
  /** `ws://host:port` of the signaling server. */
  signalUrl: string;
  room: string;
  membership?: Partial<MembershipOptions>;
  /** WebSocket class for the signaling client; default `ws`'s. */
  WebSocketImpl?: WebSocketConstructor;
  /**
   * Peer connections this process may construct in its lifetime. Node has no browser quota, so the default is
   * generous; it still bounds what misbehaving peers can make us spend.
   */
  connectionBudget?: number;
  /** Inbound frames accepted per link (default: the driver's). */
  linkInboundLimit?: MeshNodeOptions['linkInboundLimit'];
  /** Node WebRTC implementation; default `DEFAULT_NODE_WEBRTC`. */
  webrtc?: NodeWebRtcName;
  /** ICE host candidates on 127.0.0.1 only: for peers that all run on this machine (tests, benches). */
  loopbackOnly?: boolean;
  /**
   * ICE servers (STUN, TURN) for this peer's connections; they win over the signaling server's. Default: the
   * server's, else none. Validated like the page's `ice`.
   */
  iceServers?: readonly IceServer[];
  /** `relay`: TURN relay candidates only; default `all`. */
  iceTransportPolicy?: IceTransportPolicy;
  /** A fixed Ed25519 key pair (the node ID derives from it); default a fresh one. */
  keyPair?: CryptoKeyPair;
}


/** Default lifetime connection budget of a Node peer. */
export const DEFAULT_NODE_CONNECTION_BUDGET = 10_000;

/**
 * Generates an identity, connects to the signaling server and starts a mesh node. Resolves once the first contact
 * was attempted (the node reports an unreachable server through its state, it does not reject).
 */
export async function startNodePeer(config: NodePeerConfig): Promise<MeshNode> {
  // Explicit servers win; otherwise the signaling server's (from its welcome), for links made after the join.
  const ice = iceSourceFromOptions(config.iceServers, config.iceTransportPolicy, () => performance.now());
  const identity = await identityFromKeyPair(config.keyPair ?? (await generateKeyPair(false)));
  const rtc = await loadNodeWebRtc(config.webrtc);
  const signaling = () =>
    ice.capture(
      createSignalingClient({
        url: config.signalUrl,
        room: config.room,
        identity,
        WebSocketImpl: config.WebSocketImpl ?? (WebSocket as unknown as WebSocketConstructor),
      }),
    );
  const budget = createConnectionBudget({ lifetimeLimit: config.connectionBudget ?? DEFAULT_NODE_CONNECTION_BUDGET });
  const node = new MeshNode({
    identity,
    signaling,
    links: webrtcLinks({
      identity,
      SimplePeerImpl,
      wrtc: rtc.wrtc,
      rtcConfig: rtc.rtcConfig({ loopbackOnly: config.loopbackOnly === true }),
      ice: () => ice.current(),
      budget,
      limiter: createAttemptLimiter({ now: () => performance.now() }),
      // The link's own open time-out follows the core's, so a `connectTimeoutMs` override applies to both.
      ...(config.membership?.connectTimeoutMs !== undefined ? { connectTimeoutMs: config.membership.connectTimeoutMs } : {}),
    }),
    budget,
    udpCandidatesOnly: true,
    ...(config.membership !== undefined ? { membership: config.membership } : {}),
    ...(config.linkInboundLimit !== undefined ? { linkInboundLimit: config.linkInboundLimit } : {}),
  });
  await node.start();
  return node;
}
