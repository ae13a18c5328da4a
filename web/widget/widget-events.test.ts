import { describe, expect, it } from 'vitest';
import type { StarmeshHandle } from '../handle';
import { forwardEvents } from './widget-events';

/** A handle whose `on` records subscriptions so the test can emit node events by hand. */
function fakeHandle(): { handle: StarmeshHandle; emit: (event: string, payload: unknown) => void; subscribed: () => number } {
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  const handle = {
    id: 'self',
    on: (event: string, fn: (payload: unknown) => void) => {
      const set = handlers.get(event) ?? new Set();
      set.add(fn);
      handlers.set(event, set);
      return () => set.delete(fn);
    },
  } as unknown as StarmeshHandle;
  return {
    handle,
    emit: (event, payload) => handlers.get(event)?.forEach((fn) => fn(payload)),
    subscribed: () => [...handlers.values()].reduce((n, set) => n + set.size, 0),
  };
}

describe('widget events', () => {
  it('turns node events into bubbling, composed DOM events with plain details, and stops on unsubscribe', () => {
    const { handle, emit, subscribed } = fakeHandle();
    const target = new EventTarget();
    const seen: Array<[string, unknown, boolean, boolean]> = [];
    for (const type of ['starmesh-ready', 'starmesh-join', 'starmesh-leave', 'starmesh-message', 'starmesh-state']) {
      target.addEventListener(type, (event) => seen.push([type, (event as CustomEvent).detail, event.bubbles, event.composed]));
    }
    const off = forwardEvents(handle, target);
    emit('membership', { type: 'peer:join', id: 'a' });
    emit('membership', { type: 'neighbour:up', id: 'a' });
    emit('membership', { type: 'peer:remove', id: 'a', reason: 'left' });
    const trace = ['a', 'self'];
    emit('message', { from: 'a', data: 'hi', trace, hops: 1, kind: 'unicast', msgId: 'm1' });
    emit('state', { state: 'connected' });
    expect(seen).toEqual([
      ['starmesh-ready', { id: 'self' }, true, true],
      ['starmesh-join', { id: 'a' }, true, true],
      ['starmesh-leave', { id: 'a', reason: 'left' }, true, true],
      ['starmesh-message', { from: 'a', data: 'hi', trace: ['a', 'self'], hops: 1, kind: 'unicast', msgId: 'm1' }, true, true],
      ['starmesh-state', { state: 'connected' }, true, true],
    ]);
    // The detail's trace is a copy: a listener cannot change the node's data.
    expect((seen[3]?.[1] as { trace: string[] }).trace).not.toBe(trace);
    off();
    expect(subscribed()).toBe(0);
  });
});
