/** The machine's effects that are news for a node's observers only (the page, the widget, tests), as events. */
import type { MeshEffect } from '../mesh/mesh-effects';
import type { Emitter } from '../util/emitter';
import type { MeshNodeEvents } from './mesh-node-types';

/** The effects that only observers hear of. */
export type ObserverEffect = Extract<MeshEffect, { type: 'membership' | 'deliver' | 'progress' | 'route-log' | 'topology' | 'gossip' | 'drop' }>;

/** Emits `effect` as the node event observers listen for. */
export function tellObservers(emitter: Emitter<MeshNodeEvents>, effect: ObserverEffect): void {
  switch (effect.type) {
    case 'membership':
      return emitter.emit('membership', effect.event);
    case 'deliver':
      return emitter.emit('message', effect.delivery);
    case 'progress':
      return emitter.emit('progress', effect.progress);
    case 'route-log':
      return emitter.emit('route', effect.entry);
    case 'topology':
      return emitter.emit('topology', {});
    case 'gossip':
      return emitter.emit('gossip', { dir: effect.dir, type: effect.kind, peer: effect.peer, entries: effect.entries });
    case 'drop':
      return emitter.emit('drop', { from: effect.from, reason: effect.reason });
  }
}
