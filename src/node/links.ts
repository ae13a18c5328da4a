import { createLink, type CreateLinkOptions, type Link } from '../adapters/webrtc-transport';
import type { AttemptLimiter, ConnectionBudget } from '../transport/budget';
import type { LinkCloseEvent, LinkCounters, SimplePeerConstructor } from '../transport/types';
import type { KeyIdentity } from '../identity/keys';
import type { NodeId } from '../core/wire';

/** What the link registry tells its owner. */
export interface LinkHandlers {
  /** Signaling data for `peer` to be carried by a signaling path. */
  signal(peer: NodeId, data: unknown): void;
  open(peer: NodeId): void;
  message(peer: NodeId, text: string): void;
  close(peer: NodeId, event: LinkCloseEvent): void;
  /** A link could not even be created (budget, rate limit, browser refusal). */
  refused(peer: NodeId, code: string): void;
}

/** Platform pieces a link needs. */
export interface LinkPlatform {
  identity: KeyIdentity;
  SimplePeerImpl: SimplePeerConstructor;
  wrtc?: object;
  rtcConfig?: object;
  connectTimeoutMs?: number;
  budget?: ConnectionBudget;
  limiter?: AttemptLimiter;
  counters?: LinkCounters;
}

/**
 * At most one WebRTC link per peer, keyed by the peer's ID. Routes each link's events to the owner with the peer
 * named, and forgets links once they close.
 */
export class LinkRegistry {
  private readonly links = new Map<NodeId, Link>();

  constructor(
    private readonly platform: LinkPlatform,
    private readonly handlers: LinkHandlers,
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
    const options: CreateLinkOptions = {
      remoteId: peer,
      initiator,
      identity: this.platform.identity,
      SimplePeerImpl: this.platform.SimplePeerImpl,
      ...(this.platform.wrtc !== undefined ? { wrtc: this.platform.wrtc } : {}),
      ...(this.platform.rtcConfig !== undefined ? { rtcConfig: this.platform.rtcConfig } : {}),
      ...(this.platform.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.platform.connectTimeoutMs } : {}),
      ...(this.platform.budget !== undefined ? { budget: this.platform.budget } : {}),
      ...(this.platform.limiter !== undefined ? { limiter: this.platform.limiter } : {}),
      ...(this.platform.counters !== undefined ? { sharedCounters: this.platform.counters } : {}),
    };
    const created = createLink(options);
    if (!created.ok) {
      this.handlers.refused(peer, created.code);
      return undefined;
    }
    const link = created.link;
    this.links.set(peer, link);
    link.on('signal', (data) => this.handlers.signal(peer, data));
    link.on('open', () => this.handlers.open(peer));
    link.on('message', (text) => this.handlers.message(peer, text));
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
