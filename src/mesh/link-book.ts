/**
 * The machine's book of its links, one entry per peer from the moment a link is asked for until its close comes
 * back: its state, the inbound rate limit of an open link, and the bookkeeping of how it was set up
 * (`link-accounting.ts`). Every path that opens or ends a link goes through here, so no two parts of the machine
 * disagree about which links exist.
 */
import type { NodeId } from '../core/wire';
import { createTokenBucket, type RateLimitOptions, type TokenBucket } from '../util/token-bucket';
import { LinkAccounting } from './link-accounting';

/** A link's state as the machine tracks it. */
export type LinkBookState = 'connecting' | 'open' | 'closing';

/** The links of one machine. */
export class LinkBook {
  /** How links were set up, their set-up times, and neighbours' ping round trips. */
  readonly accounting = new LinkAccounting();
  private readonly states = new Map<NodeId, LinkBookState>();
  private readonly inbound = new Map<NodeId, TokenBucket>();

  constructor(
    private readonly inboundLimit: RateLimitOptions,
    /** The machine's current time (token buckets read it at each frame). */
    private readonly nowMs: () => number,
  ) {}

  /** The link's state, or undefined when there is none. */
  state(peer: NodeId): LinkBookState | undefined {
    return this.states.get(peer);
  }

  /** Peers with a link in any state. */
  peers(): NodeId[] {
    return [...this.states.keys()];
  }

  /** Records a new link being built; false when one exists already. */
  connecting(peer: NodeId): boolean {
    if (this.states.has(peer)) return false;
    this.states.set(peer, 'connecting');
    return true;
  }

  /** The link opened (false when it had been given up meanwhile: nothing to do). */
  opened(peer: NodeId): boolean {
    if (!this.states.has(peer)) return false;
    this.states.set(peer, 'open');
    this.inbound.set(peer, createTokenBucket(this.inboundLimit, this.nowMs));
    this.accounting.opened(peer, this.nowMs());
    return true;
  }

  /** This node is closing the link; returns the state it had (undefined: none, nothing to close). */
  closing(peer: NodeId): LinkBookState | undefined {
    const state = this.states.get(peer);
    if (state !== undefined) this.states.set(peer, 'closing');
    return state;
  }

  /** The link's close came back (or it was never made); forgets it and returns the state it had. */
  closed(peer: NodeId): LinkBookState | undefined {
    const state = this.states.get(peer);
    this.states.delete(peer);
    this.inbound.delete(peer);
    this.accounting.forget(peer);
    return state;
  }

  /** Takes one inbound frame from `peer`'s budget; false when it must be dropped (flood). */
  admitFrame(peer: NodeId): boolean {
    return this.inbound.get(peer)?.take() !== false;
  }
}
