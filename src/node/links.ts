import { createLink, type CreateLinkOptions, type CreateLinkResult, type Link } from '../adapters/webrtc-transport';
import type { AttemptLimiter, ConnectionBudget } from '../transport/budget';
import type { LinkCloseEvent, LinkCounters, SimplePeerConstructor } from '../transport/types';
import type { KeyIdentity } from '../identity/keys';
import type { IceConfig } from '../transport/ice-servers';
import type { NodeId } from '../core/wire';

/** What the link registry tells its owner. */
export interface LinkHandlers {
  /** Signaling data for `peer` to be carried by a signaling path. */
  signal(peer: NodeId, data: unknown): void;
  open(peer: NodeId): void;
  /** A frame arrived: text, or bytes (a routed data piece). */
  message(peer: NodeId, frame: string | Uint8Array): void;
  close(peer: NodeId, event: LinkCloseEvent): void;
  /** The link dropped a frame (inbound: not text or bytes, or over 16 KiB; outbound: send queue full). */
  drop(peer: NodeId, direction: 'in' | 'out', reason: string): void;
  /** A link could not even be created (budget, rate limit, browser refusal). */
  refused(peer: NodeId, code: string): void;
}

/** Platform pieces a link needs. */
export interface LinkPlatform {
  identity: KeyIdentity;
  SimplePeerImpl: SimplePeerConstructor;
  wrtc?: object;
  rtcConfig?: object;
  /** The ICE settings for the next link, read at each link's creation (a server-issued config can change them). */
  ice?: () => IceConfig | undefined;
  connectTimeoutMs?: number;
  budget?: ConnectionBudget;
  limiter?: AttemptLimiter;
  counters?: LinkCounters;
  /**
   * Keep ICE candidates of our own that are not UDP to ourselves. Measured with @roamhq/wrtc: a peer connection
   * gathers about five TCP host candidates per address and ~100 at worst against one UDP each, which swamps the
   * signaling rate limit and the remote's 64-candidate cap, and the TCP checks cost ~60 file descriptors per
   * connection. UDP alone is what peer-to-peer ICE uses in practice (ICE-TCP only helps when UDP is blocked).
   */
  udpCandidatesOnly?: boolean;
}

/**
 * Makes one link to `peer`: the driver's only way to a connection. The WebRTC one (`webrtcLinks`) and an
 * in-memory one for driver tests (`memory-links.ts`) implement it, so only tests of WebRTC itself need WebRTC.
 */
export type LinkFactory = (peer: NodeId, initiator: boolean) => CreateLinkResult;

/** The WebRTC link factory of a platform (simple-peer on the browser's or Node's WebRTC). */
export function webrtcLinks(platform: LinkPlatform): LinkFactory {
  return (peer, initiator) => {
    const options: CreateLinkOptions = {
      remoteId: peer,
      initiator,
      identity: platform.identity,
      SimplePeerImpl: platform.SimplePeerImpl,
      ...(platform.wrtc !== undefined ? { wrtc: platform.wrtc } : {}),
      ...(platform.rtcConfig !== undefined ? { rtcConfig: platform.rtcConfig } : {}),
      ...iceOption(platform.ice?.()),
      ...(platform.connectTimeoutMs !== undefined ? { connectTimeoutMs: platform.connectTimeoutMs } : {}),
      ...(platform.budget !== undefined ? { budget: platform.budget } : {}),
      ...(platform.limiter !== undefined ? { limiter: platform.limiter } : {}),
      ...(platform.counters !== undefined ? { sharedCounters: platform.counters } : {}),
    };
    return createLink(options);
  };
}

function iceOption(ice: IceConfig | undefined): { ice?: IceConfig } {
  return ice === undefined ? {} : { ice };
}

/** True for a trickled ICE candidate whose transport is not UDP (`candidate:<f> <c> <proto> ...`). */
function isNonUdpCandidate(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const signal = data as { type?: unknown; candidate?: { candidate?: unknown } };
  if (signal.type !== 'candidate' || typeof signal.candidate?.candidate !== 'string') return false;
  const protocol = signal.candidate.candidate.split(' ')[2];
  return protocol !== undefined && protocol.toLowerCase() !== 'udp';
}

/**
 * At most one WebRTC link per peer, keyed by the peer's ID. Routes each link's events to the owner with the peer
 * named, and forgets links once they close.
 */
export class LinkRegistry {
  private readonly links = new Map<NodeId, Link>();

  constructor(
    private readonly factory: LinkFactory,
    private readonly handlers: LinkHandlers,
    /** Drop our own non-UDP ICE candidates (see `LinkPlatform.udpCandidatesOnly`). */
    private readonly udpCandidatesOnly = false,
  ) {}

  /** The link to `peer`, if any. */
  get(peer: NodeId): Link | undefined {
    return this.links.get(peer);
  }

  /** Number of links (any state). */
  get size(): number {
    return this.links.size;
  }

  /** Creates a link to `peer` unless one exists; returns it, or undefined if refused. */
  open(peer: NodeId, initiator: boolean): Link | undefined {
    const existing = this.links.get(peer);
    if (existing !== undefined) return existing;
    const created = this.factory(peer, initiator);
    if (!created.ok) {
      this.handlers.refused(peer, created.code);
      return undefined;
    }
    const link = created.link;
    this.links.set(peer, link);
    link.on('signal', (data) => {
      if (this.udpCandidatesOnly && isNonUdpCandidate(data)) return;
      this.handlers.signal(peer, data);
    });
    link.on('open', () => this.handlers.open(peer));
    link.on('message', (frame) => this.handlers.message(peer, frame));
    link.on('drop', ({ direction, reason }) => this.handlers.drop(peer, direction, reason));
    link.on('close', (event) => {
      if (this.links.get(peer) === link) this.links.delete(peer);
      this.handlers.close(peer, event);
    });
    return link;
  }

  /** Closes the link to `peer` (its close event follows). */
  close(peer: NodeId): void {
    this.links.get(peer)?.close();
  }

  /** Closes every link. */
  closeAll(): void {
    for (const link of [...this.links.values()]) link.close();
  }
}
