/** The shareable room link: this page's address with only the room and the signaling server in it. */

/**
 * The link to join `room`: the page's origin and path, `room`, and `signal` when the page was given one (interval
 * overrides are for tests and are left out).
 */
export function roomLink(pageUrl: string, room: string, signalParam: string | null): string {
  const url = new URL(pageUrl);
  url.hash = '';
  url.search = '';
  url.searchParams.set('room', room);
  if (signalParam !== null) url.searchParams.set('signal', signalParam);
  return url.toString();
}
