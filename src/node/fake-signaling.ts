/**
 * A signaling client for driver tests that never touches the network: each `connect()` and `requestPeers()` waits
 * until the test settles it, and the test can close the socket as the server would.
 */
import { SignalingError, type SignalingClient, type SignalingEvents, type SignalingWelcome } from '../adapters/signaling-client';
import type { NodeId } from '../core/wire';
import { consoleHandlerErrors, createEmitter } from '../util/emitter';

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** A scripted signaling client. */
export class FakeSignalingClient implements SignalingClient {
  private readonly emitter = createEmitter<SignalingEvents>(consoleHandlerErrors('signaling'));
  private pendingConnect: Deferred<SignalingWelcome> | undefined;
  private introducer = false;
  /** Calls of `connect()`, `close()` and `release()`. */
  readonly calls = { connect: 0, close: 0, release: 0 };

  connect(): Promise<SignalingWelcome> {
    this.calls.connect++;
    return new Promise((resolve, reject) => {
      this.pendingConnect = { resolve, reject };
    });
  }

  /** Answers the pending `connect()` with a welcome. */
  welcome(welcome: SignalingWelcome): void {
    this.introducer = welcome.introducer;
    this.pendingConnect?.resolve(welcome);
    this.pendingConnect = undefined;
  }

  /** Fails the pending `connect()` (e.g. `connect-failed`: nothing listens). */
  fail(code = 'connect-failed'): void {
    this.pendingConnect?.reject(new SignalingError(code, `fake: ${code}`));
    this.pendingConnect = undefined;
  }

  /** The socket closes as the server (or the network) would close it. */
  drop(code = 1006): void {
    this.introducer = false;
    this.emitter.emit('close', { code, reason: 'fake drop' });
  }

  isIntroducer(): boolean {
    return this.introducer;
  }

  send(_to: NodeId, _data: unknown): boolean {
    return false;
  }

  requestPeers(): Promise<NodeId[]> {
    return Promise.resolve([]);
  }

  close(): void {
    this.calls.close++;
    this.fail('closed');
  }

  release(): void {
    this.calls.release++;
    this.close();
  }

  on<K extends keyof SignalingEvents>(event: K, handler: (payload: SignalingEvents[K]) => void): () => void {
    return this.emitter.on(event, handler);
  }
}

/** Lets pending promise callbacks run (no time passes on any clock). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
