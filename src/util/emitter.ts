/**
 * The one typed event emitter of the library, in the style of mitt: `on()` returns its own unsubscribe function.
 * A handler that throws is isolated: the other handlers still run, and the error goes to `onHandlerError` with the
 * event's name. There is no silent default: every emitter says where its listeners' failures are reported, so a
 * page's buggy listener never vanishes without a trace.
 */

/** A typed emitter over an event map such as `{ close: { code: number } }`. */
export interface Emitter<Events extends object> {
  /** Subscribes `handler` to `event`; returns a function that unsubscribes it. */
  on<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): () => void;
  /** Removes `handler` from `event` (no-op if it was not subscribed). */
  off<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): void;
  /** Calls every handler of `event` with `payload`, in subscription order. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
  /** Removes every handler of every event. */
  clear(): void;
}

/** Receives what a handler threw, and the event it was handling. */
export type HandlerErrorSink = (error: unknown, event: string) => void;

/** Creates an emitter; each instance has its own handler lists. */
export function createEmitter<Events extends object>(onHandlerError: HandlerErrorSink): Emitter<Events> {
  const handlers = new Map<keyof Events, Set<(payload: never) => void>>();
  const emitter: Emitter<Events> = {
    on(event, handler) {
      let set = handlers.get(event);
      if (!set) {
        set = new Set();
        handlers.set(event, set);
      }
      set.add(handler as (payload: never) => void);
      return () => emitter.off(event, handler);
    },
    off(event, handler) {
      const set = handlers.get(event);
      set?.delete(handler as (payload: never) => void);
      if (set?.size === 0) handlers.delete(event);
    },
    emit(event, payload) {
      const set = handlers.get(event);
      if (!set) return;
      for (const handler of [...set] as Array<(payload: Events[typeof event]) => void>) {
        try {
          handler(payload);
        } catch (error) {
          onHandlerError(error, String(event));
        }
      }
    },
    clear() {
      handlers.clear();
    },
  };
  return emitter;
}

/**
 * A sink that writes a listener's failure to the console with where it happened. For the library's internal
 * emitters, whose listeners are the library's own code: a throw there is a bug to be seen, not a crash.
 */
export function consoleHandlerErrors(scope: string): HandlerErrorSink {
  return (error, event) => console.error(`starmesh: a ${scope} '${event}' listener threw`, error);
}
