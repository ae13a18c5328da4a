/**
 * Wires one upgraded WebSocket to its `Session`: frames, control frames, close, the send-buffer check, the
 * unfinished-message time-out, and the last-resort guard. Every `ws` event handler runs inside `guard`, so a throw
 * (a bug) closes this socket alone with 1011 and is counted, and the process keeps serving everyone else.
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { AddressBudget } from './address-budget';
import { createFrameWatch } from './frame-watch';
import { CLOSE_CODES } from './protocol';
import { createSession, type Session, type SessionContext } from './session';

/**
 * What every received message or control frame costs on top of its bytes, in the address's byte budget: a flood
 * of tiny frames costs the server per frame, not per byte (with the default budget, about 250 frames a second).
 */
const FRAME_COST_BYTES = 1024;

/** What the server keeps per open socket (for the heartbeat and `close()`). */
export interface Connection {
  ws: WebSocket;
  session: Session;
  /** Whether the client answered the last ping. */
  alive: boolean;
}

/** Settings of `attachConnection`. */
export interface ConnectionOptions {
  ctx: SessionContext;
  /** What the per-address limits count this client under. */
  address: string;
  /** How long a message may stay unfinished before 4010 `message-timeout`. */
  messageTimeoutMs: number;
  /** Bytes per second shared by all sockets of the address: past it, reading them pauses (back-pressure). */
  addressBytes: AddressBudget;
  /** Called once when the socket has closed. */
  onClosed(connection: Connection): void;
}

/** Creates the session for `ws` (its raw TCP socket is `raw`) and wires every event through the guard. */
export function attachConnection(ws: WebSocket, raw: Duplex, options: ConnectionOptions): Connection {
  const { ctx } = options;
  const session = createSession(
    {
      send: (text) => ws.send(text),
      close: (code, reason) => ws.close(code, reason),
      bufferedBytes: () => ws.bufferedAmount,
    },
    ctx,
    options.address,
  );
  const connection: Connection = { ws, session, alive: true };

  function guard<A extends unknown[]>(handler: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        handler(...args);
      } catch (error) {
        session.crash(error);
      }
    };
  }

  // ws has no time-out for a message begun and never finished (a slow frame, or fragments without the last one),
  // and the client's pongs keep the heartbeat content meanwhile; the watch reads the frame headers to tell.
  const watch = createFrameWatch();
  let messageTimer: ReturnType<typeof setTimeout> | undefined;
  let resumeTimer: ReturnType<typeof setTimeout> | undefined;
  const armMessageTimer = (): void => {
    if (!watch.unfinished()) {
      clearTimeout(messageTimer);
      messageTimer = undefined;
      return;
    }
    messageTimer ??= setTimeout(
      guard(() => {
        ctx.log('message-timeout', { id: session.id });
        session.close(CLOSE_CODES.messageTimeout, 'message-timeout');
      }),
      options.messageTimeoutMs,
    );
  };
  raw.on(
    'data',
    guard((chunk: Buffer) => {
      watch.feed(chunk);
      armMessageTimer();
    }),
  );

  /**
   * Charges a received message to the address's byte budget. In debt, this socket is not read until the debt is
   * paid: TCP pushes back on the client, and its bytes cost the server nothing meanwhile. The time paused is the
   * server's doing, so the unfinished-message clock starts again afterwards.
   */
  function charge(bytes: number): void {
    const waitMs = options.addressBytes.charge(options.address, bytes + FRAME_COST_BYTES);
    if (waitMs === 0 || resumeTimer !== undefined) return;
    ws.pause();
    clearTimeout(messageTimer);
    messageTimer = undefined;
    resumeTimer = setTimeout(
      guard(() => {
        resumeTimer = undefined;
        ws.resume();
        armMessageTimer();
      }),
      waitMs,
    );
  }

  ws.on('error', (error) => ctx.log('socket-error', { error: error.message.slice(0, 200) }));
  ws.on(
    'message',
    guard((data: RawData, isBinary: boolean) => {
      charge(rawLength(data));
      session.handleFrame(isBinary ? null : rawToText(data));
    }),
  );
  // Control frames cost the server too (every ping is answered): they draw on the same rate limit.
  ws.on(
    'ping',
    guard((data: Buffer) => {
      charge(data.length);
      session.handleControlFrame();
    }),
  );
  ws.on(
    'pong',
    guard((data: Buffer) => {
      connection.alive = true;
      charge(data.length);
      session.handleControlFrame();
    }),
  );
  ws.on(
    'close',
    guard(() => {
      clearTimeout(messageTimer);
      clearTimeout(resumeTimer);
      options.onClosed(connection);
      session.handleClose();
    }),
  );
  return connection;
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
