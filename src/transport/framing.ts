/**
 * Framing rules for link messages: text or bytes, at most 16 KiB (UTF-8 for text) per frame (the size that works
 * across browsers and WebRTC stacks). The key-proof handshake before a link opens is text only.
 */
import type { InboundDropReason } from './types';

/** Largest message, in UTF-8 bytes, a link sends or accepts. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * UTF-8 byte length of a string without allocating; stops counting once `limitBytes` is exceeded
 * (returns a value > limitBytes then), so an oversized input costs O(limit), not O(length).
 */
export function utf8ByteLength(text: string, limitBytes = Number.POSITIVE_INFINITY): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3; // lone surrogate: encoded as U+FFFD (3 bytes)
    } else bytes += 3;
    if (bytes > limitBytes) return bytes;
  }
  return bytes;
}

/** True when `text` fits in one frame. */
export function fitsInFrame(text: string, maxBytes = MAX_MESSAGE_BYTES): boolean {
  // Each UTF-16 unit is at least 1 UTF-8 byte: longer strings cannot fit.
  if (text.length > maxBytes) return false;
  return utf8ByteLength(text, maxBytes) <= maxBytes;
}

/** Outcome of checking an inbound frame. */
export type InboundFrame = { ok: true; text: string } | { ok: false; reason: InboundDropReason };

/** Accepts only string frames of at most `maxBytes`; anything else is a drop with a reason (the handshake's rule). */
export function classifyInbound(data: unknown, maxBytes = MAX_MESSAGE_BYTES): InboundFrame {
  if (typeof data !== 'string') return { ok: false, reason: 'binary' };
  if (!fitsInFrame(data, maxBytes)) return { ok: false, reason: 'too-large' };
  return { ok: true, text: data };
}

/** A frame as a link hands it on: text, or bytes as a plain `Uint8Array` of its own. */
export type LinkFrame = string | Uint8Array;

/** Outcome of checking an inbound frame of an open link. */
export type InboundLinkFrame = { ok: true; frame: LinkFrame } | { ok: false; reason: InboundDropReason };

/**
 * Accepts a string or bytes of at most `maxBytes`. Stacks hand binary messages over differently (simple-peer gives a
 * Node `Buffer` or, in browsers, its polyfill — both `Uint8Array` subclasses, possibly views into a shared pool — a
 * raw channel an `ArrayBuffer`): each becomes a copied plain `Uint8Array`, so nothing downstream sees the pool.
 * Anything else (a Blob, a number) is dropped as `binary`.
 */
export function classifyLinkInbound(data: unknown, maxBytes = MAX_MESSAGE_BYTES): InboundLinkFrame {
  if (typeof data === 'string') return fitsInFrame(data, maxBytes) ? { ok: true, frame: data } : { ok: false, reason: 'too-large' };
  let bytes: Uint8Array;
  if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else return { ok: false, reason: 'binary' };
  if (bytes.byteLength > maxBytes) return { ok: false, reason: 'too-large' };
  return { ok: true, frame: bytes.slice() };
}

/** Bytes a frame takes on the channel. */
export function linkFrameBytes(frame: LinkFrame): number {
  return typeof frame === 'string' ? utf8ByteLength(frame) : frame.byteLength;
}
