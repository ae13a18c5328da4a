/**
 * The driver's side of the router: carries out its effects, turns unicast outcomes into promises, seals outgoing
 * mesh signaling and opens (verifies) incoming signaling before the driver may act on it.
 */
import type { NodeId } from '../core/wire';
import type { KeyIdentity } from '../identity/keys';
import type { RoutedDelivery, RouteLogEntry, Router, RouterEffect, UnicastResult } from '../routing/router';
import { encodeRouteMessage } from '../routing/route-wire';
import { openSignal, sealSignal } from './sealed-signal';

/** What the glue needs from the driver. */
export interface MeshRoutingHost {
  identity: KeyIdentity;
  router: Router;
  now(): number;
  /** Sends text over the open link to `to`; false when it could not. */
  sendFrame(to: NodeId, text: string): boolean;
  deliver(delivery: RoutedDelivery): void;
  log(entry: RouteLogEntry): void;
  topologyChanged(): void;
  /** A verified signaling payload from `from` that came through the mesh. */
  signal(from: NodeId, payload: unknown): void;
  drop(from: NodeId | null, reason: string): void;
  /** Re-arms the driver's timer (router deadlines may have moved). */
  reschedule(): void;
  stopped(): boolean;
}

/** How many recent signal nonces are remembered against replays. */
const NONCE_MEMORY = 4_096;
/** Signals waiting for their signature check at once (each costs a WebCrypto verify). */
const MAX_OPENING = 64;

/** Routing glue of one node. */
export class MeshRouting {
  private readonly waiting = new Map<string, (result: UnicastResult) => void>();
  private readonly nonces = new Set<string>();
  private opening = 0;
  /** Counters: signaling sent and accepted through the mesh. */
  readonly counters = { meshSignalsOut: 0, meshSignalsIn: 0, meshSignalsRefused: 0 };

  constructor(private readonly host: MeshRoutingHost) {}

  /** Carries out router effects. */
  run(effects: RouterEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.host.sendFrame(effect.to, encodeRouteMessage(effect.message));
          break;
        case 'deliver':
          this.host.deliver(effect.delivery);
          break;
        case 'signal':
          void this.open(effect.from, effect.body);
          break;
        case 'result': {
          const resolve = this.waiting.get(effect.msgId);
          this.waiting.delete(effect.msgId);
          resolve?.(effect.result);
          break;
        }
        case 'log':
          this.host.log(effect.entry);
          break;
        case 'topology':
          this.host.topologyChanged();
          break;
        case 'drop':
          this.host.drop(effect.from, effect.reason);
          break;
      }
    }
    this.host.reschedule();
  }

  /** Sends `data` to `to`; resolves with the outcome (delivered with its trace, or why not). Never rejects. */
  send(to: NodeId, data: string): Promise<UnicastResult> {
    if (typeof data !== 'string') return Promise.resolve({ ok: false, code: 'too-large', detail: 'data must be a string' });
    const { msgId, effects } = this.host.router.send(this.host.now(), to, data);
    const outcome = new Promise<UnicastResult>((resolve) => this.waiting.set(msgId, resolve));
    this.run(effects);
    return outcome;
  }

  /** Floods `data` to every member; returns the message ID, or null when too large or stopped. */
  broadcast(data: string): string | null {
    if (typeof data !== 'string') return null;
    const { msgId, effects } = this.host.router.broadcast(this.host.now(), data);
    this.run(effects);
    return msgId;
  }

  /** True when signaling for `to` can go through the mesh now. */
  canSignal(to: NodeId): boolean {
    return this.host.router.canReach(this.host.now(), to);
  }

  /** Seals `payload` and sends it to `to` through the mesh. */
  async sendSignal(to: NodeId, payload: unknown): Promise<void> {
    let body: string;
    try {
      body = await sealSignal(this.host.identity, to, payload);
    } catch (error) {
      this.host.drop(null, `route:seal-failed:${String(error)}`);
      return;
    }
    if (this.host.stopped()) return;
    this.counters.meshSignalsOut++;
    this.run(this.host.router.sendSignal(this.host.now(), to, body));
  }

  private async open(from: NodeId, body: string): Promise<void> {
    // A flood of offers must not queue unbounded signature checks.
    if (this.opening >= MAX_OPENING) return this.refuse(from, 'route:signal-busy');
    this.opening++;
    try {
      const opened = await openSignal(body, from, this.host.identity.id);
      if (!opened.ok) return this.refuse(from, `route:signal-${opened.reason}`);
      const replay = `${from}|${opened.nonce}`;
      if (this.nonces.has(replay)) return this.refuse(from, 'route:signal-replay');
      this.nonces.add(replay);
      if (this.nonces.size > NONCE_MEMORY) {
        const oldest = this.nonces.values().next().value;
        if (oldest !== undefined) this.nonces.delete(oldest);
      }
      if (this.host.stopped()) return;
      this.counters.meshSignalsIn++;
      this.host.signal(from, opened.payload);
    } finally {
      this.opening--;
    }
  }

  private refuse(from: NodeId, reason: string): void {
    this.counters.meshSignalsRefused++;
    this.host.drop(from, reason);
  }

  /** Fails every waiting send with `stopped`. */
  stop(): void {
    this.run(this.host.router.stop());
  }
}
