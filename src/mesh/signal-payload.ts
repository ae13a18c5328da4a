/**
 * What two drivers say to each other while setting up a link, whichever way it travels (the server, a sibling
 * tab's BroadcastChannel, or sealed through the mesh). Parsing never throws: anything else is `null`.
 */

/**
 * Signaling payload between two drivers: WebRTC data, a request that the other side make the offer, or a refusal
 * (no room for another link) so the dialer gives up at once instead of waiting for its connect time-out.
 */
export type SignalPayload = { k: 'rtc'; s: unknown } | { k: 'dial' } | { k: 'busy' };

/** The payload in `data`, or null when it is none of the three. */
export function parseSignalPayload(data: unknown): SignalPayload | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const record = data as Record<string, unknown>;
  if (record['k'] === 'dial') return { k: 'dial' };
  if (record['k'] === 'busy') return { k: 'busy' };
  if (record['k'] === 'rtc' && 's' in record) return { k: 'rtc', s: record['s'] };
  return null;
}

/** An offer or a request to make one: what opens a new link (a node with no room answers `busy`). */
export function isOpeningMove(payload: SignalPayload): boolean {
  if (payload.k === 'dial') return true;
  if (payload.k !== 'rtc' || typeof payload.s !== 'object' || payload.s === null) return false;
  return (payload.s as { type?: unknown }).type === 'offer';
}
