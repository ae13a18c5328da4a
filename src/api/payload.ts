/**
 * What the API's `send`/`broadcast` carry: strings, JSON values and bytes. The mesh carries strings, so each
 * payload is encoded as one: a plain string as itself (so the page's composer and the API read each other), a
 * JSON value or bytes behind a one-character tag after U+0001 (`j` JSON, `b` base64url bytes, `s` a string that
 * itself starts with U+0001). Binary frames on the wire are future work: bytes cost a third more than raw.
 */
import { base64urlDecode, base64urlEncode } from '../util/base64url';

/** A JSON value: what `JSON.stringify` keeps exactly (finite numbers, no `undefined`, no functions). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a message carries: a string, any other JSON value, or bytes. */
export type MeshData = JsonValue | Uint8Array;

/** Nesting deeper than this is refused on both sides (a hostile payload must not exhaust the stack). */
export const MAX_PAYLOAD_DEPTH = 64;

const TAG = '\u0001';

/** Encodes `data` for the wire; `null` when it is not a string, a JSON value or a `Uint8Array`. */
export function encodePayload(data: unknown): string | null {
  if (typeof data === 'string') return data.startsWith(TAG) ? `${TAG}s${data}` : data;
  if (data instanceof Uint8Array) return `${TAG}b${base64urlEncode(data)}`;
  if (!isJsonValue(data, 0)) return null;
  return `${TAG}j${JSON.stringify(data)}`;
}

/** A decoded payload, or why it was refused (`null` is a fine JSON payload, so failure is its own case). */
export type DecodedPayload = { ok: true; data: MeshData } | { ok: false; reason: 'unknown-tag' | 'bad-bytes' | 'bad-json' };

/** Decodes a received string: an untagged string is itself; a tag this version does not know, or a bad body, fails. */
export function decodePayload(text: string): DecodedPayload {
  if (!text.startsWith(TAG)) return { ok: true, data: text };
  const body = text.slice(2);
  switch (text[1]) {
    case 's':
      return { ok: true, data: body };
    case 'b': {
      const bytes = base64urlDecode(body);
      return bytes === null ? { ok: false, reason: 'bad-bytes' } : { ok: true, data: bytes };
    }
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
