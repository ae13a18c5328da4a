/**
 * The Origin check of the upgrade, which protects browsers from cross-site WebSocket hijacking: a browser always
 * sends `Origin` on a WebSocket upgrade, so an allow-list keeps other sites' pages out. A client without an Origin
 * header is not a browser (a Node peer, a script); it cannot be driven by another site, and the server admits it by
 * its key proof like everyone else. A well-formed Origin outside the list is told so on an open socket (browsers do
 * not let a page read an HTTP 403 at upgrade, so a 403 would look like an unreachable server); a malformed one gets
 * the 403 (nothing legitimate sends it, and it deserves no socket).
 */

/** What the upgrade does with a request's Origin. */
export type OriginVerdict = 'allow' | 'refuse-on-socket' | 'refuse-http';

/** Longest Origin treated as well-formed: a 253-character host name, scheme and port fit well within it. */
export const MAX_ORIGIN_CHARS = 300;

/**
 * True for an Origin header as a browser serialises it: `scheme://host[:port]` (exactly what `URL.origin` gives
 * back), or `null` (sandboxed frames, `file:` pages).
 */
export function isWellFormedOrigin(origin: string): boolean {
  if (origin === 'null') return true;
  if (origin.length > MAX_ORIGIN_CHARS) return false;
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

/**
 * Decides on one upgrade. `allowed` undefined: every Origin is allowed. A missing Origin is always allowed
 * (not a browser: see the file comment).
 */
export function checkOrigin(origin: string | undefined, allowed: ReadonlySet<string> | undefined): OriginVerdict {
  if (origin === undefined || allowed === undefined || allowed.has(origin)) return 'allow';
  return isWellFormedOrigin(origin) ? 'refuse-on-socket' : 'refuse-http';
}
