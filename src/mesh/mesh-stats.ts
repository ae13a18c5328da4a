/** Counters of one mesh machine: what it refused (by reason), and what it did by signaling path. */
export class MeshStats {
  /** Inbound frames, entries and signals refused, by reason (`frame:*`, `message:*`, `route:*`, `signal:*`, `link:*`). */
  readonly drops: Record<string, number> = {};
  /** Links that closed, by the link's close code. */
  readonly linkCloses: Record<string, number> = {};
  /** Frames accepted and handed to membership or routing. */
  messagesIn = 0;
  /** Signaling that went through (or came from) the server, or a sibling tab's channel. */
  serverSignalsOut = 0;
  serverSignalsIn = 0;
  /** Signaling sealed and sent through the mesh, accepted from it, and refused (bad seal, replay, busy queue). */
  meshSignalsOut = 0;
  meshSignalsIn = 0;
  meshSignalsRefused = 0;

  /** Adds `by` to `table[key]`. */
  count(table: Record<string, number>, key: string, by = 1): void {
    table[key] = (table[key] ?? 0) + by;
  }

  /** A plain copy (for pages and tests). */
  snapshot(): MeshStatsSnapshot {
    return {
      drops: { ...this.drops }, linkCloses: { ...this.linkCloses }, messagesIn: this.messagesIn,
      serverSignalsOut: this.serverSignalsOut, serverSignalsIn: this.serverSignalsIn,
      meshSignalsOut: this.meshSignalsOut, meshSignalsIn: this.meshSignalsIn, meshSignalsRefused: this.meshSignalsRefused,
    };
  }
}

/** The counters as plain data. */
export type MeshStatsSnapshot = Pick<MeshStats, 'messagesIn' | 'serverSignalsOut' | 'serverSignalsIn' | 'meshSignalsOut' | 'meshSignalsIn' | 'meshSignalsRefused'> & {
  drops: Record<string, number>;
  linkCloses: Record<string, number>;
};
