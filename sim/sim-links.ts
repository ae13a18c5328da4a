/**
 * The simulator's model of WebRTC links: what a tab's link adapter does, in virtual time. A link is two halves,
 * one per node; the initiator's half produces an offer, the other half answers it when fed the offer, and the
 * pair opens `linkSetupMs` (ICE, DTLS, SCTP) after the initiator is fed the answer — if both ends are alive, in
 * one partition group, and still want it. The offer and answer travel however the machines chose (server, or
 * sealed through the mesh). A half that does not open within the node's connect time-out closes with `timeout`,
 * as the real link does. Frames are FIFO per direction with random latency and loss. A close reaches the far
 * side behind the frames in flight, or after ICE consent expiry (30 s) if a partition swallows it.
 */
import type { Rng } from '../src/core/random';
import type { NodeId } from '../src/core/wire';
import type { OutFrame } from '../src/mesh/frame-codec';
import type { EventQueue } from './event-queue';
import type { NetworkModel, SimNode } from './cluster';

/** ICE consent freshness (RFC 7675): a silent path is declared failed after 30 s. */
const CONSENT_EXPIRY_MS = 30_000;

/** What the link model needs from the cluster. */
export interface SimLinksHost {
  queue: EventQueue;
  rng: Rng;
  network: NetworkModel;
  node(id: NodeId): SimNode | undefined;
  /** A frame arrived over an open link. */
  deliver(from: SimNode, to: SimNode, frame: OutFrame | string | Uint8Array): void;
  /** A frame was lost (loss, crash, partition, closed link). */
  lost?(): void;
  opened(node: SimNode, peer: NodeId): void;
  closed(node: SimNode, peer: NodeId, code: string): void;
  /** The half at `node` produced signaling data for `peer` (an offer or an answer). */
  fed(node: SimNode, peer: NodeId, data: unknown): void;
  connectTimeoutMs(node: SimNode): number;
}

interface Half {
  initiator: boolean;
  state: 'connecting' | 'open';
  /** Distinguishes this half from a later one of the same pair (late events for an old half are ignored). */
  epoch: number;
}

/** All links of one simulation. */
export class SimLinks {
  private readonly halves = new Map<string, Half>();
  private readonly open = new Map<NodeId, Set<NodeId>>();
  private readonly lastDelivery = new Map<string, number>();
  private epochs = 0;
  /** Frames lost, for the cluster's counters. */
  lostFrames = 0;

  constructor(private readonly host: SimLinksHost) {}

  /** Peers `id` holds an open link to. */
  openOf(id: NodeId): ReadonlySet<NodeId> {
    return this.open.get(id) ?? EMPTY;
  }

  /** `node` creates its half of a link to `peer`. */
  create(node: SimNode, peer: NodeId, initiator: boolean): void {
    const key = `${node.id}>${peer}`;
    if (this.halves.has(key)) return;
    const half: Half = { initiator, state: 'connecting', epoch: ++this.epochs };
    this.halves.set(key, half);
    const { queue } = this.host;
    queue.at(queue.nowMs + this.host.connectTimeoutMs(node), () => {
      if (this.halves.get(key) !== half || half.state !== 'connecting') return;
      this.halves.delete(key);
      if (node.alive) this.host.closed(node, peer, 'timeout');
    });
    if (initiator) queue.at(queue.nowMs, () => this.produce(node, peer, half, { type: 'offer', sdp: 'sim' }));
  }

  /** `node`'s half towards `peer` is fed signaling data that came from `peer`. */
  feed(node: SimNode, peer: NodeId, data: unknown): void {
    const half = this.halves.get(`${node.id}>${peer}`);
    if (half === undefined || half.state !== 'connecting') return;
    const type = typeof data === 'object' && data !== null ? (data as { type?: unknown }).type : undefined;
    const { queue } = this.host;
    if (type === 'offer' && !half.initiator) queue.at(queue.nowMs, () => this.produce(node, peer, half, { type: 'answer', sdp: 'sim' }));
    if (type === 'answer' && half.initiator) queue.at(queue.nowMs + this.host.network.linkSetupMs, () => this.connect(node, peer, half));
  }

