/**
 * One client connection of the signaling server, as a small state machine: `awaiting-hello` → `verifying` →
 * `joined` → `closed`. It knows nothing about `ws`; the server hands it a `SessionSocket` and feeds it frames.
 * Every outcome of bad input is an error answer (or, for the fatal ones, an answer plus a close), never a throw;
 * a throw anyway (a bug) closes this socket alone with 1011 (`crash`).
 */
import { base64urlDecode, idFromPublicKey, verifySignature, type NodeId } from '../src/identity/keys';
import {
  CLOSE_CODES,
  LEASE_EXPIRED_REASON,
  decodeClientMessage,
  encodeServerMessage,
  errorMessage,
  helloSigningInput,
  type ClientMessage,
  type ServerMessage,
  type SignalErrorCode,
} from './protocol';
import type { WelcomeIce } from '../src/signaling/protocol';
import { createTokenBucket, type RateLimitOptions } from '../src/util/token-bucket';
import type { FairQueue } from './fair-queue';
import type { MemberRole, RoomRegistry } from './rooms';

/** What a session needs from its socket. */
export interface SessionSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued for this socket and not yet handed to the OS (ws `bufferedAmount`). */
  bufferedBytes(): number;
}

/** Settings and shared state of the server that every session uses. */
export interface SessionContext {
  rooms: RoomRegistry<Session>;
  introductions: number;
  maxFrameBytes: number;
  maxJsonDepth: number;
  /** A socket with more than this queued (it does not read) is closed with `slow-reader`. */
  maxBufferedBytesPerSocket: number;
  helloTimeoutMs: number;
  /** How long a guest (a member outside the introducer pool) may stay connected before it is closed. */
  guestLeaseMs: number;
  rateLimit: RateLimitOptions;
  /** Refused messages tolerated before the socket is closed with `rate-limited`. */
  maxRateViolations: number;
  /** Where hello signatures are checked: a few at a time, addresses taking turns. */
  verifyQueue: FairQueue;
  nowMs: () => number;
  randomNonce: () => string;
  log: (event: string, details?: Record<string, unknown>) => void;
  /** The ICE configuration to hand a member in its welcome (none when absent or undefined). */
  iceFor?: (id: NodeId) => WelcomeIce | undefined;
  /** Called once per signal relayed to another member (for traffic counters). */
  onRelayed?: () => void;
  /**
   * Called once per text frame received from a client (`in`) and per frame sent to one (`out`), and per `peers`
   * request answered: the traffic counters a bench reads to tell a room at rest (pings and pongs are not frames).
   */
  onFrame?: (what: 'in' | 'out' | 'peers') => void;
}

/** The server's handle on one connection. */
export interface Session {
  /** Node id once joined. */
  readonly id: NodeId | undefined;
  /** Sends an already encoded frame to this client (or closes it with `slow-reader` if it does not read). */
  deliver(text: string): void;
  /** Feeds one received frame. */
  handleFrame(text: string | null): void;
  /** Charges a received control frame (ping, pong) to the rate limit. */
  handleControlFrame(): void;
  /** Must be called once when the socket closes. */
  handleClose(): void;
  /** The room changed this member's role: tells the client; a guest gets a fresh lease, an introducer none. */
  roleChanged(role: MemberRole): void;
  /** Closes with `code` (no answer first): for limits enforced outside the session, such as unfinished messages. */
  close(code: number, reason: string): void;
  /** Last resort after an unexpected throw while handling this socket: logs, leaves, closes with 1011. */
  crash(error: unknown): void;
}

type State =
  | { kind: 'awaiting-hello' }
  | { kind: 'verifying' }
  | { kind: 'joined'; room: string; id: NodeId }
  | { kind: 'closed' };

const FATAL_CLOSE: Partial<Record<SignalErrorCode, number>> = {
  'bad-signature': CLOSE_CODES.badSignature,
  'id-in-use': CLOSE_CODES.idInUse,
  'room-full': CLOSE_CODES.roomFull,
  'server-full': CLOSE_CODES.serverFull,
  'rate-limited': CLOSE_CODES.rateLimited,
  'address-limit': CLOSE_CODES.addressLimit,
};

