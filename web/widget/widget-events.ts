/**
 * The widget's DOM events: node events turned into `CustomEvent`s on the element, bubbling and composed, so a
 * host page can listen on the element or on `document`. Details are plain data (copies of what the node reports).
 */
import type { StarmeshHandle } from '../handle';

/** Event names and their `detail`. */
export interface StarmeshWidgetEventMap {
  /** The node started; its ID. */
  'starmesh-ready': { id: string };
  /** A member joined the mesh (as this node learned it). */
  'starmesh-join': { id: string };
  /** A member left or was removed (`reason`: left, suspect time-out, stale…). */
  'starmesh-leave': { id: string; reason: string };
  /** A routed message for this node. */
  'starmesh-message': { from: string; data: string | Uint8Array; trace: string[]; hops: number; kind: 'unicast' | 'broadcast'; msgId: string };
  /** The node's state changed. */
  'starmesh-state': { state: string; detail?: string };
}

function fire<K extends keyof StarmeshWidgetEventMap>(target: EventTarget, name: K, detail: StarmeshWidgetEventMap[K]): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

/** Forwards `handle`'s events to `target` as DOM events; returns the unsubscribe function. */
export function forwardEvents(handle: StarmeshHandle, target: EventTarget): () => void {
  const offs = [
    handle.on('membership', (event) => {
      if (event.type === 'peer:join') fire(target, 'starmesh-join', { id: event.id });
      else if (event.type === 'peer:remove') fire(target, 'starmesh-leave', { id: event.id, reason: String(event.reason) });
    }),
    handle.on('message', (m) => fire(target, 'starmesh-message', { from: m.from, data: m.data, trace: [...m.trace], hops: m.hops, kind: m.kind, msgId: m.msgId })),
    handle.on('state', (s) => fire(target, 'starmesh-state', s.detail === undefined ? { state: s.state } : { state: s.state, detail: s.detail })),
  ];
  fire(target, 'starmesh-ready', { id: handle.id });
  return () => offs.forEach((off) => off());
}
