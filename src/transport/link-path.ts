/**
 * The path a WebRTC link actually uses, read from its peer connection's `getStats()`: the selected candidate pair
 * and each end's candidate type (host, srflx, prflx, relay), transport protocol and, for a relay, how this end
 * reaches the TURN server. The stats report is outside input (browser and Node stacks differ): every field is
 * checked, and anything unexpected gives "no path" rather than a throw.
 */

/** One end of the selected candidate pair. */
export interface LinkPathEnd {
  /** `host`, `srflx`, `prflx` or `relay` (as the stack reports it). */
  candidateType: string;
  /** Transport of the candidate: `udp` or `tcp`. */
  protocol: string;
  /** A local relay candidate only: how this end talks to the TURN server (`udp`, `tcp`, `tls`). */
  relayProtocol?: string;
  address: string;
  port: number;
}

/** The selected candidate pair of a link. */
export interface LinkPath {
  local: LinkPathEnd;
  remote: LinkPathEnd;
}

/** The part of an RTCPeerConnection read here. */
interface StatsSource {
  getStats(): Promise<{ forEach(fn: (report: unknown) => void): void }>;
}

const MAX_TEXT = 256;

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, MAX_TEXT) : '';
}

function end(report: Record<string, unknown> | undefined): LinkPathEnd | undefined {
  if (report === undefined) return undefined;
  const candidateType = text(report['candidateType']);
  if (candidateType === '') return undefined;
  const port = typeof report['port'] === 'number' && Number.isInteger(report['port']) ? report['port'] : 0;
  const relayProtocol = text(report['relayProtocol']);
  return {
    candidateType,
    protocol: text(report['protocol']),
    ...(relayProtocol !== '' ? { relayProtocol } : {}),
    // Chromium names it `address`, older stacks `ip`.
    address: text(report['address']) || text(report['ip']),
    port,
  };
}

/** The selected pair of `pc` (an RTCPeerConnection or alike), or undefined when none is selected or readable. */
export async function readLinkPath(pc: unknown): Promise<LinkPath | undefined> {
  if (typeof pc !== 'object' || pc === null || typeof (pc as StatsSource).getStats !== 'function') return undefined;
  let reports: Map<string, Record<string, unknown>>;
  try {
    const stats = await (pc as StatsSource).getStats();
    reports = new Map();
    stats.forEach((report) => {
      if (typeof report === 'object' && report !== null && typeof (report as { id?: unknown }).id === 'string') {
        reports.set((report as { id: string }).id, report as Record<string, unknown>);
      }
    });
  } catch {
    return undefined; // a closed connection may refuse: no path to tell
  }
  const all = [...reports.values()];
  const transport = all.find((r) => r['type'] === 'transport' && typeof r['selectedCandidatePairId'] === 'string');
  // Without a transport report (some Node stacks), the pair flagged selected, or else the nominated succeeded one.
  const pair =
    (transport !== undefined ? reports.get(transport['selectedCandidatePairId'] as string) : undefined) ??
    all.find((r) => r['type'] === 'candidate-pair' && r['selected'] === true) ??
    all.find((r) => r['type'] === 'candidate-pair' && r['nominated'] === true && r['state'] === 'succeeded');
  if (pair === undefined) return undefined;
  const local = end(reports.get(text(pair['localCandidateId'])));
  const remote = end(reports.get(text(pair['remoteCandidateId'])));
  return local !== undefined && remote !== undefined ? { local, remote } : undefined;
}