/** Starts a session for a client counted under `address`: sends the challenge and arms the hello timer. */
export function createSession(socket: SessionSocket, ctx: SessionContext, address: string): Session {
  const nonce = ctx.randomNonce();
  const bucket = createTokenBucket(ctx.rateLimit, ctx.nowMs);
  let state: State = { kind: 'awaiting-hello' };
  let rateViolations = 0;
  let leaseTimer: ReturnType<typeof setTimeout> | undefined;
  const helloTimer = setTimeout(
    guarded(() => {
      if (state.kind === 'awaiting-hello' || state.kind === 'verifying') close(CLOSE_CODES.helloTimeout, 'hello-timeout');
    }),
    ctx.helloTimeoutMs,
  );

  /** Wraps a timer callback: a throw inside it closes this socket (1011), never the process. */
  function guarded(fn: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (error) {
        session.crash(error);
      }
    };
  }

  function send(message: ServerMessage): void {
    session.deliver(encodeServerMessage(message));
  }

  function close(code: number, reason: string): void {
    if (state.kind === 'closed') return;
    const wasJoined = state;
    state = { kind: 'closed' };
    leave(wasJoined);
    socket.close(code, reason);
  }

  function leave(was: State): void {
    clearTimeout(helloTimer);
    clearTimeout(leaseTimer);
    // Our leaving may free an introducer slot; the room tells the guest that takes it (roleChanged).
    if (was.kind === 'joined') ctx.rooms.leave(was.room, was.id, session);
  }

  function startLease(room: string, id: NodeId): void {
    clearTimeout(leaseTimer);
    leaseTimer = setTimeout(
      guarded(() => {
        ctx.log('lease-expired', { room, id });
        close(CLOSE_CODES.leaseExpired, LEASE_EXPIRED_REASON);
      }),
      ctx.guestLeaseMs,
    );
  }

  /** Answers an error; the fatal codes also close the socket with their close code. */
  function fail(code: SignalErrorCode, message: string, to?: NodeId): void {
    send(errorMessage(code, message, to));
    const closeCode = FATAL_CLOSE[code];
    if (closeCode !== undefined) close(closeCode, code);
  }

  async function hello(message: Extract<ClientMessage, { t: 'hello' }>): Promise<void> {
    state = { kind: 'verifying' };
    const key = base64urlDecode(message.key);
    const sig = base64urlDecode(message.sig);
    if (!key || !sig) {
      state = { kind: 'awaiting-hello' };
      return fail('bad-message', 'key or sig is not canonical base64url');
    }
    // A join that would be refused anyway costs no signature check (a client churning refused joins would
    // otherwise spend the server's crypto); the check is repeated at the join, after the await.
    const refused = ctx.rooms.refusal(message.room, address);
    if (refused !== undefined) return fail(refused, joinFailureText(refused));
    const id = await ctx.verifyQueue.run(address, async () => {
      // Closed (or timed out) while waiting for its turn: the check is not worth doing any more.
      if (state.kind !== 'verifying') return '';
      const valid = await verifySignature(key, sig, helloSigningInput(message.room, nonce));
      return valid ? await idFromPublicKey(key) : '';
    });
    // The socket may have closed (or timed out) while we were verifying.
    if (state.kind !== 'verifying') return;
    if (id === '') return fail('bad-signature', 'signature does not match key, room and challenge');
    const joined = ctx.rooms.join(message.room, id, session, address);
    if (joined !== 'introducer' && joined !== 'guest') return fail(joined, joinFailureText(joined));
    clearTimeout(helloTimer);
    state = { kind: 'joined', room: message.room, id };
    if (joined === 'guest') startLease(message.room, id);
    ctx.log('join', { room: message.room, id, role: joined });
    const peers = ctx.rooms.introduce(message.room, id, ctx.introductions);
    const ice = ctx.iceFor?.(id);
    send({ v: 1, t: 'welcome', id, peers, introducer: joined === 'introducer', ...(ice !== undefined ? { ice } : {}) });
  }

  function relay(joined: Extract<State, { kind: 'joined' }>, to: NodeId, data: unknown): void {
    const target = ctx.rooms.get(joined.room, to);
    if (!target || to === joined.id) return fail('unknown-peer', 'no such peer in this room', to);
    const frame = encodeServerMessage({ v: 1, t: 'signal', from: joined.id, data });
    // The relayed frame can be a few bytes longer than the received one; the receiver's limit must hold too.
    if (Buffer.byteLength(frame) > ctx.maxFrameBytes) return fail('too-large', 'relayed frame would exceed the limit', to);
    target.deliver(frame);
    ctx.onRelayed?.();
  }

  function dispatch(message: ClientMessage): void {
    switch (message.t) {
      case 'hello':
        if (state.kind !== 'awaiting-hello') return fail('already-joined', 'hello was already received');
        void hello(message).catch((error: unknown) => session.crash(error));
        return;
      case 'signal':
        if (state.kind !== 'joined') return fail('not-joined', 'send hello first');
        return relay(state, message.to, message.data);
      case 'peers':
        if (state.kind !== 'joined') return fail('not-joined', 'send hello first');
        ctx.onFrame?.('peers');
        send({ v: 1, t: 'peers', peers: ctx.rooms.introduce(state.room, state.id, ctx.introductions) });
        return;
    }
  }

  /** Takes a token; false (and, past the tolerance, a close) when the client is over its rate. */
  function withinRate(): boolean {
    if (bucket.take()) return true;
    rateViolations++;
    if (rateViolations > ctx.maxRateViolations) fail('rate-limited', 'too many messages; closing');
    else send(errorMessage('rate-limited', 'too many messages; message dropped'));
    return false;
  }

  const session: Session = {
    get id() {
      return state.kind === 'joined' ? state.id : undefined;
    },
    deliver(text) {
      if (state.kind === 'closed') return;
      // A client that does not read would make us queue without bound: past the limit it is dropped. The close
      // frame waits behind the queue, so it reaches a client that is slow but reading; the others are cut.
      if (socket.bufferedBytes() + Buffer.byteLength(text) > ctx.maxBufferedBytesPerSocket) {
        ctx.log('slow-reader', { id: session.id, buffered: socket.bufferedBytes() });
        return close(CLOSE_CODES.slowReader, 'slow-reader');
      }
      // Caught here, not by the caller's guard: a failure to deliver is this socket's, not the relaying sender's.
      try {
        socket.send(text);
        ctx.onFrame?.('out');
      } catch (error) {
        session.crash(error);
      }
    },
    handleFrame(text) {
      if (state.kind === 'closed') return;
      ctx.onFrame?.('in');
      if (!withinRate()) return;
      if (text === null) return fail('bad-message', 'binary frames are not accepted');
      const decoded = decodeClientMessage(text, ctx.maxJsonDepth);
      if (!decoded.ok) return fail(decoded.code, decoded.message);
      dispatch(decoded.message);
    },
    handleControlFrame() {
      if (state.kind !== 'closed') withinRate();
    },
    handleClose() {
      if (state.kind === 'joined') ctx.log('leave', { room: state.room, id: state.id });
      const was = state;
      state = { kind: 'closed' };
      leave(was);
    },
    roleChanged(role) {
      if (state.kind !== 'joined') return;
      ctx.log(role === 'introducer' ? 'promote' : 'demote', { room: state.room, id: state.id });
      if (role === 'introducer') {
        clearTimeout(leaseTimer);
        leaseTimer = undefined;
      } else {
        startLease(state.room, state.id);
      }
      send({ v: 1, t: 'role', introducer: role === 'introducer' });
    },
    close,
    crash(error) {
      ctx.log('internal-error', { error: String(error).slice(0, 200) });
      const was = state;
      state = { kind: 'closed' };
      // Nothing may escape the last resort: a second failure is logged, and the socket is closed regardless.
      try {
        leave(was);
      } catch (second) {
        ctx.log('internal-error', { error: String(second).slice(0, 200) });
      }
      try {
        socket.close(CLOSE_CODES.internalError, 'internal-error');
      } catch {
        // The socket is already gone; nothing left to release.
      }
    },
  };

  send({ v: 1, t: 'challenge', nonce });
  return session;
}

function joinFailureText(code: 'id-in-use' | 'room-full' | 'server-full' | 'address-limit'): string {
  switch (code) {
    case 'id-in-use':
      return 'this id is already connected in the room';
    case 'room-full':
      return 'the room has reached its member cap';
    case 'server-full':
      return 'the server has reached its room cap';
    case 'address-limit':
      return 'your address is in as many rooms as one address may be';
  }
}
