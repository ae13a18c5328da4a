import { describe, expect, it } from 'vitest';
import { seededRandomInt } from './test-random';
import { sampleIndices } from './member-tier';
import { createRoomRegistry } from './rooms';

const id = (n: number): string => `id${String(n).padStart(20, '0')}`;

describe('room registry', () => {
  it('joins with caps, refuses duplicates, and deletes empty rooms', () => {
    const rooms = createRoomRegistry<string>({ maxRooms: 2, maxMembersPerRoom: 2, maxIntroducersPerRoom: 8, randomInt: seededRandomInt(1) });
    expect(rooms.join('a', id(1), 'm1')).toBe('introducer');
    expect(rooms.join('a', id(1), 'm1b')).toBe('id-in-use');
    expect(rooms.join('a', id(2), 'm2')).toBe('introducer');
    expect(rooms.join('a', id(3), 'm3')).toBe('room-full');
    expect(rooms.join('b', id(1), 'm1c')).toBe('introducer');
    expect(rooms.join('c', id(4), 'm4')).toBe('server-full');
    expect(rooms.stats()).toEqual({ rooms: 2, members: 3, introducers: 3, guests: 0 });
    rooms.leave('a', id(1), 'someone-else');
    expect(rooms.get('a', id(1))).toBe('m1');
    rooms.leave('a', id(1), 'm1');
    rooms.leave('a', id(2), 'm2');
    rooms.leave('b', id(1), 'm1c');
    expect(rooms.stats()).toEqual({ rooms: 0, members: 0, introducers: 0, guests: 0 });
    expect(rooms.join('c', id(4), 'm4')).toBe('introducer');
  });

  it('introduces distinct members other than self, and stays consistent after removals', () => {
    const rooms = createRoomRegistry<number>({ maxRooms: 1, maxMembersPerRoom: 100, maxIntroducersPerRoom: 100, randomInt: seededRandomInt(7) });
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

  it('admits introducers up to the pool, then guests; counts both per room and in total', () => {
    const rooms = createRoomRegistry<string>({ maxRooms: 4, maxMembersPerRoom: 10, maxIntroducersPerRoom: 2, randomInt: seededRandomInt(3) });
    expect([1, 2, 3, 4].map((n) => rooms.join('r', id(n), `m${n}`))).toEqual(['introducer', 'introducer', 'guest', 'guest']);
    expect(rooms.join('s', id(1), 's1')).toBe('introducer');
    expect(rooms.role('r', id(3))).toBe('guest');
    expect(rooms.role('r', id(9))).toBeUndefined();
    expect(rooms.roomStats('r')).toEqual({ introducers: 2, guests: 2 });
    expect(rooms.roomStats('nope')).toEqual({ introducers: 0, guests: 0 });
    expect(rooms.stats()).toEqual({ rooms: 2, members: 5, introducers: 3, guests: 2 });
  });

  it('promotes the oldest guest when an introducer leaves, and nobody when a guest leaves', () => {
    const rooms = createRoomRegistry<string>({ maxRooms: 1, maxMembersPerRoom: 10, maxIntroducersPerRoom: 2, randomInt: seededRandomInt(5) });
    for (const n of [1, 2, 3, 4, 5]) rooms.join('r', id(n), `m${n}`);
    expect(rooms.leave('r', id(4), 'm4')).toBeUndefined();
    expect(rooms.leave('r', id(1), 'someone-else')).toBeUndefined();
    expect(rooms.role('r', id(1))).toBe('introducer');
    expect(rooms.leave('r', id(1), 'm1')).toEqual({ id: id(3), member: 'm3' });
    expect(rooms.role('r', id(3))).toBe('introducer');
    expect(rooms.leave('r', id(2), 'm2')).toEqual({ id: id(5), member: 'm5' });
    expect(rooms.roomStats('r')).toEqual({ introducers: 2, guests: 0 });
    // No guest left: the slot stays free and the next newcomer takes it.
    expect(rooms.leave('r', id(3), 'm3')).toBeUndefined();
    expect(rooms.join('r', id(6), 'm6')).toBe('introducer');
    expect(rooms.join('r', id(7), 'm7')).toBe('guest');
    expect(rooms.stats()).toEqual({ rooms: 1, members: 3, introducers: 2, guests: 1 });
  });

  it('introduces introducers and guests alternately, an introducer first, never self', () => {
    const rooms = createRoomRegistry<number>({ maxRooms: 1, maxMembersPerRoom: 100, maxIntroducersPerRoom: 3, randomInt: seededRandomInt(11) });
    for (let i = 0; i < 10; i++) rooms.join('r', id(i), i);
    const introducers = [id(0), id(1), id(2)];
    const isIntroducer = (x: string): boolean => introducers.includes(x);
    for (let round = 0; round < 30; round++) {
      const guest = id(3 + (round % 7));
      const four = rooms.introduce('r', guest, 4);
      expect(four.map(isIntroducer)).toEqual([true, false, true, false]);
      expect(new Set(four).size).toBe(4);
      expect(four).not.toContain(guest);
      // More than the introducers can give: guests fill the rest.
      const eight = rooms.introduce('r', guest, 8);
      expect(eight.map(isIntroducer)).toEqual([true, false, true, false, true, false, false, false]);
      expect(new Set(eight).size).toBe(8);
      expect(eight).not.toContain(guest);
      const fromIntroducer = rooms.introduce('r', id(1), 4);
      expect(fromIntroducer.map(isIntroducer)).toEqual([true, false, true, false]);
      expect(fromIntroducer).not.toContain(id(1));
    }
    expect(rooms.introduce('r', id(0), 100)).toHaveLength(9);
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

  it('limits the rooms of one address; a room it is in still takes it', () => {
    const rooms = createRoomRegistry<string>({ maxRooms: 10, maxMembersPerRoom: 10, maxIntroducersPerRoom: 2, maxRoomsPerAddress: 2, randomInt: seededRandomInt(1) });
    expect(rooms.join('a', id(1), 'm1', 'x')).toBe('introducer');
    expect(rooms.join('b', id(2), 'm2', 'x')).toBe('introducer');
    expect(rooms.join('c', id(3), 'm3', 'x')).toBe('address-limit');
    expect(rooms.join('a', id(4), 'm4', 'x')).toBe('introducer');
    expect(rooms.join('c', id(5), 'm5', 'y')).toBe('introducer');
    rooms.leave('b', id(2), 'm2');
    expect(rooms.join('c', id(3), 'm3', 'x')).toBe('introducer');
  });

  it('shares the pool: a newcomer of another address displaces the longest-serving of an address over its share', () => {
    const changes: string[] = [];
    const rooms = createRoomRegistry<string>({
      maxRooms: 1, maxMembersPerRoom: 10, maxIntroducersPerRoom: 3, maxIntroducersPerAddress: 1, randomInt: seededRandomInt(2),
      onRoleChange: (who, member, role) => changes.push(`${member}:${role}`),
    });
    expect([1, 2, 3].map((n) => rooms.join('r', id(n), `a${n}`, 'A'))).toEqual(['introducer', 'introducer', 'introducer']);
    expect(rooms.join('r', id(4), 'b4', 'B')).toBe('introducer');
    expect(changes).toEqual(['a1:guest']);
    expect(rooms.join('r', id(5), 'b5', 'B')).toBe('guest');
    expect(rooms.join('r', id(6), 'c6', 'C')).toBe('introducer');
    expect(changes).toEqual(['a1:guest', 'a2:guest']);
    // No address above its share now: a fourth address waits.
    expect(rooms.join('r', id(7), 'd7', 'D')).toBe('guest');
    // A freed slot goes to the longest-waiting guest below its share (d7), not to a1 (A holds one already).
    rooms.leave('r', id(6), 'c6');
    expect(changes.at(-1)).toBe('d7:introducer');
  });

  it('rotates introducers whose term is over to waiting guests below their share, reporting after the fact', () => {
    let now = 0;
    const changes: string[] = [];
    const rooms = createRoomRegistry<string>({
      maxRooms: 1, maxMembersPerRoom: 10, maxIntroducersPerRoom: 2, maxIntroducersPerAddress: 2, introducerTermMs: 1000,
      nowMs: () => now, randomInt: seededRandomInt(3),
      // A report may re-enter the registry: the one demoted leaves at once.
      onRoleChange: (who, member, role) => {
        changes.push(`${member}:${role}`);
        if (member === 'i1' && role === 'guest') rooms.leave('r', who, member);
      },
    });
    rooms.join('r', id(1), 'i1', 'A');
    rooms.join('r', id(2), 'i2', 'A');
    rooms.join('r', id(3), 'g3', 'B');
    expect(rooms.rotate()).toBe(0);
    now = 1000;
    expect(rooms.rotate()).toBe(1);
    expect(changes).toEqual(['i1:guest', 'g3:introducer']);
    expect(rooms.roomStats('r')).toEqual({ introducers: 2, guests: 0 });
    // No guest waits: a term over changes nothing.
    now = 5000;
    expect(rooms.rotate()).toBe(0);
  });
});
