/**
 * `npm run bench:nat`: the NAT lab (e2e/nat-lab/: homes behind nft NATs, a real coturn) as a bench row. Needs root
 * or user namespaces and coturn + nftables, like `e2e/nat.spec.ts`; runs inside scripts/netns-run.sh. Prints one
 * JSON line:
 * - `setupMs`: per candidate type of the link that formed (host: two tabs in one home; srflx: two easy NATs via
 *   STUN; relay: an easy and a symmetric NAT via TURN), the median and all samples of the time from the second
 *   tab's node existing to its link being open (signaling through the server, ICE, DTLS, the key handshake);
 * - `turnShare`: in a room of one tab per home (easy, easy, symmetric, UDP-blocked; all given STUN and TURN), the
 *   share of its links whose selected pair has a relay end;
 * - `turnBytesPerNodeMinute`: in that room at rest (default intervals), the bytes through coturn (into and out of
 *   it, STUN/TURN port and relay ports, counted by nft in the public namespace) per tab per minute.
 * Flags: `--samples N` (links per candidate type, default 5), `--rest-sec N` (rest window, default 60).
 */
import { parseArgs } from 'node:util';
import { LAB_HOMES, openInHome, selectedPaths, startWorld, type HomePage, type World } from '../e2e/nat-lab/world';
import type { LinkPath } from '../src/transport/link-path';
import { percentile } from '../src/util/percentile';

type Ice = { urls: string; username?: string; credential?: string }[];
type PathKind = 'host' | 'srflx' | 'relay';

const HOMES = LAB_HOMES;

/** The kind of a link: relay if either end is relayed, srflx if either end is a NAT mapping, host otherwise. */
function kindOf(path: LinkPath): PathKind {
  const types = [path.local.candidateType, path.remote.candidateType];
  if (types.includes('relay')) return 'relay';
  if (types.includes('srflx') || types.includes('prflx')) return 'srflx';
  return 'host';
}

function iceFor(world: World, home: string, turn: boolean): Ice {
  const stun = { urls: `stun:${world.lab.serverAddress}:3478` };
  const transport = home === 'noudp' ? 'tcp' : 'udp';
  const relay = { urls: `turn:${world.lab.serverAddress}:3478?transport=${transport}`, ...world.turn.credentials(home, Date.now()) };
  if (!turn) return [stun];
  return home === 'noudp' ? [relay] : [stun, relay];
}

async function open(world: World, home: string, room: string, ice: Ice): Promise<{ tab: HomePage; id: string }> {
  const tab = await openInHome(world, world.home(home), { signal: world.signalUrl, room, ice: JSON.stringify(ice) });
  const handle = await tab.page.waitForFunction(() => (window as { starmesh?: { id?: string } }).starmesh?.id, undefined, { timeout: 60_000, polling: 50 });
  return { tab, id: (await handle.jsonValue()) as string };
}

/** One link between a tab in `homeA` and one in `homeB`: its set-up time and its kind. */
async function oneLink(world: World, homeA: string, homeB: string, turn: boolean, room: string): Promise<{ ms: number; kind: PathKind }> {
  const a = await open(world, homeA, room, iceFor(world, homeA, turn));
  try {
    const b = await open(world, homeB, room, iceFor(world, homeB, turn));
    try {
      const startedMs = Date.now();
      await b.tab.page.waitForFunction((id) => (window as unknown as { starmesh: { neighbours(): string[] } }).starmesh.neighbours().includes(id), a.id, { timeout: 60_000, polling: 50 });
      const ms = Date.now() - startedMs;
      const [path] = await selectedPaths(b.tab.page);
      if (path === undefined) throw new Error(`${homeA}↔${homeB}: linked, but no selected candidate pair`);
      return { ms, kind: kindOf(path) };
    } finally {
      await b.tab.context.close();
    }
  } finally {
    await a.tab.context.close();
  }
}

