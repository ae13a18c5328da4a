/** base64url without padding (RFC 4648 §5), strict on input: the one copy, for IDs, keys, signatures and payloads. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** Encodes bytes as base64url without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += char(n >> 18) + char(n >> 12) + char(n >> 6) + char(n);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += char(n >> 18) + char(n >> 12);
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += char(n >> 18) + char(n >> 12) + char(n >> 6);
  }
  return out;
}

function char(sextet: number): string {
  return ALPHABET.charAt(sextet & 63);
}

/**
 * Decodes base64url without padding. Returns `null` for anything that is not canonical base64url: other
 * characters, padding, an impossible length (4k+1), or non-zero trailing bits.
 */
export function base64urlDecode(text: string): Uint8Array | null {
  if (typeof text !== 'string' || !BASE64URL_PATTERN.test(text) || text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    buffer = ((buffer << 6) | ALPHABET.indexOf(text.charAt(i))) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  // Canonical form only: leftover bits must be zero, so every byte string has exactly one encoding.
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

