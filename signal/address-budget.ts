/**
 * Budgets shared by all connections of one address: what one client may cost the server per second, whatever
 * the number of its sockets. Each is a token bucket per address key (`cost` tokens per use); a bucket that has
 * refilled completely is forgotten, so memory follows the addresses active in the last few seconds.
 */

/** Token buckets keyed by address. */
export interface AddressBudget {
  /** Takes `cost` tokens from `key`'s bucket; false (and nothing taken) when there are not enough. */
  take(key: string, cost: number): boolean;
  /**
   * Charges `cost` for something already done (bytes already read): the bucket may go into debt. Returns how long
   * (ms) the address should wait until it is out of debt again; 0 when it is not in debt.
   */
  charge(key: string, cost: number): number;
  /** Forgets the buckets that are full again (call now and then). */
  prune(): void;
  /** Buckets kept. */
  readonly size: number;
}

/** Creates budgets of `ratePerSec` tokens per second, up to `burst`, per address; `nowMs` is a monotonic clock. */
export function createAddressBudget(ratePerSec: number, burst: number, nowMs: () => number): AddressBudget {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  const ratePerMs = ratePerSec / 1000;

  function level(bucket: { tokens: number; atMs: number }, now: number): number {
    // A clock that goes backwards must never mint tokens.
    return Math.min(burst, bucket.tokens + Math.max(0, now - bucket.atMs) * ratePerMs);
  }

  return {
    take(key, cost) {
      const now = nowMs();
      const bucket = buckets.get(key) ?? { tokens: burst, atMs: now };
      const tokens = level(bucket, now);
      bucket.atMs = now;
      if (tokens < cost) {
        bucket.tokens = tokens;
        buckets.set(key, bucket);
        return false;
      }
      bucket.tokens = tokens - cost;
      buckets.set(key, bucket);
      return true;
    },
    charge(key, cost) {
      const now = nowMs();
      const bucket = buckets.get(key) ?? { tokens: burst, atMs: now };
      bucket.tokens = level(bucket, now) - cost;
      bucket.atMs = now;
      buckets.set(key, bucket);
      return bucket.tokens >= 0 ? 0 : Math.ceil(-bucket.tokens / ratePerMs);
    },
    prune() {
      const now = nowMs();
      for (const [key, bucket] of buckets) if (level(bucket, now) >= burst) buckets.delete(key);
    },
    get size() {
      return buckets.size;
    },
  };
}
