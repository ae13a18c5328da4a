/**
 * Real NATs (issue 12): homes behind nft masquerade routers reach each other through a real coturn (STUN and TURN)
 * in a public namespace; each home runs its own headless Chromium (see e2e/nat-lab/). What each link uses is read
 * from the selected candidate pair in `getStats()`.
 */
import { execFileSync } from 'node:child_process';
import { test, expect, FAST_PARAMS } from './fixtures';
import { coturnAvailable } from './nat-lab/coturn';
import { openInHome, selectedPaths, startWorld, type HomePage, type World } from './nat-lab/world';

test.describe.configure({ mode: 'serial' });

const CI = Boolean(process.env['CI']);
const HOMES = [
  { name: 'easy1', kind: 'easy' },
  { name: 'easy2', kind: 'easy' },
  { name: 'sym', kind: 'symmetric' },
  { name: 'noudp', kind: 'udp-blocked' },
] as const;

/** Why the lab cannot run here, or null. */
function missing(): string | null {
  if (!coturnAvailable()) return 'coturn (turnserver) is not installed: apt-get install coturn';
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'cannot create network namespaces or nft is missing (run as root via npm run test:e2e; apt-get install nftables)';
  }
  return null;
}

let world: World;
const opened: HomePage[] = [];

test.beforeAll(async () => {
  const why = missing();
  // In CI a machine that cannot build the lab is a failure, not a reason to skip.
  if (why && CI) throw new Error(`NAT lab: ${why}`);
  test.skip(why !== null, `NAT lab skipped: ${why}`);
  test.setTimeout(120_000);
  world = await startWorld(HOMES.map((h) => ({ ...h })));
});

test.afterAll(async () => {
  await Promise.all(opened.map((p) => p.context.close()));
  await world?.stop();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && world) {
    await testInfo.attach('lab-log.txt', { body: [...world.log, ...world.turn.log.slice(-200)].join('\n'), contentType: 'text/plain' });
    for (const p of opened) await testInfo.attach(`${p.home.name}-console.txt`, { body: p.log.join('\n') || '(empty)', contentType: 'text/plain' });
  }
  await Promise.all(opened.splice(0).map((p) => p.context.close()));
});

type Ice = { urls: string; username?: string; credential?: string }[];

function stun(): Ice {
  return [{ urls: `stun:${world.lab.serverAddress}:3478` }];
}
function turnUdp(name: string): Ice {
  return [{ urls: `turn:${world.lab.serverAddress}:3478?transport=udp`, ...world.turn.credentials(name, Date.now()) }];
}
function turnTcp(name: string): Ice {
  return [{ urls: `turn:${world.lab.serverAddress}:3478?transport=tcp`, ...world.turn.credentials(name, Date.now()) }];
}

/** Opens the page in `home` in `room` with `ice`. */
async function join(homeName: string, room: string, ice: Ice, extra: Record<string, string> = {}): Promise<HomePage> {
  const params = { signal: world.signalUrl, room, ice: JSON.stringify(ice), ...Object.fromEntries(Object.entries(FAST_PARAMS).map(([k, v]) => [k, String(v)])), ...extra };
  const p = await openInHome(world, world.home(homeName), params);
  opened.push(p);
  await p.page.waitForFunction(() => typeof (window as { starmesh?: { id?: string } }).starmesh?.id === 'string', undefined, { timeout: 60_000 });
  return p;
}

const idOf = (p: HomePage): Promise<string> => p.page.evaluate(() => (window as unknown as { starmesh: { id: string } }).starmesh.id);
const neighboursOf = (p: HomePage): Promise<string[]> =>
  p.page.evaluate(() => (window as unknown as { starmesh: { neighbours(): string[] } }).starmesh.neighbours().sort());

/** Waits until `a` and `b` have a link, and returns how long it took from `sinceMs`. */
async function linked(a: HomePage, b: HomePage, sinceMs: number, timeoutMs = 60_000): Promise<number> {
  const [ida, idb] = await Promise.all([idOf(a), idOf(b)]);
  await expect.poll(async () => (await neighboursOf(a)).includes(idb) && (await neighboursOf(b)).includes(ida), { timeout: timeoutMs, message: `${a.home.name} ↔ ${b.home.name} linked` }).toBe(true);
  return Date.now() - sinceMs;
}

test('the lab: easy NATs keep one mapping for every destination, the symmetric one a new port per destination, the blocked home gets no UDP out', async () => {
  const probe = async (home: string): Promise<(string | null)[]> => {
    const out = await world.home(home).ns.exec('node', ['e2e/nat-lab/stun-probe.mjs', `${world.lab.serverAddress}:3478`, `${world.lab.serverAddress2}:3478`, `${world.lab.serverAddress}:3478`]);
    return (JSON.parse(out) as { mapped: (string | null)[] }).mapped;
  };
  const [easy1, easy2, sym, noudp] = await Promise.all(HOMES.map((h) => probe(h.name)));
  // Same public address and port towards both servers, and it is the router's address, not the home's.
  for (const [mapped, publicAddress] of [[easy1, world.home('easy1').publicAddress], [easy2, world.home('easy2').publicAddress]] as const) {
    expect(new Set(mapped).size).toBe(1);
    expect(mapped[0]).toMatch(new RegExp(`^${publicAddress.replace(/\./g, '\\.')}:\\d+$`));
  }
  // The symmetric NAT: another port for the second destination, the first one's again when asked again.
  expect(sym[0]).toMatch(/^10\.200\.0\.13:\d+$/);
  expect(sym[1]).not.toBe(sym[0]);
  expect(sym[2]).toBe(sym[0]);
  expect(noudp).toEqual([null, null, null]);
});

test('two easy NATs connect directly through STUN (server-reflexive), not without it', async ({ room }) => {
  const started = Date.now();
  const a = await join('easy1', room, stun());
  const b = await join('easy2', room, stun());
  const ms = await linked(a, b, started);
  const [pa, pb] = await Promise.all([selectedPaths(a.page), selectedPaths(b.page)]);
  console.log(`[nat] easy↔easy via STUN: linked in ${ms} ms; easy1 ${JSON.stringify(pa)}; easy2 ${JSON.stringify(pb)}`);
  expect(pa).toHaveLength(1);
  expect(pb).toHaveLength(1);
  // No relay anywhere, and each side talks to the other's router (its public mapping), never a private address.
  for (const [paths, peer] of [[pa, world.home('easy2')], [pb, world.home('easy1')]] as const) {
    const path = paths[0]!;
    expect(path.local.candidateType).not.toBe('relay');
    expect(path.remote.candidateType).not.toBe('relay');
    expect(['srflx', 'prflx']).toContain(path.remote.candidateType);
    expect(path.remote.address).toBe(peer.publicAddress);
    expect(path.local.protocol).toBe('udp');
  }
});
