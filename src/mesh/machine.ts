/**
 * One node of the mesh as a pure state machine: membership (`core/`), routing (`routing/`), the wait for a mesh
 * route before dialling, signaling admission and the initiator rule, composed. Inputs are time, randomness (at
 * construction), frames received, link and signaling events; every input returns `MeshEffect`s. No clock, timer,
 * socket, crypto or storage in here, so the tab's driver, the Node peer and the simulator all run this same code.
 *
 * Shape (after etcd-io/raft's RawNode): the driver calls an input method, carries out the effects in order, and
 * calls `tick(now)` at `nextWakeMs()`. Sealing and verifying signaling need asynchronous crypto, so they go out as
 * effects (`seal-signal`, `verify-signal`) and come back as inputs (`sealedSignal`, `openedSignal`).
 */
import { Membership, type Effect, type MembershipOptions, type MembershipSnapshot } from '../core';
import type { Rng } from '../core/random';
import type { NodeId } from '../core/wire';
import { Router, type RouterEffect } from '../routing/router';
import type { RouterOptions } from '../routing/router-options';
import type { RateLimitOptions } from '../util/token-bucket';
import { decodeFrame, type DecodedFrame } from './frame-codec';
import { LinkBook } from './link-book';
import type { MeshEffect } from './mesh-effects';
import { MeshStats } from './mesh-stats';
import { RouteWait, ROUTE_WAIT_MS } from './route-wait';
import { admit, ReplayGuard } from './signal-admission';
import { runCoreEffects, runRouterEffects, type PartEffectsHost } from './part-effects';
import { parseSignalPayload, type SignalPayload } from './signal-payload';

/**
 * Inbound frames accepted per link, by default. Honest peers stay below it (a whole-table sync at n = 1 000 is ~15
 * frames, a 256 KiB message ~30 pieces, topology adverts are batched per 50 ms); a flooding peer is cut to this
 * rate and the excess is dropped and counted before any parsing. Measured: at 200/s (burst 400) and unbatched
 * adverts, a 50-node join burst dropped ~20 000 honest frames.
 */
export const DEFAULT_LINK_INBOUND_LIMIT: Readonly<RateLimitOptions> = { ratePerSec: 500, burst: 1_000 };

/** How to build a machine. */
export interface MeshMachineInit {
  selfId: NodeId;
  /** The only source of randomness (shared by membership and routing). */
  rng: Rng;
  membership?: Partial<MembershipOptions>;
  routing?: Partial<RouterOptions>;
  /** A restored table (after a reload). */
  snapshot?: MembershipSnapshot;
  /** Inbound frames accepted per link (token bucket); default `DEFAULT_LINK_INBOUND_LIMIT`. */
  linkInboundLimit?: RateLimitOptions;
  /** How long a later dial waits for a mesh route (default `ROUTE_WAIT_MS`). */
  routeWaitMs?: number;
  /**
   * True when signaling reaches `peer` without the mesh or the server: a sibling tab over BroadcastChannel. Such a
   * dial never waits for a route. A read-only query of the driver's state; default: nobody.
   */
  reachesWithoutMesh?: (peer: NodeId) => boolean;
}

/** The composed protocol of one node. */
export class MeshMachine {
  readonly selfId: NodeId;
  readonly core: Membership;
  readonly router: Router;
  /** Counters of everything the machine refused and did. */
  readonly stats = new MeshStats();
  /** This node's links: state, inbound limits, and how each was set up (read-only for drivers). */
  readonly links: LinkBook;
  readonly routeWait: RouteWait;
  private readonly replays = new ReplayGuard();
  private readonly reachesWithoutMesh: (peer: NodeId) => boolean;
  private nowMs = 0;
  private stopped = false;
  private out: MeshEffect[] = [];
  /** The narrow view the parts' effects get of this machine (`part-effects.ts`). */
  private readonly partHost: PartEffectsHost = {
    emit: (effect) => void this.out.push(effect),
    dialOrWait: (peer, initiator) => this.routeWait.dialOrWait(peer, initiator),
    endLink: (peer) => {
      this.routeWait.cancel(peer);
      this.closeLink(peer);
    },
    pingSent: (peer, nonce) => this.links.accounting.pingSent(peer, nonce, this.nowMs),
    // A removed member's link-state advert would only attract routes into a dead end.
    forgetMember: (id) => this.runRouter(this.router.forget(id)),
    topologyChanged: () => this.routeWait.check(),
    drop: (from, reason) => this.drop(from, reason),
  };

