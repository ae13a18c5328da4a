/**
 * The asynchronous crypto around mesh signaling, for the driver: sealing what the machine sends (`seal-signal`)
 * and checking what it receives (`verify-signal`), with the results fed back to the machine. Checks are bounded:
 * a flood of offers must not queue unbounded signature checks.
 */
import type { KeyIdentity, NodeId } from '../identity/keys';
import type { SignalPayload } from '../mesh/signal-payload';
import { openSignal, sealSignal } from './sealed-signal';

/** Signals waiting for their signature check at once (each costs a WebCrypto verify). */
export const MAX_VERIFYING = 64;

/** Where the results go. */
export interface SignalCryptoHost {
  identity: KeyIdentity;
  sealed(to: NodeId, body: string): void;
  opened(from: NodeId, nonce: string, payload: unknown): void;
  refused(from: NodeId | null, reason: string): void;
  stopped(): boolean;
}

/** Seals and verifies mesh signaling of one node. */
export class SignalCrypto {
  private verifying = 0;

  constructor(private readonly host: SignalCryptoHost) {}

  /** Seals `payload` for `to`; the body goes to `host.sealed`. */
  async seal(to: NodeId, payload: SignalPayload): Promise<void> {
    let body: string;
    try {
      body = await sealSignal(this.host.identity, to, payload);
    } catch (error) {
      this.host.refused(null, `route:seal-failed:${String(error)}`);
      return;
    }
    if (!this.host.stopped()) this.host.sealed(to, body);
  }

  /** Checks a sealed `body` that claims to come from `from`. */
  async verify(from: NodeId, body: string): Promise<void> {
    if (this.verifying >= MAX_VERIFYING) return this.host.refused(from, 'route:signal-busy');
    this.verifying++;
    try {
      const opened = await openSignal(body, from, this.host.identity.id);
      if (this.host.stopped()) return;
      if (!opened.ok) this.host.refused(from, `route:signal-${opened.reason}`);
      else this.host.opened(from, opened.nonce, opened.payload);
    } finally {
      this.verifying--;
    }
  }
}
