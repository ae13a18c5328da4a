/**
 * The persistence boundary with explicit clocks: monotonic times out, wall-clock stamps in, back to a new page's
 * monotonic clock; a wall clock that jumped between save and load never gives a future or absurd LastSeen; a
 * change is on disk within a second; a reopened node shows its earlier peers before it hears from them.
 */
import { describe, expect, it } from 'vitest';
import type { MembershipSnapshot } from '../core';
import type { PeerRecord } from '../core/peer-table';
import { seededRng } from '../core/random';
import { createMemoryStoreFactory } from '../adapters/storage';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import { saveTableSnapshot, tableKey } from '../persistence/table-store';
import { MemoryLinkNetwork } from './memory-links';
import { MemorySignaling } from './memory-signaling';
import { MeshNode } from './mesh-node';
import { loadSavedTable, persistTable, toTableSnapshot } from './persistence-glue';
import { ManualClock } from './test-clock';

const WALL_MS = 1_750_000_000_000;
const HOUR_MS = 3_600_000;
const P = 'pppppppppppppppppppppp';
const SELF = 'ssssssssssssssssssssss';

function record(lastSeenMs: number, stateChangedMs = lastSeenMs): PeerRecord {
  return { id: P, counter: 4, state: 'alive', lastSeenMs, stateChangedMs, successes: 2, failures: 0 };
}

/** Saves a core snapshot taken on `saveClock`, then loads it on `loadClock` (a new page). */
async function saveThenLoad(core: MembershipSnapshot, saveClock: ManualClock, loadClock: ManualClock) {
  const store = createMemoryStoreFactory().openStore('tables');
  await saveTableSnapshot(store, tableKey(SELF), toTableSnapshot(core, { monoMs: saveClock.now(), wallMs: saveClock.wallNow() }));
  return loadSavedTable(store, SELF, { clock: loadClock, staleAfterMs: HOUR_MS });
}

describe('persistence boundary', () => {
  it('stores ages as wall-clock stamps and maps them onto the new page\'s monotonic clock', async () => {
    const saveClock = new ManualClock(50_000, WALL_MS);
    const loadClock = new ManualClock(200, WALL_MS + 30_000); // reopened 30 s later, its monotonic clock restarted
    const loaded = await saveThenLoad({ selfCounter: 9, peers: [record(46_000, 41_000)] }, saveClock, loadClock);
    expect(loaded.status).toBe('loaded');
    if (loaded.status !== 'loaded') return;
    expect(loaded.stored.peers[0]).toMatchObject({ lastSeenMs: WALL_MS - 4_000, stateChangedMs: WALL_MS - 9_000 });
    // Age at load: 4 s before the save + 30 s since.
    expect(loaded.snapshot.peers[0]).toMatchObject({ lastSeenMs: 200 - 34_000, stateChangedMs: 200 - 39_000 });
    expect(loaded.snapshot.selfCounter).toBe(9);
  });

  it('a wall clock set back 2 h between save and load: no future LastSeen, the ages at the save kept', async () => {
    const loaded = await saveThenLoad({ selfCounter: 1, peers: [record(46_000)] }, new ManualClock(50_000, WALL_MS), new ManualClock(10, WALL_MS - 2 * HOUR_MS));
    expect(loaded.status === 'loaded' && loaded.snapshot.peers[0]?.lastSeenMs).toBe(10 - 4_000);
  });

  it('a wall clock set forward 2 h between save and load: every peer is stale, none restored', async () => {
    const loaded = await saveThenLoad({ selfCounter: 1, peers: [record(46_000)] }, new ManualClock(50_000, WALL_MS), new ManualClock(10, WALL_MS + 2 * HOUR_MS));
    expect(loaded).toMatchObject({ status: 'loaded', snapshot: { peers: [] } });
  });

  it('a wall clock that jumped while the page ran shifts no stored stamp relative to the save', async () => {
    const clock = new ManualClock(50_000, WALL_MS);
    clock.jumpWall(2 * HOUR_MS);
    const stored = toTableSnapshot({ selfCounter: 1, peers: [record(46_000)] }, { monoMs: clock.now(), wallMs: clock.wallNow() });
    expect(stored.savedAtMs - (stored.peers[0]?.lastSeenMs ?? 0)).toBe(4_000);
  });

  it('reports a corrupt stored table as unusable, and loads nothing from it', async () => {
    const store = createMemoryStoreFactory().openStore('tables');
    await store.set(tableKey(SELF), { v: 1, savedAtMs: 'yesterday' });
    const loaded = await loadSavedTable(store, SELF, { clock: new ManualClock(), staleAfterMs: HOUR_MS });
    expect(loaded).toEqual({ status: 'unusable', reason: 'stored table corrupt (bad savedAtMs)' });
  });
});

describe('persistTable and a reopened node', () => {
  it('writes a change within 1 s, and a node reopened from it shows its earlier peers with their LastSeen at once', async () => {
    const clock = new ManualClock(1_000, WALL_MS);
    const identity = await identityFromKeyPair(await generateKeyPair(false));
    const server = new MemorySignaling();
    const store = createMemoryStoreFactory().openStore('tables');
    const snapshot: MembershipSnapshot = { selfCounter: 3, peers: [record(600)] };
    const node = new MeshNode({ identity, signaling: () => server.client(identity.id), links: new MemoryLinkNetwork().factory(identity.id), clock, rng: seededRng(1), snapshot });
    const errors: string[] = [];
    persistTable(node, store, clock, { onError: (message) => errors.push(message), onWritten: () => undefined });
    void node.start();
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const written = (await store.get(tableKey(identity.id))) as { savedAtMs: number; peers: PeerRecord[] } | undefined;
    expect(written?.peers.map((p) => p.id)).toEqual([P]);
    expect(errors).toEqual([]);
    node.stop();

    // Reopened 20 s later (new page: monotonic clock from 0): before any message, the peer is listed as before.
    const reopened = new ManualClock(0, WALL_MS + 21_000);
    const loaded = await loadSavedTable(store, identity.id, { clock: reopened, staleAfterMs: HOUR_MS });
    if (loaded.status !== 'loaded') throw new Error(loaded.status);
    const again = new MeshNode({ identity, signaling: () => server.client(identity.id), links: new MemoryLinkNetwork().factory(identity.id), clock: reopened, snapshot: loaded.snapshot });
    const [peer] = again.peers();
    expect(peer?.id).toBe(P);
    expect(again.members()).toEqual([P]);
    // LastSeen 400 ms before the first page's start, i.e. at wall WALL_MS - 400, shown on the new page's scale.
    expect(peer?.lastSeenMs).toBe(WALL_MS - 400);
    expect(again.wallNow() - (peer?.lastSeenMs ?? 0)).toBe(21_400);
    again.stop();
  });
});