  constructor(init: MeshMachineInit) {
    this.selfId = init.selfId;
    this.core = new Membership({
      selfId: init.selfId,
      rng: init.rng,
      ...(init.membership !== undefined ? { options: init.membership } : {}),
      ...(init.snapshot !== undefined ? { snapshot: init.snapshot } : {}),
    });
    this.router = new Router(init.selfId, init.rng, init.routing ?? {});
    this.links = new LinkBook(init.linkInboundLimit ?? DEFAULT_LINK_INBOUND_LIMIT, () => this.nowMs);
    this.reachesWithoutMesh = init.reachesWithoutMesh ?? (() => false);
    this.routeWait = new RouteWait(
      {
        now: () => this.nowMs,
        // Waiting makes sense only for a later dial towards a member the mesh may soon reach: a first contact, a
        // sibling tab, a removed peer retried to heal a partition, or a member the table never heard of (the
        // server introduced it: it is of another mesh) has no route coming, and dials at once through the server.
        ready: (peer) =>
          this.core.neighbours().length === 0 ||
          this.router.canReach(this.nowMs, peer) ||
          this.reachesWithoutMesh(peer) ||
          !this.core.lists(peer),
        dial: (peer, initiator) => this.dial(peer, initiator),
        giveUp: (peer) => this.runCore(this.core.linkDown(this.nowMs, peer)),
      },
      init.routeWaitMs ?? ROUTE_WAIT_MS,
    );
  }

  // ---- inputs ---------------------------------------------------------------------------------------------

  /** Starts the protocol with the signaling server's introductions (empty when it was unreachable). */
  start(nowMs: number, introductions: readonly NodeId[]): MeshEffect[] {
    this.at(nowMs);
    this.runCore(this.core.start(nowMs, introductions));
    return this.flush();
  }

  /** Runs every timer due at `nowMs`; call it at `nextWakeMs()` (earlier is harmless). */
  tick(nowMs: number): MeshEffect[] {
    this.at(nowMs);
    if (this.stopped) return this.flush();
    this.routeWait.check();
    this.runCore(this.core.tick(nowMs));
    this.runRouter(this.router.tick(nowMs));
    return this.flush();
  }

  /** When `tick` is due next (Infinity when nothing is scheduled). */
  nextWakeMs(): number {
    if (this.stopped) return Infinity;
    return Math.min(this.core.nextWakeMs(), this.router.nextWakeMs(), this.routeWait.nextWakeMs());
  }

  /** A frame (text or bytes) arrived over the open link from `peer`. */
  receive(nowMs: number, peer: NodeId, frame: string | Uint8Array): MeshEffect[] {
    this.at(nowMs);
    // Cut a flood before any parsing.
    if (!this.links.admitFrame(peer)) return this.dropped(peer, 'link:rate-limited');
    return this.receiveDecoded(nowMs, peer, decodeFrame(frame));
  }

  /** As `receive`, for a frame already decoded (the simulator's fast path; the rate limit is the caller's). */
  receiveDecoded(nowMs: number, peer: NodeId, frame: DecodedFrame): MeshEffect[] {
    this.at(nowMs);
    if (frame.kind === 'refused') return this.dropped(peer, `frame:${frame.error}`);
    if (frame.kind === 'routing') {
      const decoded = frame.result;
      if (!decoded.ok) return this.dropped(peer, `route:${decoded.error}`);
      if (decoded.dropped > 0) this.drop(peer, 'route:bad-adverts', decoded.dropped);
      this.stats.messagesIn++;
      this.runRouter(this.router.receive(nowMs, peer, decoded.message));
      return this.flush();
    }
    const decoded = frame.result;
    if (!decoded.ok) return this.dropped(peer, `message:${decoded.error}`);
    if (decoded.droppedEntries > 0) this.drop(peer, 'message:bad-entries', decoded.droppedEntries);
    this.stats.messagesIn++;
    const message = decoded.message;
    if ('entries' in message) this.out.push({ type: 'gossip', dir: 'in', kind: message.t, peer, entries: message.entries.length });
    if (message.t === 'ack') this.links.accounting.ackReceived(peer, message.nonce, nowMs);
    this.runCore(this.core.receive(nowMs, peer, message));
    return this.flush();
  }

