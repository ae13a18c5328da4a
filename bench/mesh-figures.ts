/**
 * The issue-4 figures of `npm run bench:mesh` (leaving the server, mesh signaling, routed unicast), computed the
 * same way for tabs and Node peers from what each peer reports. Pure functions: the two parts collect, this file
 * counts.
 */
import type { SignalServer, SignalServerTraffic } from '../signal/server';
import { percentile, round } from './mesh-common';

/** What one peer reports about its links and its server socket (a tab and a Node peer report the same shape). */
export interface PeerLinkReport {
  id: string;
  /** IDs it holds an open link to. */
  neighbours: string[];
  /** Links dialled after the first contact, set up entirely through the mesh / with the server's help. */
  linksViaMesh: number;
  linksViaServer: number;
  /** Set-up times (dial → open, ms) of its latest mesh-signaled links. */
  meshSetupMs: number[];
  /** Whether it still holds a socket to the signaling server, and whether as an introducer. */
  onServer: boolean;
  introducer: boolean;
}

/** One routed unicast's outcome, reduced to what the figures need (plain data: it crosses IPC and `evaluate`). */
export type UnicastOutcome = { ok: true; hops: number; rttMs: number } | { ok: false; code: string };

/** The server's view at steady state. */
export interface ServerSteady {
  /** Sockets the server holds (one server per run, so all of them belong to the bench's room). */
  serverSocketsSteady: number;
  introducersSteady: number;
  guestsSteady: number;
}

/**
 * A `log` option for `startSignalServer` that counts events by name (join, leave, heartbeat-timeout,
 * lease-expired, promote…), so a row can tell why the server holds fewer or more sockets than expected.
 */
export function serverEventCounter(): { log: (event: string) => void; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return { log: (event) => void (counts[event] = (counts[event] ?? 0) + 1), counts };
}

/** Reads the server's sockets and the room's pool now. */
export function serverSteady(server: SignalServer, room: string): ServerSteady {
  const roomStats = server.roomStats(room);
  return { serverSocketsSteady: server.stats().sockets, introducersSteady: roomStats.introducers, guestsSteady: roomStats.guests };
}

/**
 * Messages the server received or relayed between two traffic readings, per node per minute: relayed signals plus
 * joins (a join is the handshake of a socket that came back). Also returns the raw deltas for the row.
 */
export function serverMessagesSteady(
  before: SignalServerTraffic,
  after: SignalServerTraffic,
  n: number,
  windowMs: number,
): { serverMessagesPerNodeMinuteSteady: number; serverRelayedInWindow: number; serverJoinsInWindow: number } {
  const relayed = after.relayed - before.relayed;
  const joins = after.joins - before.joins;
  return {
    serverMessagesPerNodeMinuteSteady: round((relayed + joins) / n / (windowMs / 60_000), 3),
    serverRelayedInWindow: relayed,
    serverJoinsInWindow: joins,
  };
}

/** Link figures of a row (see MeshBenchRow), plus raw counts. */
export interface LinkFigures {
  meshSignaledShare: number | null;
  linksViaMesh: number;
  linksViaServer: number;
  meshConnectMsP50: number | null;
  meshConnectMsP99: number | null;
  meshConnectSamples: number;
  peersOnServerSteady: number;
  peersIntroducerSteady: number;
  /** Sizes of the overlay's connected components, largest first (one entry: the mesh is in one piece). */
  meshComponents: number[];
}

