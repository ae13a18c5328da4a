/** Shared by the two parts of `npm run bench:mesh` (browser tabs and Node peers). */
export { percentile } from '../src/util/percentile';

/** One printed JSON line: the fields the issue asks for, plus extras each part adds. */
export interface MeshBenchRow {
  kind: 'tabs' | 'node';
  n: number;
  /** Start (page navigation for tabs) → first open WebRTC channel, ms. */
  joinMsP50: number | null;
  joinMsP99: number | null;
  /** Start → every other live peer listed in members(), ms. */
  fullTableMsP99: number | null;
  /** Signals the server relayed by the time every table was full, divided by the joins. */
  serverMessagesPerJoin: number | null;
  /** Mean open channels (neighbours) per peer after the full table. */
  peerConnectionsPerTab: number;
  /** CPU per peer over a steady window, % of one core. */
  cpuPerTabPct: number;
  /** Of the links peers dialled after their first contact, the share set up without the server (null: none). */
  meshSignaledShare: number | null;
  /** Sockets the signaling server holds at steady state (every table full, then a settle pause); target ≤ pool. */
  serverSocketsSteady: number;
  /** The room's introducers at the same moment (pool default 8). */
  introducersSteady: number;
  /** Server messages (relayed signals + joins) during the steady window, per node per minute; target 0. */
  serverMessagesPerNodeMinuteSteady: number;
  /** Set-up time (dial → open) of mesh-signaled links, pooled over peers, ms; target p99 < 1 000. */
  meshConnectMsP50: number | null;
  meshConnectMsP99: number | null;
  /** Routed unicasts between live peers at steady state: acknowledged / sent; target ≥ 0.999. */
  unicastDeliveryRate: number | null;
  /** Hop counts and round trips (send → ack, ms) of the acknowledged unicasts. */
  unicastHopsP50: number | null;
  unicastHopsP99: number | null;
  unicastRttMsP50: number | null;
  [extra: string]: unknown;
}

/** Rounds to `digits` decimals (for printing). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