  /** The link being built with `peer` produced WebRTC signaling data for it. */
  linkSignal(nowMs: number, peer: NodeId, data: unknown): MeshEffect[] {
    this.at(nowMs);
    this.sendSignal(peer, { k: 'rtc', s: data });
    return this.flush();
  }

  /** The link with `peer` is open and its key proven. */
  linkOpened(nowMs: number, peer: NodeId): MeshEffect[] {
    this.at(nowMs);
    if (!this.links.opened(peer)) return this.flush(); // given up meanwhile
    this.routeWait.cancel(peer);
    this.runCore(this.core.linkUp(nowMs, peer));
    // The core may refuse the link (the degree bound raced) and close it at once: then the router must not
    // learn of it (it would advertise it, and route through it, until the next change).
    if (this.links.state(peer) === 'open') this.runRouter(this.router.linkUp(nowMs, peer));
    return this.flush();
  }

  /** The link with `peer` closed (any reason, either side), or its attempt failed. `code` is the link's. */
  linkClosed(nowMs: number, peer: NodeId, code: string): MeshEffect[] {
    this.at(nowMs);
    const was = this.links.closed(peer);
    this.stats.count(this.stats.linkCloses, code);
    if (code === 'auth-failed') this.drop(peer, 'link:auth-failed');
    this.runCore(this.core.linkDown(nowMs, peer));
    // A link this node closed itself was taken from the router already (closeLink).
    if (was === 'open') this.runRouter(this.router.linkDown(nowMs, peer));
    return this.flush();
  }

  /** Signaling relayed by the server (or a sibling tab) from `from`: untrusted, unverified beyond the server's stamp. */
  serverSignal(nowMs: number, from: NodeId, data: unknown): MeshEffect[] {
    this.at(nowMs);
    this.stats.serverSignalsIn++;
    if (!this.reachesWithoutMesh(from)) this.links.accounting.touchedServer(from);
    this.onSignal(from, data);
    return this.flush();
  }

  /** The body of a `seal-signal` effect, sealed: it goes to `to` through the mesh. */
  sealedSignal(nowMs: number, to: NodeId, body: string): MeshEffect[] {
    this.at(nowMs);
    if (this.stopped) return this.flush();
    this.stats.meshSignalsOut++;
    this.runRouter(this.router.sendSignal(nowMs, to, body));
    return this.flush();
  }

  /** A `verify-signal` body checked out: signed by `from`, for this node, with `nonce`. */
  openedSignal(nowMs: number, from: NodeId, nonce: string, payload: unknown): MeshEffect[] {
    this.at(nowMs);
    if (!this.replays.admit(from, nonce)) return this.refusedSignal(nowMs, from, 'route:signal-replay');
    if (this.stopped) return this.flush();
    this.stats.meshSignalsIn++;
    this.onSignal(from, payload);
    return this.flush();
  }

  /** A `verify-signal` body was refused (bad seal, or the driver's check queue was full). */
  refusedSignal(nowMs: number, from: NodeId, reason: string): MeshEffect[] {
    this.at(nowMs);
    this.stats.meshSignalsRefused++;
    return this.dropped(from, reason);
  }

  /** Something the driver refused on the machine's behalf (a link's inbound check, a bad signal for a link). */
  noteDrop(nowMs: number, from: NodeId | null, reason: string): MeshEffect[] {
    this.at(nowMs);
    return this.dropped(from, reason);
  }

  /** The signaling server's answer to an `introduce` effect. */
  introduced(nowMs: number, peers: readonly NodeId[]): MeshEffect[] {
    this.at(nowMs);
    if (!this.stopped) this.runCore(this.core.introduce(nowMs, peers));
    return this.flush();
  }

  /** Sends `data` to member `to`; the outcome comes as a `result` effect with the returned `msgId`. */
  send(nowMs: number, to: NodeId, data: string | Uint8Array): { msgId: string; effects: MeshEffect[] } {
    this.at(nowMs);
    const { msgId, effects } = this.router.send(nowMs, to, data);
    this.runRouter(effects);
    return { msgId, effects: this.flush() };
  }

  /** Floods `data` to every member; `msgId` is null when it is too large or the node stopped. */
  broadcast(nowMs: number, data: string | Uint8Array): { msgId: string | null; effects: MeshEffect[] } {
    this.at(nowMs);
    const { msgId, effects } = this.router.broadcast(nowMs, data);
    this.runRouter(effects);
    return { msgId, effects: this.flush() };
  }

