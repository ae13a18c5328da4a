import { describe, expect, it } from 'vitest';
import { ReversePaths, SeenKeys, SignalAdmission } from './relay-memory';

describe('SeenKeys', () => {
  it('forgets keys after their TTL and the oldest one over capacity', () => {
    const seen = new SeenKeys(1_000, 2);
    seen.add(0, 'a');
    seen.add(500, 'b');
    expect(seen.has('a') && seen.has('b')).toBe(true);
    seen.expire(1_000);
    expect(seen.has('a')).toBe(false);
    expect(seen.has('b')).toBe(true);
    seen.add(600, 'c');
    seen.add(700, 'd'); // over capacity: 'b' (the oldest) goes
    expect([seen.has('b'), seen.has('c'), seen.has('d')]).toEqual([false, true, true]);
  });

  it('re-adding a key renews it', () => {
    const seen = new SeenKeys(1_000, 10);
    seen.add(0, 'a');
    seen.add(900, 'a');
    seen.expire(1_500);
    expect(seen.has('a')).toBe(true);
  });
});

describe('ReversePaths', () => {
  it('answers with the latest link an origin came by, until the TTL, within capacity', () => {
    const paths = new ReversePaths(1_000, 2);
    paths.learn(0, 'o1', 'n1');
    paths.learn(10, 'o1', 'n2');
    expect(paths.via(500, 'o1')).toBe('n2');
    expect(paths.via(1_010, 'o1')).toBeUndefined();
    paths.learn(20, 'o2', 'n1');
    paths.learn(30, 'o3', 'n1'); // over capacity: o1 goes
    expect(paths.via(40, 'o1')).toBeUndefined();
    expect(paths.via(40, 'o3')).toBe('n1');
  });
});

describe('SignalAdmission', () => {
  it('admits at most perOrigin and perTarget signals per window, then resets', () => {
    const admission = new SignalAdmission({ windowMs: 10_000, perOrigin: 2, perTarget: 3 });
    expect(admission.admit(0, 'a', 't')).toBe(true);
    expect(admission.admit(1, 'a', 't')).toBe(true);
    expect(admission.admit(2, 'a', 't')).toBe(false); // origin a is at its limit
    expect(admission.admit(3, 'b', 't')).toBe(true);
    expect(admission.admit(4, 'c', 't')).toBe(false); // target t is at its limit
    expect(admission.admit(5, 'c', 'u')).toBe(true);
    expect(admission.admit(10_000, 'a', 't')).toBe(true); // a new window
  });
});
