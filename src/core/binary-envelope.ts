/**
 * The binary form of the frame envelope (`envelope.ts` is the text form), for frames that carry raw bytes so that
 * payloads cross the mesh without base64. Layout, big-endian:
 *
 *   byte 0      kind, the ASCII code of a `FrameKind` (`r` = 0x72); only kinds with a binary form are accepted
 *   bytes 1–2   that kind's protocol version (the same number space as the text envelope's `v`)
 *   bytes 3–4   header length H in bytes (≤ `MAX_BINARY_HEADER_BYTES`)
 *   bytes 5…    H bytes of UTF-8 JSON: the kind's header (routing fields, trace), validated by its protocol
 *   the rest    the payload bytes, untouched
 *
 * The data channel tells text and binary frames apart (string vs. bytes), so one decoder can dispatch on both
 * without a magic number; the kind byte then picks the protocol exactly as `k` does in the text form, and each
 * kind's version moves on its own. Opening never throws.
 */
import type { FrameKind } from './envelope';

/** Bytes before the header: kind (1), version (2), header length (2). */
export const BINARY_PREFIX_BYTES = 5;

/** Largest header; a routing header with a full 16-hop trace needs about 0.6 KiB. */
export const MAX_BINARY_HEADER_BYTES = 4_096;

/** Kinds that have a binary form: routing only (membership messages stay text). */
const BINARY_KINDS: ReadonlyMap<number, FrameKind> = new Map([[0x72, 'r']]);

/** Why a binary frame was refused before any protocol looked at it. */
export type BinaryEnvelopeError = 'too-large' | 'bad-binary' | 'bad-json' | 'unknown-kind';

/** An opened binary frame: kind, version, the header still to be validated, and the payload bytes. */
export type OpenedBinaryFrame =
  | { ok: true; kind: FrameKind; version: number; header: unknown; payload: Uint8Array }
  | { ok: false; error: BinaryEnvelopeError };

/** Builds one binary frame. `headerJson` is valid JSON from the kind's encoder; the caller keeps sizes in bounds. */
export function wrapBinaryFrame(kind: FrameKind, version: number, headerJson: string, payload: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(headerJson);
  const frame = new Uint8Array(BINARY_PREFIX_BYTES + header.length + payload.length);
  frame[0] = kind.charCodeAt(0);
  frame[1] = (version >>> 8) & 0xff;
  frame[2] = version & 0xff;
  frame[3] = (header.length >>> 8) & 0xff;
  frame[4] = header.length & 0xff;
  frame.set(header, BINARY_PREFIX_BYTES);
  frame.set(payload, BINARY_PREFIX_BYTES + header.length);
  return frame;
}

/** Checks the size and prefix, parses the header once. The payload is a view into `frame` (no copy). Never throws. */
export function openBinaryFrame(frame: Uint8Array, maxBytes: number): OpenedBinaryFrame {
  if (frame.length > maxBytes) return { ok: false, error: 'too-large' };
  if (frame.length < BINARY_PREFIX_BYTES) return { ok: false, error: 'bad-binary' };
  const kind = BINARY_KINDS.get(frame[0] ?? 0);
  if (kind === undefined) return { ok: false, error: 'unknown-kind' };
  const version = ((frame[1] ?? 0) << 8) | (frame[2] ?? 0);
  const headerBytes = ((frame[3] ?? 0) << 8) | (frame[4] ?? 0);
  if (headerBytes > MAX_BINARY_HEADER_BYTES || BINARY_PREFIX_BYTES + headerBytes > frame.length) return { ok: false, error: 'bad-binary' };
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(BINARY_PREFIX_BYTES, BINARY_PREFIX_BYTES + headerBytes));
    header = JSON.parse(text);
  } catch {
    return { ok: false, error: 'bad-json' };
  }
  return { ok: true, kind, version, header, payload: frame.subarray(BINARY_PREFIX_BYTES + headerBytes) };
}
