/** Text formatting shared by the page and the widget: short IDs, relative times, durations, round trips. */

/** Length of the ID prefix shown (the full ID goes into a tooltip or an accessible name). */
export const SHORT_ID_CHARS = 10;

/** Short form of an ID for display. */
export function shortId(id: string): string {
  return id.length > SHORT_ID_CHARS ? `${id.slice(0, SHORT_ID_CHARS)}…` : id;
}

/** "now", "12 s ago", "3 min ago", "2 h ago" (a time in the future, from clock skew, reads "now"). */
export function relativeTime(thenMs: number, nowMs: number): string {
  const sec = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (sec < 1) return 'now';
  if (sec < 60) return `${sec} s ago`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ago`;
  return `${Math.floor(sec / 3600)} h ago`;
}

/** A duration as "42 s", "3 min 5 s", "2 h 7 min" (uptime). */
export function durationText(durationMs: number): string {
  const sec = Math.max(0, Math.floor(durationMs / 1000));
  if (sec < 60) return `${sec} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min ${sec % 60} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** A round trip or a hop count for a table cell: "–" when unknown. */
export function rttText(rttMs: number | null): string {
  return rttMs === null ? '–' : `${Math.round(rttMs)} ms`;
}

/** A hop count for a table cell: "–" when unknown. */
export function hopsText(hops: number | null): string {
  return hops === null ? '–' : String(hops);
}

/** A trace as "AbCdEfGhIj… → KlMnOpQrSt…". */
export function traceText(trace: readonly string[]): string {
  return trace.map(shortId).join(' → ');
}

/** "1 member", "3 members": the mesh's size, this node included, for `others` other members. */
export function memberTotalText(others: number): string {
  return others === 0 ? '1 member' : `${others + 1} members`;
}

/** "you, nobody else yet", "you and 1 other", "you and 2 others": who the members are. */
export function membersWhoText(others: number): string {
  return others === 0 ? 'you, nobody else yet' : `you and ${others} ${others === 1 ? 'other' : 'others'}`;
}
