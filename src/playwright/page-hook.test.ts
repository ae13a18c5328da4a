import { describe, expect, it } from 'vitest';
import { fromWire, installTestHook, toWire } from './page-hook';

type Handler = (payload: Record<string, unknown>) => void;

/** A mesh as the hook sees it: `on` only; `emit` plays the node. */
function fakeMesh(): { on(event: string, handler: Handler): void; emit(event: string, payload: Record<string, unknown>): void } {
  const handlers = new Map<string, Handler[]>();
  return {
    on: (event, handler) => void handlers.set(event, [...(handlers.get(event) ?? []), handler]),
    emit: (event, payload) => handlers.get(event)?.forEach((h) => h(payload)),
  };
}

describe('page hook', () => {
  it('keeps bytes, strings and JSON through toWire/fromWire', () => {
    const bytes = fromWire(toWire(new Uint8Array([0, 255, 7])));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes as Uint8Array)).toEqual([0, 255, 7]);
    expect(fromWire(toWire('text'))).toBe('text');
    expect(fromWire(toWire({ a: [1, null] }))).toEqual({ a: [1, null] });
  });

  it('records the announced mesh and its events, bytes as numbers, up to the cap', () => {
    const g = globalThis as Record<string, unknown>;
    installTestHook({ hookName: '__hookUnderTest', storeName: '__storeUnderTest', events: ['message', 'state'], maxPerEvent: 2 });
    try {
      const mesh = fakeMesh();
      (g['__hookUnderTest'] as (m: unknown) => void)(mesh);
      mesh.emit('message', { from: 'x', data: new Uint8Array([1, 2]) });
      mesh.emit('message', { from: 'y', data: { ok: true } });
      mesh.emit('message', { from: 'z', data: 'over the cap' });
      mesh.emit('state', { state: 'connected' });
      mesh.emit('route', { ignored: true });
      const store = g['__storeUnderTest'] as { mesh: unknown; events: Record<string, unknown[]>; dropped: number };
      expect(store.mesh).toBe(mesh);
      expect(store.events['message']).toEqual([
        { from: 'x', data: { bytes: [1, 2] } },
        { from: 'y', data: { value: { ok: true } } },
      ]);
      expect(store.events['state']).toEqual([{ state: 'connected' }]);
      expect(store.events['route']).toBeUndefined();
      expect(store.dropped).toBe(1);
    } finally {
      delete g['__hookUnderTest'];
      delete g['__storeUnderTest'];
    }
  });
});
