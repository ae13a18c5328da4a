/**
 * Tiny typed event emitter for the transport. Listener exceptions are caught and reported to
 * `onListenerError`, so a faulty listener can never break the link's state machine.
 */

/** An interface mapping each event name to its payload type. */
export type EventMap = object;

/** Typed emitter; `on` returns an unsubscribe function. */
export interface Emitter<Events extends EventMap> {
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void;
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
  clear(): void;
}

/** Creates an emitter; `onListenerError` receives anything a listener throws. */
export function createEmitter<Events extends EventMap>(onListenerError: (error: unknown) => void): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  const emitter: Emitter<Events> = {
    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as (payload: never) => void);
      return () => emitter.off(event, listener);
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      const set = listeners.get(event);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          (listener as (payload: Events[typeof event]) => void)(payload);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    clear() {
      listeners.clear();
    },
  };
  return emitter;
}
