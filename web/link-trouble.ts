/**
 * The note shown when links to some peers could not be made (ICE found no working path or the attempt timed out).
 * Behind real NATs the usual cause is a missing TURN server, so the note says whether one is configured: without
 * one, a peer behind a symmetric NAT or a UDP-blocking firewall can never be reached.
 */

/** What the page and the widget show about failed links ('' when there is nothing to say). */
export function linkTroubleText(unreachablePeers: number, turnConfigured: boolean): string {
  if (!Number.isInteger(unreachablePeers) || unreachablePeers <= 0) return '';
  const peers = unreachablePeers === 1 ? '1 peer' : `${unreachablePeers} peers`;
  return turnConfigured
    ? `Could not connect to ${peers}, not even through the TURN server: a firewall may block it, or it refused its credentials.`
    : `Could not connect to ${peers} directly: no TURN server is configured, and your network (or theirs) may need one (see the ice setting).`;
}
