import { describe, expect, it } from 'vitest';
import type { PeerView } from '../src/core';
import { buildPeerRows, filterRows, sortRows, type PeerRow } from './peer-rows';

function peer(id: string, state: PeerView['state'], neighbour: boolean, lastSeenMs: number, score = 0.5): PeerView {
  return { id, counter: 1, state, lastSeenMs, stateChangedMs: 0, successes: 0, failures: 0, score, neighbour } as PeerView;
}

describe('peer rows', () => {
  const peers = [peer('bbb', 'alive', true, 300, 0.9), peer('aaa', 'alive', false, 100, 0.2), peer('ccc', 'suspect', true, 200), peer('ddd', 'dead', false, 400)];
  const routes = { bbb: { hops: 1, rttMs: 12 }, aaa: { hops: 2, rttMs: null }, ccc: { hops: null, rttMs: 30 } };
  const rows = buildPeerRows(peers, routes);

  it('names each peer neighbour, known or suspect and leaves tombstones out', () => {
    expect(rows.map((r) => [r.id, r.role, r.hops, r.rttMs])).toEqual([
      ['bbb', 'neighbour', 1, 12],
      ['aaa', 'known', 2, null],
      ['ccc', 'suspect', null, 30],
    ]);
  });
  it('sorts by any column, unknown values last in both directions', () => {
    const ids = (list: PeerRow[]): string[] => list.map((r) => r.id);
    expect(ids(sortRows(rows, { key: 'lastSeen', descending: true }))).toEqual(['bbb', 'ccc', 'aaa']);
    expect(ids(sortRows(rows, { key: 'id', descending: false }))).toEqual(['aaa', 'bbb', 'ccc']);
    expect(ids(sortRows(rows, { key: 'rtt', descending: false }))).toEqual(['bbb', 'ccc', 'aaa']);
    expect(ids(sortRows(rows, { key: 'rtt', descending: true }))).toEqual(['ccc', 'bbb', 'aaa']);
    expect(ids(sortRows(rows, { key: 'hops', descending: true }))).toEqual(['aaa', 'bbb', 'ccc']);
    expect(ids(sortRows(rows, { key: 'role', descending: false }))).toEqual(['bbb', 'aaa', 'ccc']);
    expect(ids(sortRows(rows, { key: 'score', descending: true }))).toEqual(['bbb', 'ccc', 'aaa']);
  });
  it('filters by ID or role, case-insensitively', () => {
    expect(filterRows(rows, ' BB ').map((r) => r.id)).toEqual(['bbb']);
    expect(filterRows(rows, 'suspect').map((r) => r.id)).toEqual(['ccc']);
    expect(filterRows(rows, '')).toHaveLength(3);
  });
});
