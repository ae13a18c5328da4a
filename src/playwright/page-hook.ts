/**
 * The page side of the published fixture. An init script puts a function at `globalThis.__starmeshTestHook` before
 * the page's own code runs; `joinMesh` hands it each mesh it makes (`src/api/test-hook.ts`), and the script keeps
 * the latest mesh and records its events from the first one on. The functions here run inside the page, so each is
 * self-contained (Playwright sends their source, not their closure).
 */
import type { JsonValue, MeshData } from '../api/payload';

/** Where the init script keeps its record in the page. */
export const FIXTURE_STORE = '__starmeshFixture';

/** The events the init script records. */
export const RECORDED_EVENTS = ['peer-join', 'peer-leave', 'message', 'progress', 'state', 'route'] as const;

/** Recorded events kept per event name; later ones are counted in `dropped` (a chatty route log stays bounded). */
export const MAX_RECORDED_PER_EVENT = 10_000;

/** Payload as it crosses between Node and the page: bytes as numbers, everything else as is. */
export type WireData = { bytes: number[] } | { value: JsonValue };

/** Arguments of `installTestHook`. */
export interface HookArgs {
  hookName: string;
  storeName: string;
  events: readonly string[];
  maxPerEvent: number;
}

/** `MeshData` for `page.evaluate` (which would not keep a `Uint8Array` a `Uint8Array`). */
export function toWire(data: MeshData): WireData {
  return data instanceof Uint8Array ? { bytes: Array.from(data) } : { value: data };
}

/** The inverse of `toWire`. */
export function fromWire(wire: WireData): MeshData {
  return 'bytes' in wire ? new Uint8Array(wire.bytes) : wire.value;
}

/** Init script: installs the hook and the record (runs in the page before its own code). */
export function installTestHook(args: HookArgs): void {
  type Recorder = { on(event: string, handler: (payload: Record<string, unknown>) => void): unknown };
  const g = globalThis as Record<string, unknown>;
  const store: { mesh: unknown; events: Record<string, unknown[]>; dropped: number } = { mesh: undefined, events: {}, dropped: 0 };
  g[args.storeName] = store;
  g[args.hookName] = (mesh: Recorder): void => {
    store.mesh = mesh;
    for (const name of args.events) {
      const seen = (store.events[name] ??= []);
      mesh.on(name, (payload) => {
        if (seen.length >= args.maxPerEvent) {
          store.dropped++;
          return;
        }
        if (name !== 'message') return void seen.push(payload);
        const data = payload['data'];
        seen.push({ ...payload, data: data instanceof Uint8Array ? { bytes: Array.from(data) } : { value: data } });
      });
    }
  };
}
