import { describe, expect, it } from 'vitest';
import { NewsQueue } from './news';

const none = (): boolean => false;

describe('NewsQueue', () => {
  it('gives changes before heartbeats: changes oldest first, heartbeats newest first', () => {
    const q = new NewsQueue(3, 2);
    q.add('h1', 'heartbeat');
    q.add('c1', 'change');
    q.add('h2', 'heartbeat');
    q.add('c2', 'change');
    expect(q.size).toBe(4);
    expect(q.take(10, none)).toEqual(['c1', 'c2', 'h2', 'h1']);
    expect(q.take(3, none)).toEqual(['c1', 'c2', 'h2']);
  });

  it('passes a change newsTransmits times and a heartbeat heartbeatTransmits times', () => {
    const q = new NewsQueue(3, 2);
    q.add('c', 'change');
    q.add('h', 'heartbeat');
    const rounds: string[][] = [];
    for (let i = 0; i < 5; i++) rounds.push(q.take(10, none));
    expect(rounds).toEqual([['c', 'h'], ['c', 'h'], ['c'], [], []]);
    expect(q.size).toBe(0);
  });

  it('respects max across both priorities and only charges what it took', () => {
    const q = new NewsQueue(2, 2);
    for (const id of ['c1', 'c2', 'c3']) q.add(id, 'change');
    q.add('h1', 'heartbeat');
    expect(q.take(2, none)).toEqual(['c1', 'c2']);
    expect(q.take(2, none)).toEqual(['c1', 'c2']); // second and last transmission
    expect(q.take(2, none)).toEqual(['c3', 'h1']);
    expect(q.take(0, none)).toEqual([]);
    expect(q.take(5, none)).toEqual(['c3', 'h1']);
    expect(q.size).toBe(0);
  });

  it('leaves skipped items untouched (no transmission charged, still queued)', () => {
    const q = new NewsQueue(1, 1);
    q.add('a', 'change');
    q.add('b', 'change');
    q.add('h', 'heartbeat');
    expect(q.take(10, (id) => id === 'a' || id === 'h')).toEqual(['b']);
    expect(q.size).toBe(2);
    expect(q.take(10, none)).toEqual(['a', 'h']);
    expect(q.size).toBe(0);
  });

  it('re-adding resets the budget and moves the item to the back', () => {
    const q = new NewsQueue(2, 2);
    q.add('a', 'change');
    q.add('b', 'change');
    expect(q.take(1, none)).toEqual(['a']); // a: 1 of 2 used
    q.add('a', 'change'); // fresh budget, behind b
    expect(q.take(10, none)).toEqual(['b', 'a']);
    expect(q.take(10, none)).toEqual(['b', 'a']);
    expect(q.take(10, none)).toEqual([]);
  });

  it('a change replaces a pending heartbeat of the same ID; a heartbeat does not downgrade a change', () => {
    const q = new NewsQueue(3, 1);
    q.add('x', 'heartbeat');
    q.add('x', 'change');
    expect(q.size).toBe(1);
    q.add('x', 'heartbeat');
    expect(q.size).toBe(1);
    expect([q.take(10, none), q.take(10, none), q.take(10, none), q.take(10, none)]).toEqual([['x'], ['x'], ['x'], []]);
    // Re-adding a heartbeat resets its budget too.
    q.add('y', 'heartbeat');
    q.add('y', 'heartbeat');
    expect(q.take(10, none)).toEqual(['y']);
    expect(q.take(10, none)).toEqual([]);
  });

  it('drop forgets an item in either queue', () => {
    const q = new NewsQueue(3, 3);
    q.add('a', 'change');
    q.add('b', 'heartbeat');
    q.drop('a');
    q.drop('b');
    q.drop('nothing');
    expect(q.size).toBe(0);
    expect(q.take(10, none)).toEqual([]);
  });

  it('tolerates a skip callback that drops items while taking', () => {
    const q = new NewsQueue(3, 3);
    for (const id of ['a', 'b', 'c']) q.add(id, 'change');
    const taken = q.take(10, (id) => {
      if (id === 'b') {
        q.drop(id);
        return true;
      }
      return false;
    });
    expect(taken).toEqual(['a', 'c']);
    expect(q.size).toBe(2);
  });
});
