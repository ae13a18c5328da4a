/**
 * A reload keeps the tab's identity and its saved table: the new page restores exactly what the old one stored
 * in IndexedDB, then rejoins the mesh.
 */
import type { MembershipSnapshot } from '../src/core';
import type { TableSnapshot } from '../src/persistence/table-store';
import { asNode, expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, test } from './fixtures';

type Peer = TableSnapshot['peers'][number];
const byId = (a: Peer, b: Peer): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

test('a reloaded tab keeps its ID, restores its saved LastSeen values exactly and rejoins', async ({ openNodes }) => {
  const nodes = await openNodes(3, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const [tab, ...others] = nodes;

  // Save now, then freeze IndexedDB writes in this document so that what is stored is exactly what the next
  // document loads (the periodic saver and the pagehide flush would otherwise overwrite it in between). The
  // freeze dies with the document; the reloaded page writes normally.
  const stored = await tab!.page.evaluate(async (id) => {
    const handle = window.starmesh!;
    await handle.flush();
    IDBObjectStore.prototype.put = function frozen(): never {
      throw new DOMException('writes frozen by the test', 'UnknownError');
    };
    // Any write started before the freeze commits before this read (transactions on one store run in order).
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('starmesh:tables');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const value = await new Promise<unknown>((resolve, reject) => {
      const request = db.transaction('kv', 'readonly').objectStore('kv').get(`table:${id}`);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return value as TableSnapshot | undefined;
  }, tab!.id);
  expect(stored, 'a saved table').toBeDefined();
  expect(stored!.peers.map((p) => p.id).sort()).toEqual(others.map((n) => n.id).sort());

  await tab!.page.reload();
  const reloaded = await asNode(tab!);
  expect(reloaded.id, 'same ID after the reload').toBe(tab!.id);

  const restored = await reloaded.page.evaluate(() => window.starmesh!.restored);
  expect(restored, 'restored snapshot').not.toBeNull();
  const snapshot = restored as MembershipSnapshot;
  expect(snapshot.selfCounter).toBe(stored!.self.counter);
  // Every field exactly as saved, LastSeen included (no entry is stale: staleAfterMs keeps its 10 min default).
  expect([...snapshot.peers].sort(byId)).toEqual([...stored!.peers].sort(byId));
  for (const peer of snapshot.peers) expect(peer.lastSeenMs, `LastSeen of ${peer.id}`).toBeGreaterThan(0);

  // Rejoins: it lists the others and they list it, alive, again.
  await expectFullMembership([reloaded, ...others], { states: ['alive'], timeoutMs: PATIENT_MS });
});

// Reloaded in the middle of a task, the old document can still hold the tab's slot lock while the new one starts
// (seen twice on a loaded machine: the tab came back with a new ID); a reload waits for its slot (tab-identity.ts).
test('a tab reloaded in the same task as it learned of a peer (no save had run for it) comes back with that peer', async ({ openNodes }) => {
  const nodes = await openNodes(3, { params: FAST_PARAMS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: PATIENT_MS });
  const tab = nodes[0]!;
  // Reloads the moment the table first lists someone new: the saver's timer (250 ms after a change) cannot have
  // written that change yet, so only the write started on pagehide can bring the new peer back.
  await tab.page.evaluate((known) => {
    const handle = window.starmesh!;
    const off = handle.on('changed', () => {
      const fresh = handle.members().filter((id) => !known.includes(id));
      if (fresh.length === 0) return;
      off();
      sessionStorage.setItem('test:learned-before-reload', fresh.join(' '));
      location.reload();
    });
  }, nodes.map((n) => n.id));
  // The old document lives on until the reload commits: wait for the new one before reading anything.
  const navigated = tab.page.waitForEvent('framenavigated', { predicate: (frame) => frame === tab.page.mainFrame(), timeout: PATIENT_MS });
  const [late] = await openNodes(1, { params: FAST_PARAMS });
  await navigated;
  await tab.page.waitForLoadState('load');
  const reloaded = await asNode(tab);
  expect(await reloaded.page.evaluate(() => sessionStorage.getItem('test:learned-before-reload')), 'the peer it learned of just before the reload').toBe(late!.id);
  // On failure, say how the new document started (a non-reload navigation or an identity problem explains it).
  const how = await reloaded.page.evaluate(() => ({
    navigation: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.type,
    problem: window.starmesh!.persistenceProblem(),
  }));
  expect(reloaded.id, `same ID after the reload (${JSON.stringify(how)})`).toBe(tab.id);
  const restored = (await reloaded.page.evaluate(() => window.starmesh!.restored)) as MembershipSnapshot | null;
  expect(restored?.peers.map((p) => p.id), 'restored peers').toContain(late!.id);
  for (const peer of restored!.peers) expect(peer.lastSeenMs, `LastSeen of ${peer.id}`).toBeGreaterThan(0);
  await expectFullMembership([reloaded, ...nodes.slice(1), late!], { states: ['alive'], timeoutMs: PATIENT_MS });
});
