/**
 * One client connection of the signaling server, as a small state machine: `awaiting-hello` → `verifying` →
 * `joined` → `closed`. It knows nothing about `ws`; the server hands it a `SessionSocket` and feeds it frames.
 * Every outcome of bad input is an error answer (or, for the fatal ones, an answer plus a close), never a throw.
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
import { createTokenBucket, type RateLimitOptions } from '../src/util/token-bucket';
import type { RoomRegistry } from './rooms';

/** What a session needs from its socket. */
export interface SessionSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** Settings and shared state of the server that every session uses. */
export interface SessionContext {
  rooms: RoomRegistry<Session>;
  introductions: number;
  maxFrameBytes: number;
  helloTimeoutMs: number;
  /** How long a guest (a member outside the introducer pool) may stay connected before it is closed. */
  guestLeaseMs: number;
  rateLimit: RateLimitOptions;
  /** Refused messages tolerated before the socket is closed with `rate-limited`. */
  maxRateViolations: number;
  nowMs: () => number;
  randomNonce: () => string;
  log: (event: string, details?: Record<string, unknown>) => void;
  /** Called once per signal relayed to another member (for traffic counters). */
  onRelayed?: () => void;
}

/** The server's handle on one connection. */
export interface Session {
  /** Node id once joined. */
  readonly id: NodeId | undefined;
  /** Sends an already encoded frame to this client. */
  deliver(text: string): void;
  /** Feeds one received frame. */
  handleFrame(text: string | null): void;
  /** Must be called once when the socket closes. */
  handleClose(): void;
  /** Called by the room when this guest takes a free introducer slot: tells the client, cancels the lease. */
  promote(): void;
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
};

/** Starts a session: sends the challenge and arms the hello timer. */
export function createSession(socket: SessionSocket, ctx: SessionContext): Session {
  const nonce = ctx.randomNonce();
  const bucket = createTokenBucket(ctx.rateLimit, ctx.nowMs);
  let state: State = { kind: 'awaiting-hello' };
  let rateViolations = 0;
  let leaseTimer: ReturnType<typeof setTimeout> | undefined;
  const helloTimer = setTimeout(() => {
    if (state.kind === 'awaiting-hello' || state.kind === 'verifying') close(CLOSE_CODES.helloTimeout, 'hello-timeout');
  }, ctx.helloTimeoutMs);

  function send(message: ServerMessage): void {
    session.deliver(encodeServerMessage(message));
  }

  function close(code: number, reason: string): void {
    if (state.kind === 'closed') return;
    leave();
    state = { kind: 'closed' };
    socket.close(code, reason);
  }

  function leave(): void {
    clearTimeout(helloTimer);
    clearTimeout(leaseTimer);
    if (state.kind !== 'joined') return;
    // Our leaving may free an introducer slot; the guest that takes it must hear so (and lose its lease).
    ctx.rooms.leave(state.room, state.id, session)?.member.promote();
  }

  function startLease(room: string, id: NodeId): void {
    leaseTimer = setTimeout(() => {
      ctx.log('lease-expired', { room, id });
      close(CLOSE_CODES.leaseExpired, LEASE_EXPIRED_REASON);
    }, ctx.guestLeaseMs);
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
    const valid = await verifySignature(key, sig, helloSigningInput(message.room, nonce));
    const id = valid ? await idFromPublicKey(key) : '';
    // The socket may have closed (or timed out) while we were verifying.
    if (state.kind !== 'verifying') return;
    if (!valid) return fail('bad-signature', 'signature does not match key, room and challenge');
    const joined = ctx.rooms.join(message.room, id, session);
    if (joined !== 'introducer' && joined !== 'guest') return fail(joined, joinFailureText(joined));
    clearTimeout(helloTimer);
    state = { kind: 'joined', room: message.room, id };
    if (joined === 'guest') startLease(message.room, id);
    ctx.log('join', { room: message.room, id, role: joined });
    const peers = ctx.rooms.introduce(message.room, id, ctx.introductions);
    send({ v: 1, t: 'welcome', id, peers, introducer: joined === 'introducer' });
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
        void hello(message).catch((error: unknown) => {
          ctx.log('hello-failed', { error: String(error) });
          close(CLOSE_CODES.badSignature, 'bad-signature');
        });
        return;
      case 'signal':
        if (state.kind !== 'joined') return fail('not-joined', 'send hello first');
        return relay(state, message.to, message.data);
      case 'peers':
        if (state.kind !== 'joined') return fail('not-joined', 'send hello first');
        send({ v: 1, t: 'peers', peers: ctx.rooms.introduce(state.room, state.id, ctx.introductions) });
        return;
    }
  }

  const session: Session = {
    get id() {
      return state.kind === 'joined' ? state.id : undefined;
    },
    deliver(text) {
      if (state.kind === 'closed') return;
      try {
        socket.send(text);
      } catch (error) {
        ctx.log('send-failed', { error: String(error) });
      }
    },
    handleFrame(text) {
      if (state.kind === 'closed') return;
      if (!bucket.take()) {
        rateViolations++;
        if (rateViolations > ctx.maxRateViolations) return fail('rate-limited', 'too many messages; closing');
        return send(errorMessage('rate-limited', 'too many messages; message dropped'));
      }
      if (text === null) return fail('bad-message', 'binary frames are not accepted');
      const decoded = decodeClientMessage(text);
      if (!decoded.ok) return fail(decoded.code, decoded.message);
      dispatch(decoded.message);
    },
    handleClose() {
      if (state.kind === 'joined') ctx.log('leave', { room: state.room, id: state.id });
      leave();
      state = { kind: 'closed' };
    },
    promote() {
      if (state.kind !== 'joined') return;
      clearTimeout(leaseTimer);
      leaseTimer = undefined;
      ctx.log('promote', { room: state.room, id: state.id });
      send({ v: 1, t: 'role', introducer: true });
    },
  };

  send({ v: 1, t: 'challenge', nonce });
  return session;
}

function joinFailureText(code: 'id-in-use' | 'room-full' | 'server-full'): string {
  switch (code) {
    case 'id-in-use':
      return 'this id is already connected in the room';
    case 'room-full':
      return 'the room has reached its member cap';
    case 'server-full':
      return 'the server has reached its room cap';
  }
}
