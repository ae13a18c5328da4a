/**
 * Issue 4 in real tabs: twelve nodes join, the signaling server is stopped, four tabs die. The survivors replace
 * their lost links through the mesh alone, keep full membership within the degree bound, and every survivor
 * reaches every other with a unicast whose trace is a real path. The test runs its own server so it can stop it.
 */
import { startSignalServer, type SignalServer } from '../signal/server';
import { expect, expectFullMembership, FAST_PARAMS, PATIENT_MS, test, type StarmeshNode } from './fixtures';

let server: SignalServer | undefined;

test.afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Page parameters: fast intervals, and the default degree bound (target 6, max 7, plus one inbound slot). */
const MAX_LINKS = 8;

interface Facts {
  neighbours: string[];
  topology: Record<string, string[]>;
  linksViaMesh: number;
  linksViaServer: number;
}

function facts(node: StarmeshNode): Promise<Facts> {
  return node.page.evaluate(() => {
    const h = window.starmesh!;
    const stats = h.stats();
    return { neighbours: h.neighbours(), topology: h.topology(), linksViaMesh: stats.linksViaMesh, linksViaServer: stats.linksViaServer };
  });
}

test('after the server stops and a third of the tabs die, survivors rewire through the mesh and reach each other', async ({ openNodes, baseURL }) => {
  test.setTimeout(480_000);
  server = await startSignalServer({ port: 0, host: '127.0.0.1', allowedOrigins: [new URL(baseURL!).origin] });
  const nodes = await openNodes(12, { params: { ...FAST_PARAMS, signal: server.url }, readyTimeoutMs: PATIENT_MS });
  await expectFullMembership(nodes, { states: ['alive'], timeoutMs: 60_000 });

  await server.close();
  server = undefined;
  const dead = nodes.slice(0, 4);
  const survivors = nodes.slice(4);
  const meshLinksBefore = (await Promise.all(survivors.map(facts))).reduce((sum, f) => sum + f.linksViaMesh, 0);
  await Promise.all(dead.map((node) => node.close()));

  // Full membership among the survivors; the dead are gone from every table.
  await expectFullMembership(survivors, { states: ['alive', 'suspect'], timeoutMs: PATIENT_MS });
  await expectFullMembership(survivors, { states: ['alive'], timeoutMs: PATIENT_MS });

  // Lost links are replaced (the server is down: only the mesh can signal them), within the degree bound.
  for (const node of survivors) {
    await expect
      .poll(async () => (await facts(node)).neighbours.length, { message: `neighbours of survivor ${node.index}`, timeout: PATIENT_MS })
      .toBeGreaterThanOrEqual(5);
    expect((await facts(node)).neighbours.length).toBeLessThanOrEqual(MAX_LINKS);
  }
  const meshLinksAfter = (await Promise.all(survivors.map(facts))).reduce((sum, f) => sum + f.linksViaMesh, 0);
  expect(meshLinksAfter, 'links dialled through the mesh after the server stopped').toBeGreaterThan(meshLinksBefore);

  // Wait until each survivor's adverts match its links, then every survivor unicasts every other.
  const ids = survivors.map((node) => node.id);
  for (const node of survivors) {
    await expect
      .poll(
        async () => {
          const own = await facts(node);
          const others = await Promise.all(survivors.map(async (s) => [s.id, (await facts(s)).neighbours.sort()] as const));
          return others.every(([id, links]) => JSON.stringify([...(own.topology[id] ?? [])].sort()) === JSON.stringify(links));
        },
        { message: `topology at survivor ${node.index} matches the links`, timeout: PATIENT_MS },
      )
      .toBe(true);
  }
  for (const sender of survivors) {
    const targets = ids.filter((id) => id !== sender.id);
    const { results, topology } = await sender.page.evaluate(async (to) => {
      const h = window.starmesh!;
      const topology = h.topology();
      const results = await Promise.all(to.map((id) => h.send(id, `hello ${id}`)));
      return { results, topology };
    }, targets);
    for (const [i, result] of results.entries()) {
      expect(result, `unicast ${sender.index} → ${targets[i]}`).toMatchObject({ ok: true });
      if (!result.ok) continue;
      expect(result.trace[0]).toBe(sender.id);
      expect(result.trace.at(-1)).toBe(targets[i]);
      for (let h = 1; h < result.trace.length; h++) {
        expect(topology[result.trace[h - 1]!], `hop ${h} of ${result.trace.join(' → ')}`).toContain(result.trace[h]);
        expect(ids).toContain(result.trace[h]);
      }
    }
  }

  // Bytes through the rewired mesh: binary frames between real tabs, a payload of several 16 KiB-bounded pieces
  // (unicast to the survivor farthest away, and a broadcast); each arrives as a Uint8Array with every byte intact.
  for (const node of survivors) {
    await node.page.evaluate(() => {
      const got: { kind: string; bytes: boolean; length: number; sum: number }[] = [];
      (window as unknown as { binaryGot: typeof got }).binaryGot = got;
      window.starmesh!.on('message', ({ data, kind }) => {
        const bytes = data instanceof Uint8Array;
        got.push({ kind, bytes, length: data.length, sum: bytes ? data.reduce((a, b, i) => (a + b * (i + 1)) % 1_000_003, 0) : -1 });
      });
    });
  }
  const sender = survivors[0]!;
  const hops = await sender.page.evaluate(() => window.starmesh!.routeInfo());
  const farthest = survivors.slice(1).reduce((best, node) => ((hops[node.id]?.hops ?? 0) > (hops[best.id]?.hops ?? 0) ? node : best));
  const sent = await sender.page.evaluate(async (to) => {
    const payload = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * seed + 7) & 0xff);
    const checksum = (data: Uint8Array): number => data.reduce((a, b, i) => (a + b * (i + 1)) % 1_000_003, 0);
    const unicast = payload(40_000, 13);
    const broadcast = payload(30_000, 29);
    const result = await window.starmesh!.send(to, unicast);
    const { msgId } = window.starmesh!.broadcast(broadcast);
    return { result, msgId, unicastSum: checksum(unicast), broadcastSum: checksum(broadcast) };
  }, farthest.id);
  expect(sent.result, 'binary unicast').toMatchObject({ ok: true });
  expect(sent.msgId).not.toBeNull();
  const got = (node: StarmeshNode) =>
    node.page.evaluate(() => (window as unknown as { binaryGot: { kind: string; bytes: boolean; length: number; sum: number }[] }).binaryGot);
  await expect
    .poll(async () => (await got(farthest)).filter((m) => m.kind === 'unicast'), { timeout: PATIENT_MS })
    .toEqual([{ kind: 'unicast', bytes: true, length: 40_000, sum: sent.unicastSum }]);
  for (const node of survivors.slice(1)) {
    await expect
      .poll(async () => (await got(node)).filter((m) => m.kind === 'broadcast'), { message: `binary broadcast at ${node.index}`, timeout: PATIENT_MS })
      .toEqual([{ kind: 'broadcast', bytes: true, length: 30_000, sum: sent.broadcastSum }]);
  }
});
