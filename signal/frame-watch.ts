/**
 * Watches the raw bytes a client sends, beside `ws`, to tell when a message is unfinished: a frame whose header
 * or payload has only partly arrived, or a fragmented message whose final fragment has not. `ws` has no time-out
 * for either, and pings answered between fragments keep the heartbeat happy, so a trickled message could hold
 * its buffers for ever. Only frame headers are read (RFC 6455 §5.2); payloads are skipped, never copied.
 */

/** Tracks one connection's client-to-server byte stream. */
export interface FrameWatch {
  /** Feeds the next chunk of the stream. */
  feed(chunk: Uint8Array): void;
  /** True while a message is unfinished (a frame partly received, or fragments without the final one). */
  unfinished(): boolean;
}

/** Longest frame header: 2 bytes, 8 of extended length, 4 of mask. */
const MAX_HEADER_BYTES = 14;

/** Creates a watch at a frame boundary (the first byte after the upgrade request). */
export function createFrameWatch(): FrameWatch {
  const header = new Uint8Array(MAX_HEADER_BYTES);
  let headerBytes = 0;
  /** Payload bytes of the current frame still to come; -1 while its header is incomplete. */
  let payloadLeft = -1;
  let fragmentedMessageOpen = false;
  let currentIsFinalDataFrame = false;
  let currentIsControl = false;

  /** Header length once the first two bytes are known. */
  function headerLength(): number {
    const len7 = (header[1] ?? 0) & 0x7f;
    const masked = ((header[1] ?? 0) & 0x80) !== 0;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  }

  function payloadLength(): number {
    const len7 = (header[1] ?? 0) & 0x7f;
    if (len7 === 126) return ((header[2] ?? 0) << 8) | (header[3] ?? 0);
    if (len7 === 127) {
      let n = 0;
      // Past 2^53 the number is inexact, but ws closes such a frame (1009) long before it matters here.
      for (let i = 2; i < 10; i++) n = n * 256 + (header[i] ?? 0);
      return n;
    }
    return len7;
  }

  function headerComplete(): void {
    const fin = ((header[0] ?? 0) & 0x80) !== 0;
    const opcode = (header[0] ?? 0) & 0x0f;
    currentIsControl = opcode >= 0x8;
    currentIsFinalDataFrame = !currentIsControl && fin;
    // A data frame without FIN opens a fragmented message; control frames may come in between.
    if (!currentIsControl && !fin) fragmentedMessageOpen = true;
    payloadLeft = payloadLength();
  }

  function frameComplete(): void {
    if (currentIsFinalDataFrame) fragmentedMessageOpen = false;
    headerBytes = 0;
    payloadLeft = -1;
  }

  return {
    feed(chunk) {
      let i = 0;
      while (i < chunk.length) {
        if (payloadLeft < 0) {
          header[headerBytes++] = chunk[i++] ?? 0;
          if (headerBytes >= 2 && headerBytes === headerLength()) {
            headerComplete();
            if (payloadLeft === 0) frameComplete();
          }
          continue;
        }
        const take = Math.min(payloadLeft, chunk.length - i);
        payloadLeft -= take;
        i += take;
        if (payloadLeft === 0) frameComplete();
      }
    },
    unfinished() {
      return fragmentedMessageOpen || headerBytes > 0;
    },
  };
}
