/**
 * The driver's relation with the signaling server, which is for first contact only: join the room (a fresh socket
 * when the old one closed), let go of it once the mesh carries this node (unless the server keeps it as one of the
 * room's introducers), and, for an introducer that lost its socket (server restart), come back with back-off and
 * jitter so a restart sees no stampede. A rejoin's introductions go to the machine: a member it never heard of is
 * of a mesh that formed while the server was away, and is dialled (islands merge). A linked node that joins (a
 * check-in) holds its socket long enough for the links its introductions start, which the server signals.
 */
import { SIGNAL_LEASE_EXPIRED_CLOSE_CODE, type SignalingClient } from '../adapters/signaling-client';
import { jitter, type Rng } from '../core/random';
import type { NodeId } from '../core/wire';
import type { Clock } from '../util/clock';


/** What the presence needs from the driver. */
export interface PresenceHost {
  /** Makes a signaling client for the room (the mux of server and BroadcastChannel in a tab). */
  make(): SignalingClient;
  /** The driver's clock. */
  clock: Clock;
  rng: Rng;
  /** A payload relayed by the server (or a sibling tab) from `from`. */
  signal(from: NodeId, data: unknown): void;
  /** Introductions the server gave a rejoin (the machine dials any member of another mesh among them). */
  introduced(peers: NodeId[]): void;
  /** True while the node has at least one open mesh link. */
  hasLinks(): boolean;
  stopped(): boolean;
}

/** A guest lets go of the server this long after its first link opened (first-contact set-ups in flight finish). */
export const RELEASE_GRACE_MS = 5_000;
/**
 * A guest that joins while it has links (a check-in) keeps its socket this long: the links to members of another
 * mesh that its introductions start are signaled through the server, and must finish first (connect time-out 15 s).
 */
export const CHECK_IN_HOLD_MS = 20_000;
/** Back-off of an introducer reconnecting after its socket dropped: 1 s doubling to 60 s, ±50 % jitter. */
const REJOIN_BASE_MS = 1_000;
const REJOIN_MAX_MS = 60_000;

/** One node's presence on the signaling server. */
export class ServerPresence {
  private client: SignalingClient;
  /** True while the socket is joined; a closed one is replaced on the next need. */
  private joined = false;
  /** True until the current client's `connect()` was tried (the first one is used as made). */
  private fresh = true;
  /** Whether the server keeps our socket in the room's introducer pool (welcome and role messages). */
  private introducer = false;
  /** The client we let go of on purpose: its close is not a failure. */
  private released: SignalingClient | undefined;
  private releaseTimer: unknown = undefined;
  private rejoinTimer: unknown = undefined;
  /** When the pending rejoin fires (the driver's clock); null when none is pending. */
  private rejoinAtMs: number | null = null;
  private rejoinBackoffMs = 0;
  /** Calls of `join()` still waiting for the server. */
  private attemptsInFlight = 0;
  /** Times this node let go of the server, and an introducer's reconnects after a drop. */
  readonly counters = { serverReleases: 0, serverRejoins: 0 };

  constructor(private readonly host: PresenceHost) {
    this.client = this.open();
  }

  /** Whether this node holds a joined socket, and whether it is one of the room's introducers. */
  status(): { connected: boolean; introducer: boolean } {
    return { connected: this.joined, introducer: this.joined && this.introducer };
  }

  /**
   * Where this presence stands on retrying the server: whether an attempt (`join()`) is waiting for it now, and when
   * an introducer's pending rejoin is due (the driver's clock; null when none is pending).
   */
  retry(): { attempting: boolean; rejoinAtMs: number | null } {
    return { attempting: this.attemptsInFlight > 0, rejoinAtMs: this.rejoinAtMs };
  }

  /** Joins the room (a fresh socket if the old one closed) and resolves with introductions; rejects on failure. */
  async join(): Promise<NodeId[]> {
    this.attemptsInFlight++;
    try {
      return await this.attemptJoin();
    } finally {
      this.attemptsInFlight--;
    }
  }

