/**
 * `npm run bench:mesh`: n Node peers on real WebRTC (@roamhq/wrtc) and one signaling server, started together.
 * Prints one JSON line: join and full-table latencies, server relays per join, open links per peer, CPU per peer.
 * Env: STARMESH_BENCH_N (50), STARMESH_BENCH_WORKERS (5), STARMESH_BENCH_CPU_MS (10 000).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSignalServer } from '../signal/server';
import type { FromWorker, NodeTimes, ToWorker } from './mesh-worker';

const n = Number(process.env['STARMESH_BENCH_N'] ?? 50);
const workerCount = Number(process.env['STARMESH_BENCH_WORKERS'] ?? 5);
const cpuWindowMs = Number(process.env['STARMESH_BENCH_CPU_MS'] ?? 10_000);

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** Sends `message` to every worker and collects one reply of type `t` from each. */
function ask<T extends FromWorker['t']>(workers: ChildProcess[], messages: ToWorker[], t: T): Promise<Array<Extract<FromWorker, { t: T }>>> {
  return Promise.all(workers.map((worker, index) => new Promise<Extract<FromWorker, { t: T }>>((resolve) => {
    const onMessage = (raw: unknown): void => {
      const reply = raw as FromWorker;
      if (reply.t !== t) return;
      worker.off('message', onMessage);
      resolve(reply as Extract<FromWorker, { t: T }>);
    };
    worker.on('message', onMessage);
    worker.send(messages[index] ?? messages[0] as ToWorker);
  })));
}

async function main(): Promise<void> {
  const server = await startSignalServer({ port: 0, host: '127.0.0.1' });
  const workerFile = fileURLToPath(new URL('./mesh-worker.ts', import.meta.url));
  const workers = Array.from({ length: workerCount }, () => fork(workerFile, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
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
  const result = {
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
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await Promise.all(workers.map((worker) => new Promise((resolve) => {
    worker.once('exit', resolve);
    worker.send({ t: 'stop' } satisfies ToWorker);
  })));
  await server.close();
}

void main();