/** Mesh-signaled share of later links and mesh set-up times, pooled over peers. */
export function linkFigures(peers: readonly PeerLinkReport[]): LinkFigures {
  const viaMesh = peers.reduce((sum, p) => sum + p.linksViaMesh, 0);
  const viaServer = peers.reduce((sum, p) => sum + p.linksViaServer, 0);
  const setupMs = peers.flatMap((p) => p.meshSetupMs);
  return {
    meshSignaledShare: viaMesh + viaServer === 0 ? null : round(viaMesh / (viaMesh + viaServer), 3),
    linksViaMesh: viaMesh,
    linksViaServer: viaServer,
    meshConnectMsP50: nullableRound(percentile(setupMs, 50)),
    meshConnectMsP99: nullableRound(percentile(setupMs, 99)),
    meshConnectSamples: setupMs.length,
    // Peers that still hold a server socket: at steady state only introducers should.
    peersOnServerSteady: peers.filter((p) => p.onServer).length,
    peersIntroducerSteady: peers.filter((p) => p.introducer).length,
    meshComponents: componentSizes(peers),
  };
}

/** Unicast figures of a row (see MeshBenchRow), plus raw counts. */
export interface UnicastFigures {
  unicastSent: number;
  unicastDeliveryRate: number | null;
  unicastHopsP50: number | null;
  unicastHopsP99: number | null;
  unicastRttMsP50: number | null;
  unicastRttMsP99: number | null;
  /** Failed sends by code (`unreachable`, `timeout`, …). */
  unicastFailures: Record<string, number>;
}

/** Delivery rate, hops and round trips of a batch of unicasts; failures counted by code. */
export function unicastFigures(outcomes: readonly UnicastOutcome[]): UnicastFigures {
  const ok = outcomes.flatMap((o) => (o.ok ? [o] : []));
  const failures: Record<string, number> = {};
  for (const o of outcomes) if (!o.ok) failures[o.code] = (failures[o.code] ?? 0) + 1;
  return {
    unicastSent: outcomes.length,
    unicastDeliveryRate: outcomes.length === 0 ? null : round(ok.length / outcomes.length, 4),
    unicastHopsP50: percentile(ok.map((o) => o.hops), 50),
    unicastHopsP99: percentile(ok.map((o) => o.hops), 99),
    unicastRttMsP50: nullableRound(percentile(ok.map((o) => o.rttMs), 50)),
    unicastRttMsP99: nullableRound(percentile(ok.map((o) => o.rttMs), 99)),
    unicastFailures: failures,
  };
}

/**
 * Ordered pairs (from, to), from ≠ to: all of them when there are at most `maxPairs`, else `maxPairs` distinct
 * pairs drawn at random (`random` in [0, 1)).
 */
export function unicastPairs(ids: readonly string[], maxPairs: number, random: () => number): Array<[string, string]> {
  const all: Array<[string, string]> = ids.flatMap((from) => ids.filter((to) => to !== from).map((to): [string, string] => [from, to]));
  if (all.length <= maxPairs) return all;
  // Partial Fisher–Yates: the first maxPairs entries become a uniform sample without repeats.
  for (let i = 0; i < maxPairs; i++) {
    const j = i + Math.floor(random() * (all.length - i));
    [all[i], all[j]] = [all[j] as [string, string], all[i] as [string, string]];
  }
  return all.slice(0, maxPairs);
}

/** Connected components of the overlay, counting a link when either end reports it (links are two-way). */
function componentSizes(peers: readonly PeerLinkReport[]): number[] {
  const adjacent = new Map<string, Set<string>>(peers.map((p) => [p.id, new Set<string>()]));
  for (const p of peers) {
    for (const q of p.neighbours) {
      adjacent.get(p.id)?.add(q);
      adjacent.get(q)?.add(p.id);
    }
  }
  const seen = new Set<string>();
  const sizes: number[] = [];
  for (const start of adjacent.keys()) {
    if (seen.has(start)) continue;
    seen.add(start);
    let size = 0;
    for (const stack = [start]; stack.length > 0; ) {
      const id = stack.pop() as string;
      size++;
      for (const next of adjacent.get(id) ?? []) {
        if (!seen.has(next) && adjacent.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    sizes.push(size);
  }
  return sizes.sort((a, b) => b - a);
}

function nullableRound(value: number | null): number | null {
  return value === null ? null : round(value);
}
