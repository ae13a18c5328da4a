/**
 * The one envelope every data-channel frame travels in: `{"k":<kind>,"v":<version>,"b":<body>}`. The kind says
 * which protocol the body belongs to (membership or routing), the version is that protocol's own, so either
 * protocol can move to a new version without the other noticing. A frame is parsed as JSON once, here; each
 * protocol's decoder then validates its body. Opening never throws.
 */

/** Which protocol a frame's body belongs to: `m` membership (`core/wire.ts`), `r` routing (`routing/route-wire.ts`). */
export type FrameKind = 'm' | 'r';

const KINDS: ReadonlySet<string> = new Set<FrameKind>(['m', 'r']);

/** Largest version number a frame may carry (any protocol); keeps the field a small integer. */
export const MAX_FRAME_VERSION = 65_535;

/** Why a frame was refused before any protocol looked at its body. */
export type EnvelopeError = 'not-text' | 'too-large' | 'bad-json' | 'bad-envelope' | 'unknown-kind';

/** An opened frame: its kind, the version of that kind's protocol, and the body still to be validated. */
export type OpenedFrame = { ok: true; kind: FrameKind; version: number; body: unknown } | { ok: false; error: EnvelopeError };

/**
 * Wraps a body, already encoded as JSON text, in the envelope. String concatenation rather than a second
 * `JSON.stringify`: the body's encoder has produced valid JSON, and its size arithmetic stays exact.
 */
export function wrapFrame(kind: FrameKind, version: number, bodyJson: string): string {
  return `{"k":"${kind}","v":${version},"b":${bodyJson}}`;
}

/** Bytes the envelope adds around a body (ASCII, so characters are bytes). */
export function envelopeOverheadBytes(kind: FrameKind, version: number): number {
  return wrapFrame(kind, version, '').length;
}

function exceedsUtf8Bytes(text: string, maxBytes: number): boolean {
  // Cheap bounds first (a UTF-16 code unit is 1–3 UTF-8 bytes): most frames are far below the cap.
  if (text.length * 3 <= maxBytes) return false;
  if (text.length > maxBytes) return true;
  return new TextEncoder().encode(text).length > maxBytes;
}

/** Checks the size, parses once and validates the envelope of one inbound frame. Never throws. */
export function openFrame(frame: unknown, maxBytes: number): OpenedFrame {
  if (typeof frame !== 'string') return { ok: false, error: 'not-text' };
  if (exceedsUtf8Bytes(frame, maxBytes)) return { ok: false, error: 'too-large' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return { ok: false, error: 'bad-json' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: 'bad-envelope' };
  const record = parsed as Record<string, unknown>;
  const { k: kind, v: version } = record;
  if (typeof kind !== 'string' || !Object.hasOwn(record, 'b')) return { ok: false, error: 'bad-envelope' };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0 || version > MAX_FRAME_VERSION) {
    return { ok: false, error: 'bad-envelope' };
  }
  if (!KINDS.has(kind)) return { ok: false, error: 'unknown-kind' };
  return { ok: true, kind: kind as FrameKind, version, body: record['b'] };
}
