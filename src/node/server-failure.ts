/**
 * How the driver words a failed attempt at the signaling server in its state detail. Most failures are "server
 * unreachable" (the node retries with back-off); a refused Origin is not: the server is there and said no, and
 * retrying will not change that until its allow-list does, so it gets words of its own (the page shows them).
 */

/** Detail prefix of a server that could not be reached: `signaling server unreachable: <code>`. */
export const SERVER_UNREACHABLE_DETAIL = 'signaling server unreachable';

/** Detail of a server that refused this page's Origin (signal close code 4011). */
export const ORIGIN_FORBIDDEN_DETAIL = "this page's origin is not allowed by the signaling server";

/** The state detail for an error of `join()` (a `SignalingError`, or anything thrown). */
export function serverFailureDetail(error: unknown): string {
  const code = errorCode(error);
  if (code === 'origin-forbidden') return `${ORIGIN_FORBIDDEN_DETAIL} (origin-forbidden)`;
  return `${SERVER_UNREACHABLE_DETAIL}: ${code ?? (error instanceof Error ? error.message : String(error))}`;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) return String((error as { code: unknown }).code);
  return undefined;
}