  /** True when `to` is a sibling tab, reached over BroadcastChannel without the server. */
  reachesLocally(to: NodeId): boolean {
    return this.client.reachesLocally?.(to) ?? false;
  }

  /** Sends a payload through the server (or to a sibling tab); false when it could not. */
  send(to: NodeId, payload: unknown): boolean {
    return this.client.send(to, payload);
  }

  /**
   * A mesh link opened: a guest (not an introducer) lets go of the server a little later; from then on the mesh
   * signals its connections, and it comes back only when isolated (the core asks for introductions).
   */
  linkOpened(): void {
    this.scheduleRelease(RELEASE_GRACE_MS);
  }

  /** A guest with links lets go of the server after `delayMs` (a pending release stands). */
  private scheduleRelease(delayMs: number): void {
    if (!this.joined || this.introducer || this.releaseTimer !== undefined || !this.host.hasLinks()) return;
    this.releaseTimer = this.host.clock.setTimeout(() => {
      this.releaseTimer = undefined;
      if (this.host.stopped() || !this.joined || this.introducer || !this.host.hasLinks()) return;
      this.released = this.client;
      this.joined = false;
      this.counters.serverReleases++;
      this.client.release();
    }, delayMs);
  }

  /** Closes everything (the node stops). */
  close(): void {
    if (this.releaseTimer !== undefined) this.host.clock.clearTimeout(this.releaseTimer);
    if (this.rejoinTimer !== undefined) this.host.clock.clearTimeout(this.rejoinTimer);
    this.rejoinTimer = undefined;
    this.rejoinAtMs = null;
    this.client.close();
  }

  private async attemptJoin(): Promise<NodeId[]> {
    if (this.joined) {
      try {
        return await this.client.requestPeers();
      } catch (error) {
        this.joined = false; // the next need opens a fresh socket
        throw error;
      }
    }
    if (!this.fresh) {
      this.client.close();
      this.client = this.open();
    }
    this.fresh = false;
    const welcome = await this.client.connect();
    this.joined = true;
    this.introducer = welcome.introducer;
    this.released = undefined;
    this.scheduleRelease(this.host.hasLinks() ? CHECK_IN_HOLD_MS : RELEASE_GRACE_MS);
    return welcome.peers;
  }

  private open(): SignalingClient {
    const client = this.host.make();
    this.fresh = true;
    client.on('signal', ({ from, data }) => this.host.signal(from, data));
    client.on('role', ({ introducer }) => {
      if (this.client === client) this.introducer = introducer;
    });
    client.on('close', ({ code }) => {
      if (this.client !== client) return;
      this.joined = false;
      const wasIntroducer = this.introducer;
      this.introducer = false;
      // Letting go on purpose, or a guest's lease running out, is the plan; an introducer that lost its socket
      // (server restart) comes back.
      if (this.host.stopped() || client === this.released || code === SIGNAL_LEASE_EXPIRED_CLOSE_CODE) return;
      if (wasIntroducer) this.scheduleRejoin();
    });
    return client;
  }

  private scheduleRejoin(): void {
    if (this.host.stopped() || this.rejoinTimer !== undefined) return;
    this.rejoinBackoffMs = Math.min(REJOIN_MAX_MS, Math.max(REJOIN_BASE_MS, this.rejoinBackoffMs * 2));
    const delayMs = jitter(this.rejoinBackoffMs, 0.5, this.host.rng);
    this.rejoinAtMs = this.host.clock.now() + delayMs;
    this.rejoinTimer = this.host.clock.setTimeout(() => {
      this.rejoinTimer = undefined;
      this.rejoinAtMs = null;
      if (this.host.stopped() || this.joined) return;
      this.counters.serverRejoins++;
      this.join().then(
        (peers) => {
          this.rejoinBackoffMs = 0;
          if (!this.host.stopped()) this.host.introduced(peers);
        },
        () => this.scheduleRejoin(),
      );
    }, delayMs);
  }
}
