import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options';
import { Overlay } from './overlay';

const options = resolveOptions({
  maxDegree: 4,
  targetDegree: 3,
  inboundSlack: 2,
  retryBaseMs: 1_000,
  retryMaxMs: 10_000,
  connectTimeoutMs: 15_000,
  minLinkAgeMs: 30_000,
});

describe('Overlay', () => {
  it('canAccept up to maxDegree + inboundSlack links, always for a known peer', () => {
    const o = new Overlay(options);
    for (let i = 0; i < 6; i++) {
      expect(o.canAccept(`p${i}`)).toBe(true);
      if (i % 2 === 0) o.markConnecting(`p${i}`, 0);
      else o.markOpen(`p${i}`, 0);
    }
    expect(o.totalCount()).toBe(6);
    expect(o.openCount()).toBe(3);
    expect(o.canAccept('p6')).toBe(false);
    expect(o.canAccept('p0')).toBe(true);
    o.remove('p0');
    expect(o.canAccept('p6')).toBe(true);
  });

  it('tracks link states', () => {
    const o = new Overlay(options);
    o.markConnecting('a', 10);
    expect(o.get('a')).toEqual({ peer: 'a', state: 'connecting', sinceMs: 10, expectClose: false });
    o.markConnecting('a', 20); // no reset of an existing attempt
    expect(o.get('a')?.sinceMs).toBe(10);
    expect(o.openPeers()).toEqual([]);
    o.markOpen('a', 30);
    expect(o.get('a')).toEqual({ peer: 'a', state: 'open', sinceMs: 30, expectClose: false });
    expect(o.openPeers()).toEqual(['a']);
    o.markConnecting('a', 40); // does not downgrade an open link
    expect(o.get('a')?.state).toBe('open');
    expect(o.remove('a')?.state).toBe('open');
    expect(o.remove('a')).toBeUndefined();
    expect(o.totalCount()).toBe(0);
  });

  it('canDial: no existing link, and exponential back-off capped at retryMaxMs', () => {
    const o = new Overlay(options);
    expect(o.canDial('a', 0)).toBe(true);
    o.markConnecting('a', 0);
    expect(o.canDial('a', 0)).toBe(false);
    o.remove('a');
    const waits: number[] = [];
    let now = 0;
    for (let failure = 1; failure <= 7; failure++) {
      o.recordFailure('a', now, 1);
      // Find the exact wait: blocked one ms before, allowed at it.
      let wait = 0;
      while (!o.canDial('a', now + wait)) wait += 250;
      expect(o.canDial('a', now + wait - 1)).toBe(false);
      waits.push(wait);
      now += wait;
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  it('scales the back-off by the jitter factor and clears it on success', () => {
    const o = new Overlay(options);
    o.recordFailure('a', 0, 0.5);
    expect(o.canDial('a', 499)).toBe(false);
    expect(o.canDial('a', 500)).toBe(true);
    o.recordFailure('a', 500, 1.5);
    expect(o.canDial('a', 500 + 2_999)).toBe(false);
    expect(o.canDial('a', 500 + 3_000)).toBe(true);
    o.markOpen('a', 4_000);
    o.remove('a');
    o.recordFailure('a', 5_000, 1);
    // Back to the first step after a success.
    expect(o.canDial('a', 6_000)).toBe(true);
  });

  it('back-off survives many failures without overflow', () => {
    const o = new Overlay(options);
    for (let i = 0; i < 2_000; i++) o.recordFailure('a', 0, 1);
    expect(o.canDial('a', 9_999)).toBe(false);
    expect(o.canDial('a', 10_000)).toBe(true);
  });

  it('expiredAttempts and nextAttemptDeadlineMs cover connecting links only', () => {
    const o = new Overlay(options);
    expect(o.nextAttemptDeadlineMs()).toBe(Infinity);
    o.markConnecting('a', 0);
    o.markConnecting('b', 5_000);
    o.markOpen('c', 0);
    expect(o.nextAttemptDeadlineMs()).toBe(15_000);
    expect(o.expiredAttempts(14_999)).toEqual([]);
    expect(o.expiredAttempts(15_000)).toEqual(['a']);
    expect(o.expiredAttempts(1e9).sort()).toEqual(['a', 'b']);
    o.markOpen('a', 16_000);
    expect(o.nextAttemptDeadlineMs()).toBe(20_000);
  });

  it('sheddable: open links at least minLinkAgeMs old', () => {
    const o = new Overlay(options);
    o.markOpen('old', 0);
    o.markOpen('young', 10_000);
    o.markConnecting('dialing', 0);
    expect(o.sheddable(29_999)).toEqual([]);
    expect(o.sheddable(30_000)).toEqual(['old']);
    expect(o.sheddable(40_000).sort()).toEqual(['old', 'young']);
  });

  it('pruneBackoff forgets back-off of peers not kept', () => {
    const o = new Overlay(options);
    o.recordFailure('gone', 0, 1);
    o.recordFailure('kept', 0, 1);
    o.pruneBackoff((peer) => peer === 'kept');
    expect(o.canDial('gone', 0)).toBe(true);
    expect(o.canDial('kept', 0)).toBe(false);
  });
});
