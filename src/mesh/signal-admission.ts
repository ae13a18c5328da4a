/**
 * What a node does with signaling that arrives for it (by the server, a sibling tab, or verified through the
 * mesh): feed a link under way, open a new one, refuse with `busy`, or drop it. A pure decision over the node's
 * state; the machine carries it out. This is where the initiator rule meets the degree bound.
 */
import { isInitiator } from '../core/initiator';
import type { NodeId } from '../core/wire';
import { isOpeningMove, type SignalPayload } from './signal-payload';

/** The decision for one signaling payload. */
export type Admission =
  /** Hand the WebRTC data to the link being built with this peer. */
  | { act: 'feed'; data: unknown }
  /** A new link: create it (the initiator rule says who offers), then feed it the data if any. */
  | { act: 'open'; initiator: boolean; data?: unknown }
  /** The peer has no room for us: abandon our attempt. */
  | { act: 'busy' }
  /** Refuse: count `reason`, and answer `busy` when `answerBusy` (only an opening move is answered). */
  | { act: 'refuse'; reason: string; answerBusy: boolean }
  /** Nothing to do (a dial request for a link that exists already). */
  | { act: 'ignore' };

/** The node's state the decision depends on. */
export interface AdmissionState {
  selfId: NodeId;
  /** True when a link to the peer exists, being built or open. */
  hasLink: boolean;
  /** True when the node takes a new link from this peer now (degree bound, not leaving). */
  accepts: () => boolean;
}

/** Decides what to do with `payload` from `from`. `accepts` is only asked for a new link. */
export function admit(from: NodeId, payload: SignalPayload, state: AdmissionState): Admission {
  if (payload.k === 'busy') return { act: 'busy' };
  if (state.hasLink) return payload.k === 'rtc' ? { act: 'feed', data: payload.s } : { act: 'ignore' };
  if (!state.accepts()) return { act: 'refuse', reason: 'signal:refused', answerBusy: isOpeningMove(payload) };
  const initiator = isInitiator(state.selfId, from);
  // A dial request asks the other side to make the offer: only the initiator may be asked.
  if (payload.k === 'dial' && !initiator) return { act: 'refuse', reason: 'signal:dial-order', answerBusy: false };
  return payload.k === 'rtc' ? { act: 'open', initiator, data: payload.s } : { act: 'open', initiator };
}

/** How many recent signal nonces are remembered against replays. */
export const NONCE_MEMORY = 4_096;

/**
 * Nonces of sealed signaling already accepted, per origin: a relay that replays a sealed offer is refused. Bounded;
 * the oldest are forgotten first (a replay that old finds no link attempt to disturb).
 */
export class ReplayGuard {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number = NONCE_MEMORY) {}

  /** True the first time `nonce` from `from` is seen (and remembers it); false for a replay. */
  admit(from: NodeId, nonce: string): boolean {
    const key = `${from}|${nonce}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}