  /** `node` closes its half towards `peer` (its own close event follows at once, the far side's later). */
  close(node: SimNode, peer: NodeId): void {
    const key = `${node.id}>${peer}`;
    const half = this.halves.get(key);
    if (half === undefined) return;
    this.halves.delete(key);
    const wasOpen = half.state === 'open';
    this.open.get(node.id)?.delete(peer);
    const { queue } = this.host;
    queue.at(queue.nowMs, () => {
      if (node.alive) this.host.closed(node, peer, 'local');
    });
    const far = this.host.node(peer);
    const farHalf = this.halves.get(`${peer}>${node.id}`);
    if (!wasOpen || far === undefined || farHalf === undefined || farHalf.state !== 'open') return;
    // The close travels behind the frames already in flight, like an SCTP shutdown.
    const inFlightMs = this.lastDelivery.get(`${node.id}>${peer}`) ?? 0;
    const closeAtMs = far.group === node.group ? Math.max(queue.nowMs + this.latency(), inFlightMs) : queue.nowMs + CONSENT_EXPIRY_MS;
    queue.at(closeAtMs, () => {
      if (this.halves.get(`${peer}>${node.id}`) !== farHalf) return;
      this.halves.delete(`${peer}>${node.id}`);
      this.open.get(peer)?.delete(node.id);
      if (far.alive) this.host.closed(far, node.id, 'remote-closed');
    });
  }

  /** Sends a frame over `from`'s open link to `to`: FIFO, with latency and loss. */
  transmit(from: SimNode, to: NodeId, frame: OutFrame | string | Uint8Array): void {
    const target = this.host.node(to);
    if (target === undefined || this.host.rng.next() < this.host.network.lossRate) return this.lose();
    const key = `${from.id}>${to}`;
    const atMs = Math.max(this.host.queue.nowMs + this.latency(), this.lastDelivery.get(key) ?? 0);
    this.lastDelivery.set(key, atMs);
    this.host.queue.at(atMs, () => {
      // A crashed node, a partition or a closed link swallow the frame silently.
      if (!target.alive || !from.alive || target.group !== from.group || !this.openOf(to).has(from.id)) return this.lose();
      this.host.deliver(from, target, frame);
    });
  }

  private produce(node: SimNode, peer: NodeId, half: Half, data: unknown): void {
    if (this.halves.get(`${node.id}>${peer}`) !== half || !node.alive) return;
    this.host.fed(node, peer, data);
  }

  private connect(node: SimNode, peer: NodeId, half: Half): void {
    const far = this.host.node(peer);
    const farHalf = this.halves.get(`${peer}>${node.id}`);
    if (this.halves.get(`${node.id}>${peer}`) !== half || far === undefined || farHalf === undefined) return;
    // Without a working path (dead peer, partition) ICE never completes; the connect time-out ends both halves.
    if (!node.alive || !far.alive || node.group !== far.group || farHalf.state !== 'connecting') return;
    half.state = 'open';
    farHalf.state = 'open';
    this.openSet(node.id).add(peer);
    this.openSet(peer).add(node.id);
    this.host.opened(node, peer);
    // The first open may have closed the link again at once (the degree bound raced).
    if (this.halves.get(`${peer}>${node.id}`) === farHalf) this.host.opened(far, node.id);
  }

  private openSet(id: NodeId): Set<NodeId> {
    let set = this.open.get(id);
    if (set === undefined) {
      set = new Set();
      this.open.set(id, set);
    }
    return set;
  }

  private latency(): number {
    return this.host.network.baseLatencyMs - Math.log(1 - this.host.rng.next()) * this.host.network.jitterLatencyMs;
  }

  private lose(): void {
    this.lostFrames++;
    this.host.lost?.();
  }
}

const EMPTY: ReadonlySet<NodeId> = new Set();
