import { describe, expect, it } from 'vitest';
import { durationText, hopsText, memberTotalText, membersWhoText, relativeTime, rttText, shortId, traceText } from './format';

describe('format', () => {
  it('counts members with this node included and says so', () => {
    expect([0, 1, 2].map((others) => `${memberTotalText(others)}: ${membersWhoText(others)}`)).toEqual([
      '1 member: you, nobody else yet',
      '2 members: you and 1 other',
      '3 members: you and 2 others',
    ]);
  });
  it('shortens long IDs only', () => {
    expect(shortId('abcdefghijklmnop')).toBe('abcdefghij…');
    expect(shortId('abc')).toBe('abc');
  });
  it('says relative times in words, future times as now', () => {
    expect(relativeTime(10_000, 10_400)).toBe('now');
    expect(relativeTime(10_000, 22_000)).toBe('12 s ago');
    expect(relativeTime(0, 3 * 60_000 + 10_000)).toBe('3 min ago');
    expect(relativeTime(0, 2 * 3_600_000)).toBe('2 h ago');
    expect(relativeTime(50_000, 10_000)).toBe('now');
  });
  it('formats durations, round trips, hops and traces', () => {
    expect(durationText(42_900)).toBe('42 s');
    expect(durationText(185_000)).toBe('3 min 5 s');
    expect(durationText(2 * 3_600_000 + 7 * 60_000)).toBe('2 h 7 min');
    expect(rttText(null)).toBe('–');
    expect(rttText(12.6)).toBe('13 ms');
    expect(hopsText(null)).toBe('–');
    expect(hopsText(0)).toBe('0');
    expect(traceText(['aaaaaaaaaaaaaa', 'b'])).toBe('aaaaaaaaaa… → b');
  });
});
