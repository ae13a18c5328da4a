/**
 * How the machine's two parts speak through it: the membership core's and the router's effects become mesh
 * effects, plus the few machine actions they imply (a dial goes to the route wait, a close goes through the link
 * book, a removal makes the router forget the member's advert). Kept apart so that the machine's file shows its
 * inputs, and this one shows every path from a part to the driver.
 */
import type { Effect } from '../core/effects';
import type { NodeId } from '../core/wire';
import type { RouterEffect } from '../routing/router-effects';
import type { MeshEffect } from './mesh-effects';

/** What the translation needs from the machine. */
export interface PartEffectsHost {
  emit(effect: MeshEffect): void;
  /** The core wants a link: dial now or wait for a route (`route-wait.ts`). */
  dialOrWait(peer: NodeId, initiator: boolean): void;
  /** The core gives up a link or an attempt. */
  endLink(peer: NodeId): void;
  pingSent(peer: NodeId, nonce: number): void;
  /** A member was removed: its advert must stop attracting routes. */
  forgetMember(id: NodeId): void;
  /** The topology changed: a waiting dial may have its route now. */
  topologyChanged(): void;
  drop(from: NodeId | null, reason: string): void;
}

/** Carries out the membership core's effects. */
export function runCoreEffects(effects: readonly Effect[], host: PartEffectsHost): void {
  for (const effect of effects) {
    switch (effect.type) {
      case 'send': {
        const message = effect.message;
        host.emit({ type: 'send', to: effect.to, frame: { kind: 'membership', message } });
        if ('entries' in message) host.emit({ type: 'gossip', dir: 'out', kind: message.t, peer: effect.to, entries: message.entries.length });
        if (message.t === 'ping') host.pingSent(effect.to, message.nonce);
        break;
      }
      case 'connect':
        host.dialOrWait(effect.to, effect.initiator);
        break;
      case 'disconnect':
        host.endLink(effect.to);
        break;
      case 'introduce':
        host.emit({ type: 'introduce', reason: effect.reason });
        break;
      case 'event':
        host.emit({ type: 'membership', event: effect.event });
        if (effect.event.type === 'peer:remove') host.forgetMember(effect.event.id);
        break;
    }
  }
}

/** Carries out the router's effects. */
export function runRouterEffects(effects: readonly RouterEffect[], host: PartEffectsHost): void {
  for (const effect of effects) {
    switch (effect.type) {
      case 'send':
        host.emit({ type: 'send', to: effect.to, frame: { kind: 'routing', message: effect.message } });
        break;
      case 'signal':
        // Unverified: the driver checks the origin's seal before the machine acts on it.
        host.emit({ type: 'verify-signal', from: effect.from, body: effect.body });
        break;
      case 'log':
        host.emit({ type: 'route-log', entry: effect.entry });
        break;
      case 'topology':
        host.topologyChanged();
        host.emit(effect);
        break;
      case 'drop':
        host.drop(effect.from, effect.reason);
        break;
      case 'deliver':
      case 'progress':
      case 'result':
        host.emit(effect);
        break;
    }
  }
}
