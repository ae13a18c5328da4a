/**
 * Bookkeeping about links for pages and benches, kept out of the driver's logic: which links were first contacts
 * and which later links needed the server, how long set-ups took by signaling path, and neighbours' ping round
 * trips. Nothing here decides anything.
 */
import type { NodeId } from '../core/wire';

/** Set-up times kept per signaling path. */
const SETUP_SAMPLES = 64;

/** Link counters exposed in the driver's stats. */
export interface LinkCounts {
  /** Links this node dialled while it had no open link (first contact: through the server or BroadcastChannel). */
  linksFirstContact: number;
  /**
   * Links this node dialled while it had one: set up with the server's help at least once, or without it (through
   * the mesh, or for a sibling tab over BroadcastChannel).
   */
  linksViaServer: number;
  linksViaMesh: number;
}

/** Per-node link bookkeeping. */
export class LinkAccounting {
  /** Peers whose link set-up under way touched the server. */
  private readonly serverTouched = new Set<NodeId>();
  /** Links this node is dialling: whether it had an open link when it started, and when. */
  private readonly dialling = new Map<NodeId, { hadLink: boolean; startedMs: number }>();
  private readonly setupMs = { mesh: [] as number[], server: [] as number[] };
  private readonly pingsOut = new Map<NodeId, { nonce: number; atMs: number }>();
  private readonly rttMs = new Map<NodeId, number>();
  readonly counts: LinkCounts = { linksFirstContact: 0, linksViaServer: 0, linksViaMesh: 0 };

  /** This node starts dialling `peer`. */
  dialStarted(peer: NodeId, hadLink: boolean, nowMs: number): void {
    this.dialling.set(peer, { hadLink, startedMs: nowMs });
  }

  /** A signaling payload for `peer`'s set-up went through (or came from) the server. */
  touchedServer(peer: NodeId): void {
    this.serverTouched.add(peer);
  }

  /** The link to `peer` opened: counts it by how it was set up. */
  opened(peer: NodeId, nowMs: number): void {
    const viaServer = this.serverTouched.delete(peer);
    const dial = this.dialling.get(peer);
    this.dialling.delete(peer);
    if (dial === undefined) return; // inbound: the dialler counts it
    if (!dial.hadLink) {
      this.counts.linksFirstContact++;
      return;
    }
    this.counts[viaServer ? 'linksViaServer' : 'linksViaMesh']++;
    const times = viaServer ? this.setupMs.server : this.setupMs.mesh;
    times.push(nowMs - dial.startedMs);
    if (times.length > SETUP_SAMPLES) times.shift();
  }

  /** The link to `peer` closed, failed or was refused. */
  forget(peer: NodeId): void {
    this.serverTouched.delete(peer);
    this.dialling.delete(peer);
    this.pingsOut.delete(peer);
    this.rttMs.delete(peer);
  }

  /** A ping went to `peer`. */
  pingSent(peer: NodeId, nonce: number, nowMs: number): void {
    this.pingsOut.set(peer, { nonce, atMs: nowMs });
  }

  /** An ack came from `peer`: a round trip if it answers the last ping. */
  ackReceived(peer: NodeId, nonce: number, nowMs: number): void {
    const sent = this.pingsOut.get(peer);
    if (sent === undefined || sent.nonce !== nonce) return;
    this.pingsOut.delete(peer);
    this.rttMs.set(peer, Math.max(0, nowMs - sent.atMs));
  }

  /** Last measured ping round trip to `peer`, if any. */
  rtt(peer: NodeId): number | undefined {
    return this.rttMs.get(peer);
  }

  /** Set-up times (dial → open, ms) of the latest links dialled after the first, by signaling path. */
  setupTimes(): { mesh: number[]; server: number[] } {
    return { mesh: [...this.setupMs.mesh], server: [...this.setupMs.server] };
  }
}
