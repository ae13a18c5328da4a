import { describe, expect, it } from 'vitest';
import type { PeerView } from '../../src/core';
import { buildGraphModel, edgeKey, graphSignature, structureSignature } from './graph-model';

function peer(id: string, state: PeerView['state'], stateChangedMs = 0, neighbour = false): PeerView {
  return { id, counter: 1, state, lastSeenMs: 0, stateChangedMs, successes: 0, failures: 0, score: 0.5, neighbour } as PeerView;
}

describe('graph model', () => {
  const base = { selfId: 'a', nowMs: 10_000, departedVisibleMs: 5_000 };

  it('draws self, members, suspects and recent departures; links only between live nodes', () => {
    const model = buildGraphModel({
      ...base,
      peers: [peer('b', 'alive', 0, true), peer('c', 'suspect'), peer('d', 'dead', 8_000), peer('e', 'dead', 1_000)],
      topology: { a: ['b'], b: ['a', 'c', 'd'], c: ['b'], d: ['b'], z: ['a'] },
    });
    expect(model.nodes).toEqual([
      { id: 'a', status: 'self', neighbour: false },
      { id: 'b', status: 'alive', neighbour: true },
      { id: 'c', status: 'suspect', neighbour: false },
      { id: 'd', status: 'departed', neighbour: false },
    ]);
    expect(model.edges).toEqual([
      { a: 'a', b: 'b', confirmed: true },
      { a: 'b', b: 'c', confirmed: true },
    ]);
  });
  it('marks one-sided claims unconfirmed and ignores junk lists', () => {
    const model = buildGraphModel({ ...base, peers: [peer('b', 'alive'), peer('c', 'alive')], topology: { a: ['b', 'b', 'a'], c: 'b' as never } });
    expect(model.edges).toEqual([{ a: 'a', b: 'b', confirmed: false }]);
  });
  it('has a signature that changes only with the drawing', () => {
    const input = { ...base, peers: [peer('b', 'alive')], topology: { a: ['b'], b: ['a'] } };
    const one = graphSignature(buildGraphModel(input));
    expect(graphSignature(buildGraphModel({ ...input, nowMs: 99_999 }))).toBe(one);
    expect(graphSignature(buildGraphModel({ ...input, topology: { a: ['b'] } }))).not.toBe(one);
    expect(edgeKey('b', 'a')).toBe('a b');
  });
});

describe('structure signature', () => {
  it('ignores status changes and follows members and links', () => {
    const a = buildGraphModel({ selfId: 'a', nowMs: 0, departedVisibleMs: 0, peers: [peer('b', 'alive')], topology: { a: ['b'], b: ['a'] } });
    const suspect = buildGraphModel({ selfId: 'a', nowMs: 0, departedVisibleMs: 0, peers: [peer('b', 'suspect', 0, true)], topology: { a: ['b'] } });
    expect(structureSignature(suspect)).toBe(structureSignature(a));
    expect(graphSignature(suspect)).not.toBe(graphSignature(a));
    const gone = buildGraphModel({ selfId: 'a', nowMs: 0, departedVisibleMs: 0, peers: [], topology: { a: [] } });
    expect(structureSignature(gone)).not.toBe(structureSignature(a));
  });
});
