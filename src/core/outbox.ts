import type { Effect, IntroductionReason, MembershipEvent, MembershipStats } from './effects';
import type { MembershipMessage, NodeId } from './wire';

/**
 * Where the core's parts put what they want done, in the order they decide it; `Membership` hands the list to
 * the driver at the end of every input. Order matters (a `bye` must go out before the `disconnect` that follows
 * it), which is why there is one queue for all parts rather than a list per part.
 */
export class Outbox {
  private effects: Effect[] = [];

  constructor(
    private readonly stats: Pick<MembershipStats, 'messagesOut'>,
    /** Sees every event as it is queued (the core's own parts react to removals through it). */
    private readonly onEvent: (event: MembershipEvent) => void = () => {},
  ) {}

  /** Send `message` over the open link to `to`. */
  send(to: NodeId, message: MembershipMessage): void {
    this.stats.messagesOut++;
    this.effects.push({ type: 'send', to, message });
  }

  /** Tell observers. */
  emit(event: MembershipEvent): void {
    this.effects.push({ type: 'event', event });
    this.onEvent(event);
  }

  /** Open a link to `to`, making the offer if `initiator`. */
  connect(to: NodeId, initiator: boolean): void {
    this.effects.push({ type: 'connect', to, initiator });
  }

  /** Close (or abandon the attempt at) the link to `to`. */
  disconnect(to: NodeId): void {
    this.effects.push({ type: 'disconnect', to });
  }

  /** Ask the signaling server for introductions. */
  introduce(reason: IntroductionReason): void {
    this.effects.push({ type: 'introduce', reason });
  }

  /** Everything queued since the last flush, oldest first; the queue starts empty again. */
  flush(): Effect[] {
    const effects = this.effects;
    this.effects = [];
    return effects;
  }
}
