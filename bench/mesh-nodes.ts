/**
 * The Node-peer part of `npm run bench:mesh`: n peers on real WebRTC (src/adapters/node-webrtc.ts), spread over
 * worker processes (bench/mesh-worker.ts; wrtc needs many file descriptors per peer), against an in-process
 * signaling server.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSignalServer } from '../signal/server';
import { percentile, type MeshBenchRow } from './mesh-common';
import { linkFigures, serverEventCounter, serverMessagesSteady, serverSteady, unicastFigures, unicastPairs } from './mesh-figures';
import type { FromWorker, NodeTimes, ToWorker } from './mesh-worker';

/** Settings of one Node-peer run. */
export interface NodeBenchPlan {
  n: number;
  workerCount: number;
  /** Steady window (CPU and server messages). */
  cpuWindowMs: number;
  /** Pause between the last full table and the steady readings (guests let go of the server 5 s after their first link). */
  settleMs: number;
  /** At most this many ordered (sender, target) pairs send a unicast; all pairs when there are fewer. */
  unicastPairsMax: number;
}

const ROOM = 'bench';

/** Sends each worker its message (`messages[i]`, or `messages[0]` to all) and collects one reply of type `t` from each. */
function ask<T extends FromWorker['t']>(workers: ChildProcess[], messages: ToWorker[], t: T): Promise<Array<Extract<FromWorker, { t: T }>>> {
  return Promise.all(workers.map((worker, index) => new Promise<Extract<FromWorker, { t: T }>>((resolve, reject) => {
    const gone = (code: number | null, signal: NodeJS.Signals | null): Error =>
      new Error(`node bench: worker ${index} exited (code ${code}, signal ${signal}) while waiting for '${t}'`);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => reject(gone(code, signal));
    const onMessage = (raw: unknown): void => {
      const reply = raw as FromWorker;
      if (reply.t !== t) return;
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(reply as Extract<FromWorker, { t: T }>);
    };
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    // A worker that died earlier (a crash) must fail the run with its exit, not crash it with EPIPE.
    if (!worker.connected) return reject(gone(worker.exitCode, worker.signalCode));
    worker.send(messages[index] ?? messages[0] as ToWorker, (error) => {
      if (error !== null) reject(new Error(`node bench: worker ${index}: ${error.message}`));
    });
  })));
}

/** Runs the Node-peer measurement and returns its row; stops every worker and the server before returning. */
export async function runNodeBench(plan: NodeBenchPlan, log: (line: string) => void): Promise<MeshBenchRow> {
  const { n, workerCount, cpuWindowMs } = plan;
  const events = serverEventCounter();
  const server = await startSignalServer({ port: 0, host: '127.0.0.1', log: events.log });
  const workerFile = fileURLToPath(new URL('./mesh-worker.ts', import.meta.url));
  const workers = Array.from({ length: workerCount }, () => fork(workerFile, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  try {
    const shares = workers.map((_, i) => Math.floor(n / workerCount) + (i < n % workerCount ? 1 : 0));
    const started = await ask(workers, shares.map((count) => ({ t: 'start', url: server.url, room: ROOM, count, membership: {} })), 'started');
    const ids = started.flatMap((reply) => reply.ids);
    const done = await ask(workers, [{ t: 'ids', ids, timeoutMs: 120_000 }], 'done');
    const times: NodeTimes[] = done.flatMap((reply) => reply.nodes);
    const traffic = server.traffic();

    log(`node n=${n}: tables full (${times.filter((t) => t.fullMs !== undefined).length}/${n}); settling ${plan.settleMs} ms`);
    await sleep(plan.settleMs);
    const steady = serverSteady(server, ROOM);
    const reported = await ask(workers, [{ t: 'report' }], 'reported');
    const reports = reported.flatMap((reply) => reply.peers);
    const trafficBefore = server.traffic();
    log(`node n=${n}: steady window ${cpuWindowMs} ms`);
    const measured = await ask(workers, [{ t: 'measure', ms: cpuWindowMs }], 'measured');
    const serverMessages = serverMessagesSteady(trafficBefore, server.traffic(), n, cpuWindowMs);

    const pairs = unicastPairs(ids, plan.unicastPairsMax, Math.random);
    log(`node n=${n}: ${pairs.length} unicasts`);
    const owner = new Map(started.flatMap((reply, w) => reply.ids.map((id) => [id, w] as const)));
    const unicasted = await ask(workers, workers.map((_, w) => ({ t: 'unicast', pairs: pairs.filter(([from]) => owner.get(from) === w) })), 'unicasted');

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
      settleMs: plan.settleMs,
      ...steady,
      ...serverMessages,
      ...linkFigures(reports),
      ...unicastFigures(unicasted.flatMap((reply) => reply.outcomes)),
      serverEvents: { ...events.counts },
      nodeStatesSteady: sumCounts(reported.map((reply) => reply.states)),
      dropsSteady: sumCounts(reported.map((reply) => reply.drops)),
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

function sumCounts(parts: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const part of parts) for (const [key, count] of Object.entries(part)) sum[key] = (sum[key] ?? 0) + count;
  return sum;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
