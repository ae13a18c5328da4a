/**
 * Every interval, degree and cap of the membership protocol, with the defaults the product promises.
 * All times are local milliseconds; nothing here is compared with another node's clock.
 */
export interface MembershipOptions {
  /** How often a node pushes gossip to one random neighbour. */
  gossipIntervalMs: number;
  /** How often each neighbour is probed. */
  pingIntervalMs: number;
  /** How long to wait for any sign of life after a ping before retrying it. */
  pingTimeoutMs: number;
  /** Pings sent in one probe before the neighbour becomes suspect. */
  pingAttempts: number;
  /** How long a suspect has to refute before it is declared dead. */
  suspicionTimeoutMs: number;
  /** How often stale peers are looked for. */
  cleanupIntervalMs: number;
  /** A peer with no evidence of life for this long is removed. */
  staleAfterMs: number;
  /** How often a node advances its own counter, the freshness proof that lets far-away nodes keep it listed. */
  heartbeatIntervalMs: number;
  /** How long a tombstone (removed peer) is kept so that stale gossip cannot bring the peer back. */
  tombstoneTtlMs: number;
  /** Neighbours the node tries to keep. */
  targetDegree: number;
  /**
   * Links a node with no open link dials at once (first contact through the signaling server). The rest of its
   * links are dialled once one is open, and are signaled through the mesh.
   */
  firstContacts: number;
  /** Neighbours above which the node sheds links. */
  maxDegree: number;
  /** Extra inbound links accepted above `maxDegree` so that newcomers always get a first contact. */
  inboundSlack: number;
  /** A link younger than this is never shed, so a newcomer has time to find its own neighbours. */
  minLinkAgeMs: number;
  /** Time after which a connection attempt that did not open counts as failed. */
  connectTimeoutMs: number;
  /** First back-off after a failed connection attempt; doubles per consecutive failure. */
  retryBaseMs: number;
  /** Largest back-off between connection attempts to one peer. */
  retryMaxMs: number;
  /**
   * How often a node with its links full dials one more random member (the overlay sheds a random old link when
   * that goes above `maxDegree`), so the overlay keeps mixing as members come and go. 0 turns it off. Each rewire
   * costs both ends a peer connection (Chromium allows ~500 per tab lifetime): at 5 min a node took part in ~36
   * new links an hour (simulated), at 20 min in ~10.
   */
  rewireIntervalMs: number;
  /** How often one removed peer is retried (heals partitions; the spec's "retry of dead peers"). */
  retryDeadIntervalMs: number;
  /** Entries in one periodic push or pull (news first, then a random sample). */
  maxEntriesPerGossip: number;
  /** Random entries added to every push/pull as anti-entropy, within `maxEntriesPerGossip`. */
  sampleEntries: number;
  /** How many times a node passes on a membership change in its pushes and pulls. */
  newsTransmits: number;
  /** How many times a node passes on a heartbeat (a newer counter) in its pushes and pulls. */
  heartbeatTransmits: number;
  /** Membership changes are forwarded to all neighbours after at most this delay (batched). */
  floodDelayMs: number;
  /** Upper bound of one encoded message, in bytes (UTF-8). */
  maxMessageBytes: number;
  /** Upper bound of the entries a node keeps (alive, suspect and tombstones). */
  maxTableEntries: number;
  /**
   * An input this much later than the core's own schedule means this node's timers stalled (suspend, a frozen or
   * throttled page, a starved CPU): it re-probes and pulls before it suspects or expires anyone
   * (`local-health.ts`). 0 turns local health off.
   */
  lateWakeMs: number;
}

/** The defaults: gossip 10 s, ping 20 s, cleanup 30 s, stale after 10 min, as the product spec asks. */
export const DEFAULT_OPTIONS: Readonly<MembershipOptions> = Object.freeze({
  gossipIntervalMs: 10_000,
  pingIntervalMs: 20_000,
  pingTimeoutMs: 2_000,
  pingAttempts: 4,
  suspicionTimeoutMs: 60_000,
  cleanupIntervalMs: 30_000,
  staleAfterMs: 600_000,
  heartbeatIntervalMs: 180_000,
  tombstoneTtlMs: 1_200_000,
  targetDegree: 6,
  firstContacts: 2,
  maxDegree: 7,
  inboundSlack: 1,
  minLinkAgeMs: 30_000,
  connectTimeoutMs: 15_000,
  retryBaseMs: 5_000,
  retryMaxMs: 300_000,
  retryDeadIntervalMs: 30_000,
  rewireIntervalMs: 1_200_000,
  maxEntriesPerGossip: 128,
  sampleEntries: 8,
  newsTransmits: 3,
  heartbeatTransmits: 3,
  floodDelayMs: 100,
  maxMessageBytes: 16_384,
  maxTableEntries: 10_000,
  // Above Chrome's 1 s alignment of hidden tabs' timers (that is not a gap), well below a probe's 8 s.
  lateWakeMs: 2_000,
});

/** Fills in defaults and rejects values that would break the protocol (a clear error, at construction time). */
export function resolveOptions(partial: Partial<MembershipOptions> = {}): MembershipOptions {
  const options: MembershipOptions = { ...DEFAULT_OPTIONS };
  for (const key of Object.keys(DEFAULT_OPTIONS) as Array<keyof MembershipOptions>) {
    const value = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`starmesh: option ${key} must be a finite number >= 0, got ${String(value)}`);
    }
    options[key] = value;
  }
  if (options.gossipIntervalMs <= 0 || options.pingIntervalMs <= 0 || options.cleanupIntervalMs <= 0) {
    throw new RangeError('starmesh: gossip, ping and cleanup intervals must be > 0');
  }
  if (options.maxDegree < options.targetDegree || options.targetDegree < 1) {
    throw new RangeError('starmesh: need 1 <= targetDegree <= maxDegree');
  }
  if (options.firstContacts < 1) throw new RangeError('starmesh: firstContacts must be >= 1');
  if (options.tombstoneTtlMs < options.staleAfterMs) {
    throw new RangeError('starmesh: tombstoneTtlMs must be >= staleAfterMs, or stale gossip could resurrect peers');
  }
  if (options.maxMessageBytes < 1_024) throw new RangeError('starmesh: maxMessageBytes must be >= 1024');
  return options;
}
