/**
 * `npm run bench:mesh` (runs inside scripts/netns-run.sh): real Chromium tabs (n = 2, 8, 16; bench/mesh-tabs.ts),
 * then n Node peers on real WebRTC (@roamhq/wrtc), each part with its own signaling server. Prints one JSON line
 * per run (`kind` 'tabs' or 'node'): join and full-table latencies, server relays per join, open links per peer,
 * CPU per peer. Progress goes to stderr; any failure prints a message and exits 1.
 *
 * Flags: --only tabs|node, --quick (tabs 2 and 8, 10 Node peers, 3 s CPU windows).
 * Env: STARMESH_BENCH_TABS (2,8,16), STARMESH_BENCH_N (50), STARMESH_BENCH_WORKERS (5),
 * STARMESH_BENCH_CPU_MS (10 000).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSignalServer } from '../signal/server';
import { percentile, type MeshBenchRow } from './mesh-common';
import { runTabsBench } from './mesh-tabs';
import type { FromWorker, NodeTimes, ToWorker } from './mesh-worker';

interface BenchPlan {
  tabs: number[];
  nodeN: number;
  workerCount: number;
  cpuWindowMs: number;
}

function readPlan(): BenchPlan {
  const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean' } } });
  const only = values.only;
  if (only !== undefined && only !== 'tabs' && only !== 'node') throw new Error(`--only must be tabs or node, got ${only}`);
  const env = process.env;
  const quick = values.quick === true;
  const tabs = (env['STARMESH_BENCH_TABS'] ?? (quick ? '2,8' : '2,8,16')).split(',').map(Number);
  if (tabs.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`STARMESH_BENCH_TABS: integers ≥ 2, got ${env['STARMESH_BENCH_TABS']}`);
  return {
    tabs: only === 'node' ? [] : tabs,
    nodeN: only === 'tabs' ? 0 : Number(env['STARMESH_BENCH_N'] ?? (quick ? 10 : 50)),
    workerCount: Number(env['STARMESH_BENCH_WORKERS'] ?? 5),
    cpuWindowMs: Number(env['STARMESH_BENCH_CPU_MS'] ?? (quick ? 3_000 : 10_000)),
  };
}

/** Sends `message` to every worker and collects one reply of type `t` from each. */
function ask<T extends FromWorker['t']>(workers: ChildProcess[], messages: ToWorker[], t: T): Promise<Array<Extract<FromWorker, { t: T }>>> {
  return Promise.all(workers.map((worker, index) => new Promise<Extract<FromWorker, { t: T }>>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`node bench: worker ${index} exited (${code}) while waiting for '${t}'`));
    const onMessage = (raw: unknown): void => {
      const reply = raw as FromWorker;
      if (reply.t !== t) return;
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(reply as Extract<FromWorker, { t: T }>);
    };
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.send(messages[index] ?? messages[0] as ToWorker);
  })));
}

/** The Node-peer part: n peers spread over worker processes (wrtc needs many file descriptors per peer). */
async function runNodeBench(n: number, workerCount: number, cpuWindowMs: number): Promise<MeshBenchRow> {
  const server = await startSignalServer({ port: 0, host: '127.0.0.1' });
  const workerFile = fileURLToPath(new URL('./mesh-worker.ts', import.meta.url));
  const workers = Array.from({ length: workerCount }, () => fork(workerFile, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  try {
    const shares = workers.map((_, i) => Math.floor(n / workerCount) + (i < n % workerCount ? 1 : 0));
    const started = await ask(workers, shares.map((count) => ({ t: 'start', url: server.url, room: 'bench', count, membership: {} })), 'started');
    const ids = started.flatMap((reply) => reply.ids);
    const done = await ask(workers, [{ t: 'ids', ids, timeoutMs: 120_000 }], 'done');
    const times: NodeTimes[] = done.flatMap((reply) => reply.nodes);
    const traffic = server.traffic();
    const measured = await ask(workers, [{ t: 'measure', ms: cpuWindowMs }], 'measured');
    const cpuMs = measured.reduce((sum, m) => sum + m.cpuMs, 0);
    const wallMs = Math.max(...measured.map((m) => m.wallMs));
    const links = measured.flatMap((m) => m.links);
    const joins = times.flatMap((t) => (t.firstOpenMs === undefined ? [] : [t.firstOpenMs - t.startMs]));
    const fulls = times.flatMap((t) => (t.fullMs === undefined ? [] : [t.fullMs - t.startMs]));
    return {
      kind: 'node',
      n,
      workers: workerCount,
      joinMsP50: percentile(joins, 50),
      joinMsP99: percentile(joins, 99),
      joined: joins.length,
      fullTableMsP99: percentile(fulls, 99),
      fullTable: fulls.length,
      serverMessagesPerJoin: traffic.joins === 0 ? null : Number((traffic.relayed / traffic.joins).toFixed(1)),
      peerConnectionsPerTab: Number((links.reduce((a, b) => a + b, 0) / Math.max(1, links.length)).toFixed(2)),
      cpuPerTabPct: Number(((cpuMs / wallMs) * 100 / n).toFixed(2)),
      cpuWindowMs,
      fdsPerWorker: measured.map((m) => m.fds),
    };
  } finally {
    await Promise.all(workers.map((worker) => new Promise((resolve) => {
      if (worker.exitCode !== null || worker.signalCode !== null) return resolve(undefined);
      worker.once('exit', resolve);
      worker.send({ t: 'stop' } satisfies ToWorker);
    })));
    await server.close();
  }
}

async function main(): Promise<void> {
  const plan = readPlan();
  const progress = (line: string): void => void process.stderr.write(`bench:mesh: ${line}\n`);
  for (const n of plan.tabs) {
    const row = await runTabsBench(n, { cpuWindowMs: plan.cpuWindowMs, log: progress }).catch((error: unknown) => {
      throw new Error(`tabs n=${n}: ${error instanceof Error ? error.message : String(error)}`);
    });
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  if (plan.nodeN > 0) {
    progress(`node n=${plan.nodeN}: starting`);
    const row = await runNodeBench(plan.nodeN, plan.workerCount, plan.cpuWindowMs).catch((error: unknown) => {
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
