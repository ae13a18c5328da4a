/**
 * Wires one upgraded WebSocket to its `Session`: frames, control frames, close, the send-buffer check, the
 * unfinished-message time-out, and the last-resort guard. Every `ws` event handler runs inside `guard`, so a throw
 * (a bug) closes this socket alone with 1011 and is counted, and the process keeps serving everyone else.
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { createFrameWatch } from './frame-watch';
import { CLOSE_CODES } from './protocol';
import { createSession, type Session, type SessionContext } from './session';

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
  raw.on(
    'data',
    guard((chunk: Buffer) => {
      watch.feed(chunk);
      if (!watch.unfinished()) {
        clearTimeout(messageTimer);
        messageTimer = undefined;
      } else {
        messageTimer ??= setTimeout(
          guard(() => {
            ctx.log('message-timeout', { id: session.id });
            session.close(CLOSE_CODES.messageTimeout, 'message-timeout');
          }),
          options.messageTimeoutMs,
        );
      }
    }),
  );

  ws.on('error', (error) => ctx.log('socket-error', { error: error.message.slice(0, 200) }));
  ws.on('message', guard((data: RawData, isBinary: boolean) => session.handleFrame(isBinary ? null : rawToText(data))));
  // Control frames cost the server too (every ping is answered): they draw on the same rate limit.
  ws.on('ping', guard(() => session.handleControlFrame()));
  ws.on(
    'pong',
    guard(() => {
      connection.alive = true;
      session.handleControlFrame();
    }),
  );
  ws.on(
    'close',
    guard(() => {
      clearTimeout(messageTimer);
      options.onClosed(connection);
      session.handleClose();
    }),
  );
  return connection;
}

function rawToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