/** Bytes through coturn so far (nft counters in the public namespace, both directions). */
async function turnBytes(world: World): Promise<number> {
  const out = await world.lab.pub.exec('nft', ['-j', 'list', 'table', 'inet', 'turnacct']);
  let bytes = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      const counter = (value as { counter?: { bytes?: unknown } }).counter;
      if (typeof counter?.bytes === 'number') bytes += counter.bytes;
      Object.values(value).forEach(walk);
    }
  };
  walk(JSON.parse(out));
  return bytes;
}

const ACCOUNTING = `table inet turnacct {
  chain in {
    type filter hook input priority 0; policy accept;
    meta l4proto { udp, tcp } th dport { 3478, 49152-49407 } counter
  }
  chain out {
    type filter hook output priority 0; policy accept;
    meta l4proto { udp, tcp } th sport { 3478, 49152-49407 } counter
  }
}
`;

async function restRoom(world: World, restSec: number): Promise<{ links: number; relayed: number; bytesPerNodeMinute: number; tabs: number }> {
  const tabs: { tab: HomePage; id: string }[] = [];
  try {
    for (const home of HOMES) tabs.push(await open(world, home.name, 'bench-rest', iceFor(world, home.name, true)));
    const pairs = (tabs.length * (tabs.length - 1)) / 2;
    const linkCount = async (): Promise<number> => {
      const counts = await Promise.all(tabs.map((t) => t.tab.page.evaluate(() => (window as unknown as { starmesh: { neighbours(): string[] } }).starmesh.neighbours().length)));
      return counts.reduce((a, b) => a + b, 0) / 2;
    };
    const deadline = Date.now() + 90_000;
    while ((await linkCount()) < pairs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const relayedLinks = new Set<string>();
    const allLinks = new Set<string>();
    for (const t of tabs) {
      const paths = await t.tab.page.evaluate(() => (window as unknown as { starmesh: { linkPaths(): Promise<Record<string, LinkPath>> } }).starmesh.linkPaths());
      for (const [peer, path] of Object.entries(paths)) {
        const key = [t.id, peer].sort().join(' ');
        allLinks.add(key);
        if (kindOf(path) === 'relay') relayedLinks.add(key);
      }
    }
    await world.lab.pub.exec('nft', ['-f', '-'], ACCOUNTING);
    // Links just made still finish their first table syncs: start counting at rest.
    await new Promise((r) => setTimeout(r, 10_000));
    const before = await turnBytes(world);
    await new Promise((r) => setTimeout(r, restSec * 1_000));
    const after = await turnBytes(world);
    return { links: allLinks.size, relayed: relayedLinks.size, tabs: tabs.length, bytesPerNodeMinute: Math.round((after - before) / tabs.length / (restSec / 60)) };
  } finally {
    await Promise.all(tabs.map((t) => t.tab.context.close()));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { samples: { type: 'string' }, 'rest-sec': { type: 'string' } } });
  const samples = Number(values.samples ?? 5);
  const restSec = Number(values['rest-sec'] ?? 60);
  if (!Number.isInteger(samples) || samples < 1 || !Number.isInteger(restSec) || restSec < 1) throw new Error('--samples and --rest-sec take positive integers');
  const world = await startWorld(HOMES.map((h) => ({ ...h })));
  try {
    const times: Record<PathKind, number[]> = { host: [], srflx: [], relay: [] };
    const plans: [string, string, boolean][] = [['easy1', 'easy1', false], ['easy1', 'easy2', false], ['easy1', 'sym', true]];
    for (const [a, b, turn] of plans) {
      for (let i = 0; i < samples; i++) {
        const { ms, kind } = await oneLink(world, a, b, turn, `bench-${a}-${b}-${i}`);
        times[kind].push(ms);
      }
    }
    const rest = await restRoom(world, restSec);
    const setupMs = Object.fromEntries(Object.entries(times).map(([kind, ms]) => [kind, { median: percentile(ms, 50), samples: ms }]));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'nat',
        setupMs,
        turnShare: rest.links === 0 ? null : rest.relayed / rest.links,
        restRoom: { tabs: rest.tabs, links: rest.links, relayed: rest.relayed, restSec },
        turnBytesPerNodeMinute: rest.bytesPerNodeMinute,
      })}\n`,
    );
  } finally {
    await world.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:nat failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
