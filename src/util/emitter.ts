/**
 * A tiny typed event emitter in the style of mitt: `on()` returns its own unsubscribe function. A handler that
 * throws is isolated: the other handlers still run, and the error is passed to `onHandlerError` (default: none).
 */

/** A typed emitter over an event map such as `{ close: { code: number } }`. */
export interface Emitter<Events extends object> {
  /** Subscribes `handler` to `event`; returns a function that unsubscribes it. */
  on<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): () => void;
  /** Removes `handler` from `event` (no-op if it was not subscribed). */
  off<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): void;
  /** Calls every handler of `event` with `payload`, in subscription order. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
}

/** Creates an emitter; each instance has its own handler lists. */
export function createEmitter<Events extends object>(
  onHandlerError: (error: unknown) => void = () => {},
): Emitter<Events> {
  const handlers = new Map<keyof Events, Set<(payload: never) => void>>();
  return {
    on(event, handler) {
      let set = handlers.get(event);
      if (!set) {
        set = new Set();
        handlers.set(event, set);
      }
      set.add(handler);
      return () => this.off(event, handler);
    },
    off(event, handler) {
      const set = handlers.get(event);
      set?.delete(handler);
      if (set?.size === 0) handlers.delete(event);
    },
    emit(event, payload) {
      const set = handlers.get(event);
      if (!set) return;
      for (const handler of [...set] as Array<(payload: Events[typeof event]) => void>) {
        try {
          handler(payload);
        } catch (error) {
          onHandlerError(error);
        }
      }
    },
  };
}