  /** Leaves on purpose: neighbours are told, every link closes, waiting sends fail with `stopped`. */
  leave(nowMs: number): MeshEffect[] {
    this.at(nowMs);
    if (this.stopped) return this.flush();
    this.runCore(this.core.leave(nowMs));
    this.stopped = true;
    this.runRouter(this.router.stop());
    this.routeWait.clear();
    for (const peer of this.links.peers()) this.closeLink(peer);
    return this.flush();
  }

  /** Turns rewiring off or on (the driver does when the tab's connection budget runs low). */
  setRewiring(enabled: boolean): void {
    this.core.setRewiring(enabled);
  }

  // ---- queries (the rest is read from `core`, `router` and `links`) -------------------------------------------

  /** True once `leave` was called. */
  get hasLeft(): boolean {
    return this.stopped;
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private at(nowMs: number): void {
    this.nowMs = nowMs;
  }

  private onSignal(from: NodeId, data: unknown): void {
    const payload = parseSignalPayload(data);
    if (payload === null) return this.drop(from, 'signal:bad-payload');
    const decision = admit(from, payload, {
      selfId: this.selfId,
      hasLink: this.links.state(from) !== undefined,
      accepts: () => !this.stopped && this.core.acceptLink(this.nowMs, from),
    });
    switch (decision.act) {
      case 'feed':
        this.out.push({ type: 'feed-link', to: from, data: decision.data });
        return;
      case 'open':
        this.openLink(from, decision.initiator);
        if ('data' in decision) this.out.push({ type: 'feed-link', to: from, data: decision.data });
        return;
      case 'busy':
        return this.onBusy(from);
      case 'refuse':
        this.drop(from, decision.reason);
        if (decision.answerBusy && !this.stopped) this.sendSignal(from, { k: 'busy' });
        return;
      case 'ignore':
        return;
    }
  }

  /** The peer has no room for us: an attempt under way fails now (the core backs off and dials others). */
  private onBusy(from: NodeId): void {
    const link = this.links.state(from);
    if (link === undefined) {
      this.routeWait.cancel(from);
      this.links.accounting.forget(from);
      if (!this.core.neighbours().includes(from)) this.runCore(this.core.linkDown(this.nowMs, from));
    } else if (link === 'connecting') {
      this.closeLink(from);
    }
  }

  /** Starts a dial the core asked for, once `routeWait` lets it: the initiator offers, the other asks it to. */
  private dial(peer: NodeId, initiator: boolean): void {
    this.links.accounting.dialStarted(peer, this.core.neighbours().length > 0, this.nowMs);
    if (initiator) this.openLink(peer, true);
    else this.sendSignal(peer, { k: 'dial' });
  }

  private openLink(peer: NodeId, initiator: boolean): void {
    if (!this.links.connecting(peer)) return;
    this.out.push({ type: 'open-link', to: peer, initiator });
  }

  /**
   * The one way this node ends a link: the router forgets it at once (nothing more is routed over a link being
   * closed), the driver closes it, and its close comes back through `linkClosed` for the rest.
   */
  private closeLink(peer: NodeId): void {
    const state = this.links.closing(peer);
    if (state === undefined || state === 'closing') return;
    this.out.push({ type: 'close-link', to: peer });
    if (state === 'open') this.runRouter(this.router.linkDown(this.nowMs, peer));
  }

  /**
   * Signaling goes through the mesh (sealed by this node's key) whenever some link leads towards the peer; the
   * server (or a sibling tab's channel) is only for a node with no route, i.e. its first contact.
   */
  private sendSignal(peer: NodeId, payload: SignalPayload): void {
    if (this.router.canReach(this.nowMs, peer)) {
      this.out.push({ type: 'seal-signal', to: peer, payload });
      return;
    }
    this.stats.serverSignalsOut++;
    if (!this.reachesWithoutMesh(peer)) this.links.accounting.touchedServer(peer);
    this.out.push({ type: 'server-signal', to: peer, payload });
  }

  private runCore(effects: Effect[]): void {
    runCoreEffects(effects, this.partHost);
  }

  private runRouter(effects: RouterEffect[]): void {
    runRouterEffects(effects, this.partHost);
  }

  private drop(from: NodeId | null, reason: string, count = 1): void {
    this.stats.count(this.stats.drops, reason, count);
    this.out.push({ type: 'drop', from, reason, count });
  }

  private dropped(from: NodeId | null, reason: string): MeshEffect[] {
    this.drop(from, reason);
    return this.flush();
  }

  private flush(): MeshEffect[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

