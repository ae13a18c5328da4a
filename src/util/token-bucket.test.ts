import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './token-bucket';

describe('token bucket', () => {
  it('allows a burst, then refills at the rate, and ignores a clock going backwards', () => {
    let nowMs = 1000;
    const bucket = createTokenBucket({ ratePerSec: 10, burst: 3 }, () => nowMs);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    nowMs += 99;
    expect(bucket.take()).toBe(false);
    nowMs += 1;
    expect(bucket.take()).toBe(true);
    nowMs -= 10_000;
    expect(bucket.take()).toBe(false);
    nowMs += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});
