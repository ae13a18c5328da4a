import { describe, expect, it } from 'vitest';
import { seededRandomInt } from './test-random';
import { createRoomRegistry, sampleIndices } from './rooms';

const id = (n: number): string => `id${String(n).padStart(20, '0')}`;

describe('room registry', () => {
  it('joins with caps, refuses duplicates, and deletes empty rooms', () => {
    const rooms = createRoomRegistry<string>({ maxRooms: 2, maxMembersPerRoom: 2, randomInt: seededRandomInt(1) });
    expect(rooms.join('a', id(1), 'm1')).toBe('ok');
    expect(rooms.join('a', id(1), 'm1b')).toBe('id-in-use');
    expect(rooms.join('a', id(2), 'm2')).toBe('ok');
    expect(rooms.join('a', id(3), 'm3')).toBe('room-full');
    expect(rooms.join('b', id(1), 'm1c')).toBe('ok');
    expect(rooms.join('c', id(4), 'm4')).toBe('server-full');
    expect(rooms.stats()).toEqual({ rooms: 2, members: 3 });
    rooms.leave('a', id(1), 'someone-else');
    expect(rooms.get('a', id(1))).toBe('m1');
    rooms.leave('a', id(1), 'm1');
    rooms.leave('a', id(2), 'm2');
    rooms.leave('b', id(1), 'm1c');
    expect(rooms.stats()).toEqual({ rooms: 0, members: 0 });
    expect(rooms.join('c', id(4), 'm4')).toBe('ok');
  });

  it('introduces distinct members other than self, and stays consistent after removals', () => {
    const rooms = createRoomRegistry<number>({ maxRooms: 1, maxMembersPerRoom: 100, randomInt: seededRandomInt(7) });
    for (let i = 0; i < 10; i++) rooms.join('r', id(i), i);
    rooms.leave('r', id(3), 3);
    rooms.leave('r', id(0), 0);
    for (let round = 0; round < 50; round++) {
      const picked = rooms.introduce('r', id(5), 4);
      expect(picked).toHaveLength(4);
      expect(new Set(picked).size).toBe(4);
      for (const p of picked) expect([id(5), id(3), id(0)]).not.toContain(p);
      for (const p of picked) expect(rooms.get('r', p)).toBeDefined();
    }
    expect(rooms.introduce('r', id(5), 100)).toHaveLength(7);
    expect(rooms.introduce('nope', id(5), 4)).toEqual([]);
  });

  it('samples uniformly (chi-square over many draws)', () => {
    const randomInt = seededRandomInt(42);
    const n = 10;
    const counts = new Array<number>(n).fill(0);
    const draws = 20_000;
    let duplicates = 0;
    for (let i = 0; i < draws; i++) {
      const picks = sampleIndices(n, 3, randomInt);
      if (new Set(picks).size !== 3) duplicates++;
      counts[picks[0]!]!++;
    }
    expect(duplicates).toBe(0);
    // The first position alone must be uniform too (Floyd's raw order is not).
    const expected = draws / n;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9); // p = 0.001 for 9 degrees of freedom
  });
});
