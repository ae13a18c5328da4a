/**
 * What the API's `send`/`broadcast` carry: strings, JSON values and bytes. The mesh carries strings and bytes
 * (bytes raw, in binary frames: `routing/fragments.ts`), so bytes pass through untouched and arrive as bytes; a
 * plain string travels as itself (so the page's composer and the API read each other), a JSON value behind a
 * one-character tag after U+0001 (`j` JSON, `s` a string that itself starts with U+0001).
 */

/** A JSON value: what `JSON.stringify` keeps exactly (finite numbers, no `undefined`, no functions). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a message carries: a string, any other JSON value, or bytes. */
export type MeshData = JsonValue | Uint8Array;

/** Nesting deeper than this is refused on both sides (a hostile payload must not exhaust the stack). */
export const MAX_PAYLOAD_DEPTH = 64;

const TAG = '\u0001';

/** Encodes `data` for the mesh; `null` when it is not a string, a JSON value or a `Uint8Array`. */
export function encodePayload(data: unknown): string | Uint8Array | null {
  if (typeof data === 'string') return data.startsWith(TAG) ? `${TAG}s${data}` : data;
  if (data instanceof Uint8Array) return data;
  if (!isJsonValue(data, 0)) return null;
  return `${TAG}j${JSON.stringify(data)}`;
}

/** A decoded payload, or why it was refused (`null` is a fine JSON payload, so failure is its own case). */
export type DecodedPayload = { ok: true; data: MeshData } | { ok: false; reason: 'unknown-tag' | 'bad-json' };

/**
 * Decodes a received payload: bytes are themselves, an untagged string is itself; a tag this version does not know
 * (`b`, the base64url bytes of versions before binary frames, among them), or a bad body, fails.
 */
export function decodePayload(received: string | Uint8Array): DecodedPayload {
  if (typeof received !== 'string') return { ok: true, data: received };
  const text = received;
  if (!text.startsWith(TAG)) return { ok: true, data: text };
  const body = text.slice(2);
  switch (text[1]) {
    case 's':
      return { ok: true, data: body };
    case 'j':
      return parseJson(body);
    default:
      return { ok: false, reason: 'unknown-tag' };
  }
}

function parseJson(body: string): DecodedPayload {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'bad-json' };
  }
  // JSON.parse gives only JSON values, but their depth is still ours to bound.
  return isJsonValue(value, 0) ? { ok: true, data: value } : { ok: false, reason: 'bad-json' };
}

function isJsonValue(value: unknown, depth: number): value is JsonValue {
  if (depth > MAX_PAYLOAD_DEPTH) return false;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => isJsonValue(item, depth + 1));
}
