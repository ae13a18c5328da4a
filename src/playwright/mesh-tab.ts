/**
 * A tab of the published fixture seen from the test: the page's mesh (the latest one its `joinMesh` made), driven
 * through `page.evaluate`, and its recorded events.
 */
import type { Mesh, MeshPeer, SendReceipt } from '../api/mesh';
import type { MeshEvents, MeshMessage } from '../api/mesh-events';
import type { MeshData } from '../api/payload';
import type { OpenedPage } from './pages';
import { FIXTURE_STORE, fromWire, toWire, type WireData } from './page-hook';

/** A tab whose page joined a mesh: what `mesh.open()` resolves with. */
export interface MeshTab extends OpenedPage {
  /** The node's ID (known once `joinMesh` resolved in the page). */
  readonly id: string;
  /** `mesh.peers()` in the page: the other members, with their state. */
  peers(): Promise<MeshPeer[]>;
  /** `mesh.topology()` in the page. */
  topology(): Promise<Record<string, string[]>>;
  /** Waits for `mesh.ready` in the page (the node's first link). */
  ready(): Promise<void>;
  /** `mesh.send()` in the page; a `Uint8Array` arrives as a `Uint8Array`. Rejects with the page's error message. */
  send(peerId: string, data: MeshData): Promise<SendReceipt>;
  /** `mesh.broadcast()` in the page; resolves with the message ID. */
  broadcast(data: MeshData): Promise<string>;
  /** Every `event` the node emitted since it joined, in order (message payloads decoded, bytes as `Uint8Array`). */
  events<K extends keyof MeshEvents>(event: K): Promise<Array<MeshEvents[K]>>;
  /** `mesh.leave()` in the page. */
  leave(): Promise<void>;
}

type Store = { mesh: Mesh; events: Record<string, unknown[]> };
type WithStore = Record<string, Store | undefined>;
/** `WireData` as `page.evaluate` sees it (its check of a recursive JSON type would not terminate). */
type PageWire = { bytes: number[] } | { value: unknown };
const pageWire = (data: MeshData): PageWire => toWire(data);

/** Wraps an opened page whose mesh has been announced. */
export function meshTab(opened: OpenedPage, id: string): MeshTab {
  const { page } = opened;
  return {
    ...opened,
    id,
    peers: () => page.evaluate((s) => (globalThis as unknown as WithStore)[s]!.mesh.peers(), FIXTURE_STORE),
    topology: () => page.evaluate((s) => (globalThis as unknown as WithStore)[s]!.mesh.topology(), FIXTURE_STORE),
    ready: () => page.evaluate((s) => (globalThis as unknown as WithStore)[s]!.mesh.ready, FIXTURE_STORE),
    send: (peerId, data) =>
      page.evaluate(
        ([s, to, wire]) => (globalThis as unknown as WithStore)[s]!.mesh.send(to, 'bytes' in wire ? new Uint8Array(wire.bytes) : wire.value as MeshData),
        [FIXTURE_STORE, peerId, pageWire(data)] as const,
      ),
    broadcast: (data) =>
      page.evaluate(
        ([s, wire]) => (globalThis as unknown as WithStore)[s]!.mesh.broadcast('bytes' in wire ? new Uint8Array(wire.bytes) : wire.value as MeshData),
        [FIXTURE_STORE, pageWire(data)] as const,
      ),
    async events(event) {
      const rows = await page.evaluate(([s, name]) => (globalThis as unknown as WithStore)[s]?.events[name] ?? [], [FIXTURE_STORE, event] as const);
      if (event !== 'message') return rows as Array<MeshEvents[typeof event]>;
      return (rows as Array<Omit<MeshMessage, 'data'> & { data: WireData }>).map((m) => ({ ...m, data: fromWire(m.data) })) as Array<MeshEvents[typeof event]>;
    },
    leave: () => page.evaluate((s) => (globalThis as unknown as WithStore)[s]!.mesh.leave(), FIXTURE_STORE),
  };
}
