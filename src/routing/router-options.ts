/** Options of the mesh router, with defaults. All times are local milliseconds. */
export interface RouterOptions {
  /** Longest path a routed frame may take (its trace length). */
  maxHops: number;
  /** A unicast not acknowledged in this time is sent again or fails with `timeout`. */
  ackTimeoutMs: number;
  /** Attempts per unicast (a failure or time-out before the last one sends it again, over fresher routes). */
  sendAttempts: number;
  /** Pause before a failed unicast is tried again (lets link-state adverts catch up). */
  retryDelayMs: number;
  /** Own link-state adverts are batched: at most one per this interval. */
  advertMinIntervalMs: number;
  /** Adverts from others are passed on in batches, at most this long after the first of a batch arrived. */
  floodDelayMs: number;
  /**
   * Own advert re-sent this often even without change: a safety net only. Changes flood at once, a new link gets
   * the whole database, data channels are reliable, and a member the membership removes is forgotten at once; a
   * refresh every minute made adverts the largest share of a node's traffic (measured in the simulator running
   * the real machines: ~465 advert frames per node-minute at n = 100, nearly all refreshes).
   */
  advertRefreshMs: number;
  /** Adverts not refreshed for this long are forgotten (their origin is gone or cut off). */
  advertExpiryMs: number;
  /** Largest number of link-state origins held. */
  maxOrigins: number;
  /** How long a broadcast piece or delivered unicast is remembered, for duplicate suppression. */
  seenTtlMs: number;
  /** Largest number of remembered keys (the oldest are forgotten first). */
  seenCapacity: number;
  /** Pieces of a message that do not all arrive in this time are dropped. */
  reassemblyTimeoutMs: number;
  /** Messages being reassembled at once, over all origins / from one origin. */
  maxReassembling: number;
  maxReassemblingPerOrigin: number;
  /** Signaling frames relayed or accepted per origin, and per target, in one `signalWindowMs`. */
  signalsPerOrigin: number;
  signalsPerTarget: number;
  signalWindowMs: number;
}

/** Defaults. */
export const DEFAULT_ROUTER_OPTIONS: Readonly<RouterOptions> = Object.freeze({
  maxHops: 16,
  ackTimeoutMs: 8_000,
  sendAttempts: 3,
  retryDelayMs: 500,
  advertMinIntervalMs: 250,
  floodDelayMs: 50,
  advertRefreshMs: 600_000,
  advertExpiryMs: 2_000_000,
  maxOrigins: 4_096,
  seenTtlMs: 120_000,
  seenCapacity: 16_384,
  reassemblyTimeoutMs: 30_000,
  maxReassembling: 64,
  maxReassemblingPerOrigin: 4,
  // One WebRTC set-up is an offer or answer plus a handful of trickled candidates per side.
  signalsPerOrigin: 60,
  signalsPerTarget: 120,
  signalWindowMs: 10_000,
});

/** Defaults overridden by `partial`; throws a RangeError naming the first option out of range. */
export function resolveRouterOptions(partial: Partial<RouterOptions> = {}): RouterOptions {
  const options = { ...DEFAULT_ROUTER_OPTIONS, ...partial };
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`router option ${key} must be a finite number ≥ 0`);
  }
  if (options.maxHops < 2 || options.maxHops > 16) throw new RangeError('router option maxHops must be in 2..16');
  if (options.sendAttempts < 1) throw new RangeError('router option sendAttempts must be ≥ 1');
  return options;
}
