/**
 * `npm run bench:mesh` (runs inside scripts/netns-run.sh): real Chromium tabs (n = 2, 8, 16; bench/mesh-tabs.ts),
 * then n Node peers on real WebRTC (src/adapters/node-webrtc.ts; bench/mesh-nodes.ts), each part with its own signaling server.
 * Prints one JSON line per run (`kind` 'tabs' or 'node'); progress goes to stderr; any failure prints a message
 * and exits 1. Fields (MeshBenchRow in bench/mesh-common.ts; the issue-4 ones computed in bench/mesh-figures.ts):
 * - joining: joinMsP50/P99 (start → first channel), fullTableMsP50/P99 (start → every other peer listed),
 *   serverMessagesPerJoin (signals relayed by the last full table, per join);
 * - steady state, read `settleMs` after the last full table: peerConnectionsPerTab, cpuPerTabPct (over
 *   `cpuWindowMs`), serverSocketsSteady / introducersSteady / guestsSteady (the server's sockets and the room's
 *   pool), peersOnServerSteady (peers that say they hold a server socket), serverMessagesPerNodeMinuteSteady
 *   (relayed signals + joins during the CPU window, per node per minute; target 0);
 * - mesh signaling: meshSignaledShare (links dialled after the first contact that never touched the server, over
 *   all such links; target 1), meshConnectMsP50/P99 (their dial → open times, pooled; target p99 < 1 000 ms);
 * - routed unicast after the window: unicastDeliveryRate (acknowledged / sent; target ≥ 0.999), unicastHopsP50/P99,
 *   unicastRttMsP50/P99, unicastFailures by code. Tabs: every tab to every other; Node peers: every ordered pair,
 *   or a random sample of `unicastPairsMax` of them.
 *
 * - small rooms (`--only small`, not in the default run; bench/mesh-small.ts): n = 2–5 tabs at the default
 *   intervals, every server frame both ways over a 60 s rest window (serverMessagesPerNodeMinuteRest, target 0),
 *   and the sockets the server holds then.
 *
 * Flags: --only tabs|node|small, --quick (tabs 2 and 8, 10 Node peers, 3 s CPU windows), --page built|dev (what the
 * tabs load: the production build, default, or the Vite dev server; the row says which in `page`).
 * Env: STARMESH_BENCH_TABS (2,8,16), STARMESH_BENCH_N (50), STARMESH_BENCH_WORKERS (5),
 * STARMESH_BENCH_CPU_MS (10 000), STARMESH_BENCH_SETTLE_MS (10 000), STARMESH_BENCH_UNICAST_PAIRS (250),
 * STARMESH_BENCH_SMALL (2,3,4,5), STARMESH_BENCH_REST_MS (60 000).
 */
import { parseArgs } from 'node:util';
import { runNodeBench } from './mesh-nodes';
import { runSmallRoomsBench } from './mesh-small';
import { runTabsBench, type PageKind } from './mesh-tabs';

interface BenchPlan {
  tabs: number[];
  page: PageKind;
  nodeN: number;
  workerCount: number;
  cpuWindowMs: number;
  settleMs: number;
  unicastPairsMax: number;
  /** Small-room sizes (only with --only small). */
  small: number[];
  restWindowMs: number;
}

function readPlan(): BenchPlan {
  const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean' }, page: { type: 'string' } } });
  const only = values.only;
  const page = values.page ?? 'built';
  if (page !== 'built' && page !== 'dev') throw new Error(`--page must be built or dev, got ${page}`);
  if (only !== undefined && only !== 'tabs' && only !== 'node' && only !== 'small') throw new Error(`--only must be tabs, node or small, got ${only}`);
  const env = process.env;
  const quick = values.quick === true;
  const tabs = (env['STARMESH_BENCH_TABS'] ?? (quick ? '2,8' : '2,8,16')).split(',').map(Number);
  if (tabs.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`STARMESH_BENCH_TABS: integers ≥ 2, got ${env['STARMESH_BENCH_TABS']}`);
  return {
    tabs: only === 'node' || only === 'small' ? [] : tabs,
    page,
    nodeN: only === 'tabs' || only === 'small' ? 0 : Number(env['STARMESH_BENCH_N'] ?? (quick ? 10 : 50)),
    workerCount: Number(env['STARMESH_BENCH_WORKERS'] ?? 5),
    cpuWindowMs: Number(env['STARMESH_BENCH_CPU_MS'] ?? (quick ? 3_000 : 10_000)),
    settleMs: Number(env['STARMESH_BENCH_SETTLE_MS'] ?? 10_000),
    unicastPairsMax: Number(env['STARMESH_BENCH_UNICAST_PAIRS'] ?? 250),
    small: only === 'small' ? (env['STARMESH_BENCH_SMALL'] ?? '2,3,4,5').split(',').map(Number) : [],
    restWindowMs: Number(env['STARMESH_BENCH_REST_MS'] ?? 60_000),
  };
}

async function main(): Promise<void> {
  const plan = readPlan();
  const progress = (line: string): void => void process.stderr.write(`bench:mesh: ${line}\n`);
  if (plan.small.length > 0) {
    const rows = await runSmallRoomsBench({ sizes: plan.small, restWindowMs: plan.restWindowMs, settleMs: plan.settleMs, log: progress });
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  for (const n of plan.tabs) {
    const row = await runTabsBench(n, { cpuWindowMs: plan.cpuWindowMs, settleMs: plan.settleMs, page: plan.page, log: progress }).catch((error: unknown) => {
      throw new Error(`tabs n=${n}: ${error instanceof Error ? error.message : String(error)}`);
    });
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  if (plan.nodeN > 0) {
    progress(`node n=${plan.nodeN}: starting`);
    const { nodeN: n, workerCount, cpuWindowMs, settleMs, unicastPairsMax } = plan;
    const row = await runNodeBench({ n, workerCount, cpuWindowMs, settleMs, unicastPairsMax }, progress).catch((error: unknown) => {
      throw new Error(`node n=${plan.nodeN}: ${error instanceof Error ? error.message : String(error)}`);
    });
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:mesh: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
