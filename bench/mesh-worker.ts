/**
 * Child process of `bench/mesh.ts`: runs a share of the Node peers (wrtc costs ~50 file descriptors and 2 threads
 * per peer connection, so 50 peers do not fit one process's 20 000-descriptor limit) and reports timings over IPC.
 */
import { readdirSync } from 'node:fs';
import type { MembershipOptions } from '../src/core';
import type { MeshNode } from '../src/node/mesh-node';
import { startNodePeer } from '../src/node/node-peer';
import type { PeerLinkReport, UnicastOutcome } from './mesh-figures';

/** Messages from the parent. */
export type ToWorker =
  | { t: 'start'; url: string; room: string; count: number; membership: Partial<MembershipOptions> }
  | { t: 'ids'; ids: string[]; timeoutMs: number }
  | { t: 'measure'; ms: number }
  /** Routed unicasts from this worker's nodes: each pair is (local sender, any member). */
  | { t: 'unicast'; pairs: Array<[string, string]> }
  | { t: 'report' }
  | { t: 'stop' };

/** Per-node timings, absolute wall-clock ms (undefined: never happened). */
export interface NodeTimes {
  id: string;
  startMs: number;
  firstOpenMs?: number;
  fullMs?: number;
}

/** Messages to the parent. */
export type FromWorker =
  | { t: 'started'; ids: string[] }
  | { t: 'done'; nodes: NodeTimes[] }
  | { t: 'measured'; cpuMs: number; wallMs: number; links: number[]; fds: number }
  /** One outcome per pair, in the order asked. */
  | { t: 'unicasted'; outcomes: UnicastOutcome[] }
  /** `states`: nodes per state (joining, connected, isolated…); `drops`: refused inputs by reason, summed over nodes. */
  | { t: 'reported'; peers: PeerLinkReport[]; states: Record<string, number>; drops: Record<string, number> };

function post(message: FromWorker): void {
  process.send?.(message);
}

async function run(): Promise<void> {
  const nodes: Array<{ node: MeshNode; times: NodeTimes }> = [];
  process.on('message', (raw: unknown) => {
    const message = raw as ToWorker;
    switch (message.t) {
      case 'start':
        void startAll(message);
        break;
      case 'ids':
        void awaitFull(message.ids, message.timeoutMs);
        break;
      case 'measure':
        void measure(message.ms);
        break;
      case 'unicast':
        void unicast(message.pairs);
        break;
      case 'report':
        post({ t: 'reported', peers: nodes.map(({ node }) => linkReport(node)), ...health(nodes.map(({ node }) => node)) });
        break;
      case 'stop':
        for (const { node } of nodes) node.stop();
        setTimeout(() => process.exit(0), 300);
        break;
    }
  });

  async function startAll(message: Extract<ToWorker, { t: 'start' }>): Promise<void> {
    await Promise.all(Array.from({ length: message.count }, async () => {
      const startMs = Date.now();
      const node = await startNodePeer({ signalUrl: message.url, room: message.room, membership: message.membership, loopbackOnly: true });
      const times: NodeTimes = { id: node.id, startMs };
      node.on('membership', (event) => {
        if (event.type === 'neighbour:up' && times.firstOpenMs === undefined) times.firstOpenMs = Date.now();
      });
      if (node.neighbours().length > 0) times.firstOpenMs = Date.now();
      nodes.push({ node, times });
    }));
    post({ t: 'started', ids: nodes.map(({ node }) => node.id) });
  }

  async function awaitFull(ids: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = Date.now();
      for (const { node, times } of nodes) {
        if (times.fullMs !== undefined) continue;
        const listed = new Set(node.members());
        if (ids.every((id) => id === node.id || listed.has(id))) times.fullMs = now;
      }
      if (nodes.every(({ times }) => times.fullMs !== undefined) || now > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    post({ t: 'done', nodes: nodes.map(({ times }) => times) });
  }

  async function measure(ms: number): Promise<void> {
    const cpu = process.cpuUsage();
    const wallStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const used = process.cpuUsage(cpu);
    post({
      t: 'measured',
      cpuMs: (used.user + used.system) / 1000,
      wallMs: performance.now() - wallStart,
      links: nodes.map(({ node }) => node.neighbours().length),
      fds: readdirSync('/proc/self/fd').length,
    });
  }

  async function unicast(pairs: Array<[string, string]>): Promise<void> {
    const byId = new Map(nodes.map(({ node }) => [node.id, node]));
    const outcomes = await Promise.all(pairs.map(async ([from, to], i): Promise<UnicastOutcome> => {
      const node = byId.get(from);
      if (node === undefined) return { ok: false, code: 'bench:not-local' };
      const result = await node.send(to, `bench unicast ${i}`);
      return result.ok ? { ok: true, hops: result.hops, rttMs: result.rttMs } : { ok: false, code: result.code };
    }));
    post({ t: 'unicasted', outcomes });
  }
}

function linkReport(node: MeshNode): PeerLinkReport {
  const stats = node.stats();
  const server = node.serverStatus();
  return {
    id: node.id,
    neighbours: node.neighbours(),
    linksViaMesh: stats.linksViaMesh,
    linksViaServer: stats.linksViaServer,
    meshSetupMs: node.linkSetupTimes().mesh,
    onServer: server.connected,
    introducer: server.introducer,
  };
}

/** Node states and drop reasons summed over `nodes`: why a run went wrong, when it does. */
function health(nodes: MeshNode[]): { states: Record<string, number>; drops: Record<string, number> } {
  const states: Record<string, number> = {};
  const drops: Record<string, number> = {};
  for (const node of nodes) {
    states[node.state] = (states[node.state] ?? 0) + 1;
    for (const [reason, count] of Object.entries(node.stats().drops)) drops[reason] = (drops[reason] ?? 0) + count;
  }
  return { states, drops };
}

void run();
