/**
 * A token bucket: `ratePerSec` tokens flow in continuously up to `burst`; each message takes one. The clock is
 * passed in, so tests can drive it explicitly.
 */

/** Rate-limit settings for one socket. */
export interface RateLimitOptions {
  /** Sustained messages per second. */
  ratePerSec: number;
  /** Bucket size: messages that may arrive back to back. */
  burst: number;
}

/** One bucket; `take()` returns false when the message must be refused. */
export interface TokenBucket {
  take(): boolean;
}

/** Creates a full bucket. `nowMs` is a monotonic clock in milliseconds. */
export function createTokenBucket(options: RateLimitOptions, nowMs: () => number): TokenBucket {
  const burst = Math.max(1, options.burst);
  const ratePerMs = Math.max(0, options.ratePerSec) / 1000;
  let tokens = burst;
  let lastMs = nowMs();
  return {
    take(): boolean {
      const now = nowMs();
      // A clock that goes backwards must never mint tokens; clamp the elapsed time at zero.
      const elapsedMs = Math.max(0, now - lastMs);
      lastMs = now;
      tokens = Math.min(burst, tokens + elapsedMs * ratePerMs);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
