import { describe, expect, it } from 'vitest';
import { resolveOptions, type MembershipOptions } from './options';
import { MAX_COUNTER_JUMP, PeerTable, peerScore, type PeerRecord } from './peer-table';
import { seededRng } from './random';
import type { PeerState, WireEntry } from './wire';

const SELF = 'self';
const T0 = 1_000_000;

function table(overrides: Partial<MembershipOptions> = {}): PeerTable {
  return new PeerTable(SELF, resolveOptions(overrides));
}

function entry(id: string, counter: number, state: PeerState = 'alive', ageSec = 0): WireEntry {
  return { id, counter, state, ageSec };
}

function record(id: string, fields: Partial<PeerRecord> = {}): PeerRecord {
  return { id, counter: 1, state: 'alive', lastSeenMs: T0, stateChangedMs: T0, successes: 0, failures: 0, ...fields };
}

describe('PeerTable.merge basics', () => {
  it('never inserts its own ID', () => {
    const t = table();
    expect(t.merge(entry(SELF, 5), T0)).toBe('ignored');
    expect(t.merge(entry(SELF, 5, 'dead'), T0)).toBe('ignored');
    t.restore(record(SELF));
    expect(t.size).toBe(0);
    expect(t.get(SELF)).toBeUndefined();
  });

  it('keeps at most one record per ID', () => {
    const t = table();
    expect(t.merge(entry('a', 1), T0)).toBe('new');
    expect(t.merge(entry('a', 2), T0)).toBe('heartbeat');
    expect(t.merge(entry('a', 2, 'suspect'), T0)).toBe('state');
    t.restore(record('a', { counter: 99 }));
    expect(t.size).toBe(1);
    expect(t.all().map((r) => r.id)).toEqual(['a']);
    expect(t.get('a')?.counter).toBe(2);
  });

  it('sets LastSeen of a new entry to now - age', () => {
    const t = table();
    expect(t.merge(entry('a', 3, 'alive', 42), T0)).toBe('new');
    expect(t.get('a')).toEqual({
      id: 'a',
      counter: 3,
      state: 'alive',
      lastSeenMs: T0 - 42_000,
      stateChangedMs: T0,
      successes: 0,
      failures: 0,
    });
    expect(t.merge(entry('s', 1, 'suspect', 5), T0)).toBe('new');
    expect(t.get('s')?.state).toBe('suspect');
    expect(t.nextSuspicionDeadlineMs()).toBe(T0 + 60_000);
  });

  it('does not add entries whose age is already >= staleAfter (but keeps tombstones)', () => {
    const t = table({ staleAfterMs: 600_000 });
    expect(t.merge(entry('old', 1, 'alive', 600), T0)).toBe('ignored');
    expect(t.merge(entry('old2', 1, 'suspect', 700), T0)).toBe('ignored');
    expect(t.merge(entry('young', 1, 'alive', 599), T0)).toBe('new');
    expect(t.merge(entry('gone', 1, 'dead', 5_000), T0)).toBe('tombstone');
    expect(t.get('old')).toBeUndefined();
    expect(t.get('gone')?.state).toBe('dead');
    expect(t.listedIds()).toEqual(['young']);
    expect(t.isListed('gone')).toBe(false);
  });
});

describe('PeerTable.merge precedence', () => {
  it('a higher counter refreshes LastSeen to the evidence time, never backwards, never into the future', () => {
    const t = table();
    t.merge(entry('a', 1, 'alive', 100), T0); // lastSeen = T0 - 100 s
    expect(t.merge(entry('a', 2, 'alive', 10), T0)).toBe('heartbeat');
    expect(t.get('a')?.lastSeenMs).toBe(T0 - 10_000);
    // A newer counter carrying older evidence does not move LastSeen backwards.
    expect(t.merge(entry('a', 3, 'alive', 500), T0)).toBe('heartbeat');
    expect(t.get('a')?.counter).toBe(3);
    expect(t.get('a')?.lastSeenMs).toBe(T0 - 10_000);
    // Evidence is capped at now.
    expect(t.merge(entry('a', 4, 'alive', 0), T0 + 5_000)).toBe('heartbeat');
    expect(t.get('a')?.lastSeenMs).toBe(T0 + 5_000);
  });

  it('an equal counter never refreshes LastSeen', () => {
    const t = table();
    t.merge(entry('a', 7, 'alive', 300), T0);
    const before = t.get('a')?.lastSeenMs;
    expect(t.merge(entry('a', 7, 'alive', 0), T0 + 60_000)).toBe('ignored');
    expect(t.get('a')?.lastSeenMs).toBe(before);
    // Not even when the equal counter brings a worse state.
    expect(t.merge(entry('a', 7, 'suspect', 0), T0 + 60_000)).toBe('state');
    expect(t.get('a')?.lastSeenMs).toBe(before);
  });

  it('at an equal counter the worse state wins: alive < suspect < dead', () => {
    const t = table();
    t.merge(entry('a', 5), T0);
    expect(t.merge(entry('a', 5, 'suspect'), T0 + 1)).toBe('state');
    expect(t.get('a')?.state).toBe('suspect');
    expect(t.get('a')?.stateChangedMs).toBe(T0 + 1);
    expect(t.merge(entry('a', 5, 'alive'), T0 + 2)).toBe('ignored');
    expect(t.get('a')?.state).toBe('suspect');
    expect(t.merge(entry('a', 5, 'suspect'), T0 + 3)).toBe('ignored');
    expect(t.get('a')?.stateChangedMs).toBe(T0 + 1);
    expect(t.merge(entry('a', 5, 'dead'), T0 + 4)).toBe('state');
    expect(t.get('a')?.state).toBe('dead');
    expect(t.merge(entry('a', 5, 'suspect'), T0 + 5)).toBe('ignored');
    expect(t.get('a')?.state).toBe('dead');
    // alive -> dead directly too
    t.merge(entry('b', 1), T0);
    expect(t.merge(entry('b', 1, 'dead'), T0)).toBe('state');
  });

  it('a higher counter alive revives a suspect or a tombstone', () => {
    const t = table();
    t.merge(entry('s', 1, 'suspect'), T0);
    t.merge(entry('d', 1, 'dead'), T0);
    expect(t.expiredSuspects(T0 + 60_000)).toEqual(['s']);
    expect(t.merge(entry('s', 2, 'alive'), T0 + 10)).toBe('state');
    expect(t.merge(entry('d', 2, 'alive'), T0 + 10)).toBe('state');
    expect(t.get('s')?.state).toBe('alive');
    expect(t.get('d')?.state).toBe('alive');
    expect(t.get('d')?.stateChangedMs).toBe(T0 + 10);
    expect(t.listedIds().sort()).toEqual(['d', 's']);
    // No longer a suspect: no deadline.
    expect(t.expiredSuspects(T0 + 1e9)).toEqual([]);
    expect(t.nextSuspicionDeadlineMs()).toBe(Infinity);
  });

  it('a higher counter with a worse state is a state change that also counts as evidence', () => {
    const t = table();
    t.merge(entry('a', 1, 'alive', 100), T0);
    expect(t.merge(entry('a', 2, 'suspect', 5), T0)).toBe('state');
    expect(t.get('a')).toMatchObject({ counter: 2, state: 'suspect', lastSeenMs: T0 - 5_000 });
  });

  it('ignores lower counters whatever their state', () => {
    const t = table();
    t.merge(entry('a', 10), T0);
    for (const state of ['alive', 'suspect', 'dead'] as const) {
      expect(t.merge(entry('a', 9, state), T0 + 1)).toBe('ignored');
    }
    expect(t.get('a')).toMatchObject({ counter: 10, state: 'alive', lastSeenMs: T0 });
  });

  it('does not resurrect a tombstone with stale gossip (same or lower counter alive)', () => {
    const t = table();
    t.merge(entry('a', 4), T0);
    t.markDead('a', T0 + 1);
    expect(t.merge(entry('a', 4, 'alive', 0), T0 + 2)).toBe('ignored');
    expect(t.merge(entry('a', 3, 'alive', 0), T0 + 2)).toBe('ignored');
    expect(t.merge(entry('a', 4, 'suspect', 0), T0 + 2)).toBe('ignored');
    expect(t.get('a')?.state).toBe('dead');
    expect(t.isListed('a')).toBe(false);
    // Also direct evidence does not touch a tombstone.
    const seen = t.get('a')?.lastSeenMs;
    t.observeDirect('a', T0 + 3);
    expect(t.get('a')?.lastSeenMs).toBe(seen);
  });

  it('ignores counter jumps larger than MAX_COUNTER_JUMP', () => {
    const t = table();
    t.merge(entry('a', 100), T0);
    expect(t.merge(entry('a', 100 + MAX_COUNTER_JUMP + 1, 'dead'), T0)).toBe('ignored');
    expect(t.get('a')).toMatchObject({ counter: 100, state: 'alive' });
    expect(t.merge(entry('a', 100 + MAX_COUNTER_JUMP), T0)).toBe('heartbeat');
    expect(t.get('a')?.counter).toBe(100 + MAX_COUNTER_JUMP);
  });
});

describe('PeerTable direct evidence and local state changes', () => {
  it('observeDirect refreshes LastSeen of listed peers', () => {
    const t = table();
    t.merge(entry('a', 1, 'alive', 100), T0);
    t.observeDirect('a', T0 + 5);
    expect(t.get('a')?.lastSeenMs).toBe(T0 + 5);
    t.observeDirect('unknown', T0);
    expect(t.size).toBe(1);
  });

  it('suspect only alive peers; markDead only listed ones', () => {
    const t = table();
    t.merge(entry('a', 1), T0);
    expect(t.suspect('a', T0 + 1)).toBe(true);
    expect(t.suspect('a', T0 + 2)).toBe(false);
    expect(t.get('a')?.stateChangedMs).toBe(T0 + 1);
    expect(t.suspect('nobody', T0)).toBe(false);
    expect(t.markDead('a', T0 + 3)).toBe(true);
    expect(t.markDead('a', T0 + 4)).toBe(false);
    expect(t.suspect('a', T0 + 5)).toBe(false);
    expect(t.get('a')).toMatchObject({ state: 'dead', stateChangedMs: T0 + 3 });
    expect(t.markDead('nobody', T0)).toBe(false);
  });

  it('expiredSuspects and nextSuspicionDeadlineMs follow suspicionTimeoutMs', () => {
    const t = table({ suspicionTimeoutMs: 60_000 });
    expect(t.nextSuspicionDeadlineMs()).toBe(Infinity);
    t.merge(entry('a', 1), T0);
    t.merge(entry('b', 1), T0);
    t.suspect('a', T0 + 1_000);
    t.suspect('b', T0 + 5_000);
    expect(t.nextSuspicionDeadlineMs()).toBe(T0 + 61_000);
    expect(t.expiredSuspects(T0 + 60_999)).toEqual([]);
    expect(t.expiredSuspects(T0 + 61_000)).toEqual(['a']);
    expect(t.expiredSuspects(T0 + 65_000).sort()).toEqual(['a', 'b']);
    t.markDead('a', T0 + 61_000);
    expect(t.nextSuspicionDeadlineMs()).toBe(T0 + 65_000);
    expect(t.expiredSuspects(T0 + 1e9)).toEqual(['b']);
  });

  it('recordOutcome feeds peerScore (Laplace rule)', () => {
    expect(peerScore({ successes: 0, failures: 0 })).toBe(0.5);
    expect(peerScore({ successes: 8, failures: 0 })).toBe(0.9);
    expect(peerScore({ successes: 0, failures: 2 })).toBe(0.25);
    const t = table();
    t.merge(entry('a', 1), T0);
    t.recordOutcome('a', true);
    t.recordOutcome('a', true);
    t.recordOutcome('a', false);
    t.recordOutcome('ghost', true);
    expect(t.get('a')).toMatchObject({ successes: 2, failures: 1 });
    expect(peerScore(t.get('a') as PeerRecord)).toBeCloseTo(0.6, 12);
    expect(t.get('ghost')).toBeUndefined();
  });

  it('toWire gives the age of the evidence in whole seconds, never negative', () => {
    const t = table();
    t.merge(entry('a', 3, 'suspect', 30), T0);
    expect(t.toWire(t.get('a') as PeerRecord, T0 + 1_999)).toEqual({ id: 'a', counter: 3, state: 'suspect', ageSec: 31 });
    expect(t.toWire(t.get('a') as PeerRecord, T0 - 100_000).ageSec).toBe(0);
  });
});

describe('PeerTable.sweep', () => {
  it('turns stale listed peers into tombstones and forgets tombstones after tombstoneTtlMs', () => {
    const t = table({ staleAfterMs: 600_000, tombstoneTtlMs: 1_200_000 });
    t.merge(entry('fresh', 1), T0);
    t.merge(entry('stale', 1), T0);
    t.merge(entry('sus', 1, 'suspect'), T0);
    expect(t.sweep(T0 + 599_999)).toEqual([]);
    t.observeDirect('fresh', T0 + 500_000);
    expect(t.sweep(T0 + 600_000).sort()).toEqual(['stale', 'sus']);
    expect(t.get('stale')).toMatchObject({ state: 'dead', stateChangedMs: T0 + 600_000 });
    expect(t.get('fresh')?.state).toBe('alive');
    expect(t.nextSuspicionDeadlineMs()).toBe(Infinity);
    // Tombstones are not reported again, and are kept until their TTL.
    expect(t.sweep(T0 + 600_000 + 1_199_999)).toEqual(['fresh']);
    expect(t.get('stale')?.state).toBe('dead');
    expect(t.sweep(T0 + 600_000 + 1_200_000)).toEqual([]);
    expect(t.get('stale')).toBeUndefined();
    expect(t.get('sus')).toBeUndefined();
    expect(t.get('fresh')?.state).toBe('dead');
    expect(t.size).toBe(1);
  });

  it('removal keeps the internal index consistent (sample and all still work)', () => {
    const t = table({ staleAfterMs: 1_000, tombstoneTtlMs: 1_000 });
    for (let i = 0; i < 20; i++) t.merge(entry(`p${i}`, 1), T0 + (i % 2) * 10_000);
    t.sweep(T0 + 5_000); // even ones die
    t.sweep(T0 + 6_000); // and are forgotten
    expect(t.size).toBe(10);
    expect(
      t
        .all()
        .map((r) => r.id)
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `p${2 * i + 1}`).sort());
    const sampled = t.sample(10, seededRng(1), new Set());
    for (const r of sampled) expect(t.get(r.id)).toBe(r);
  });
});

describe('PeerTable capacity', () => {
  it('evicts the oldest tombstone first and never a listed member', () => {
    const t = table({ maxTableEntries: 4 });
    t.merge(entry('a', 1), T0);
    t.merge(entry('b', 1), T0);
    t.merge(entry('t1', 1, 'dead'), T0 + 20);
    t.merge(entry('t2', 1, 'dead'), T0 + 10);
    expect(t.size).toBe(4);
    expect(t.merge(entry('c', 1), T0 + 30)).toBe('new');
    expect(t.get('t2')).toBeUndefined(); // older tombstone went first
    expect(t.get('t1')).toBeDefined();
    expect(t.merge(entry('d', 1), T0 + 40)).toBe('new');
    expect(t.get('t1')).toBeUndefined();
    // Full of listed members: hearsay is refused, nobody is evicted.
    expect(t.merge(entry('e', 1), T0 + 50)).toBe('ignored');
    expect(t.merge(entry('f', 1, 'dead'), T0 + 50)).toBe('ignored');
    t.restore(record('g'));
    expect(t.listedIds().sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(t.size).toBe(4);
  });
});

describe('PeerTable.sample', () => {
  it('returns distinct records, honours exclude, and never more than asked', () => {
    const t = table();
    for (let i = 0; i < 50; i++) t.merge(entry(`p${i}`, 1), T0);
    const rng = seededRng(77);
    const exclude = new Set(['p0', 'p1', 'p2']);
    for (let round = 0; round < 50; round++) {
      const picked = t.sample(8, rng, exclude);
      expect(picked.length).toBeLessThanOrEqual(8);
      expect(picked.length).toBeGreaterThanOrEqual(6);
      expect(new Set(picked.map((r) => r.id)).size).toBe(picked.length);
      for (const r of picked) expect(exclude.has(r.id)).toBe(false);
    }
    expect(t.sample(0, rng, new Set())).toEqual([]);
    expect(table().sample(5, rng, new Set())).toEqual([]);
  });

  it('on a small table finds (nearly) everything but never duplicates', () => {
    const t = table();
    for (const id of ['a', 'b', 'c']) t.merge(entry(id, 1), T0);
    const picked = t.sample(10, seededRng(3), new Set(['b']));
    expect(picked.map((r) => r.id).sort()).toEqual(['a', 'c']);
    expect(t.sample(5, seededRng(3), new Set(['a', 'b', 'c']))).toEqual([]);
  });

  it('covers the whole table over many draws', () => {
    const t = table();
    for (let i = 0; i < 30; i++) t.merge(entry(`p${i}`, 1), T0);
    const seen = new Set<string>();
    const rng = seededRng(5);
    for (let i = 0; i < 100; i++) for (const r of t.sample(3, rng, new Set())) seen.add(r.id);
    expect(seen.size).toBe(30);
  });
});

describe('PeerTable.restore', () => {
  it('restores records as copies, suspects included', () => {
    const t = table();
    const saved = record('a_____________________', { state: 'suspect', stateChangedMs: T0 - 10_000, successes: 3 });
    t.restore(saved);
    saved.counter = 999;
    expect(t.get('a_____________________')).toMatchObject({ counter: 1, state: 'suspect', successes: 3 });
    expect(t.nextSuspicionDeadlineMs()).toBe(T0 + 50_000);
  });

  it('ignores records with invalid IDs, as documented (an ID is 22 base64url characters)', () => {
    const t = table();
    t.restore(record('short'));
    t.restore(record('x'.repeat(23)));
    t.restore(record('not a valid id!'));
    t.restore(record(''));
    t.restore(record('x'.repeat(65)));
    expect(t.size).toBe(0);
  });

  it('ignores corrupt records (bad counter, state or times) that would otherwise never expire', () => {
    const t = table();
    t.restore(record('a_____________________', { counter: -1 }));
    t.restore(record('b_____________________', { counter: 1.5 }));
    t.restore(record('c_____________________', { counter: 2 ** 48 }));
    t.restore(record('d_____________________', { state: 'zombie' as PeerState }));
    t.restore(record('e_____________________', { lastSeenMs: Number.NaN }));
    t.restore(record('f_____________________', { stateChangedMs: Number.NaN, state: 'dead' }));
    t.restore(record('g_____________________', { state: 'constructor' as PeerState }));
    expect(t.size).toBe(0);
    t.restore(record('ok____________________'));
    expect(t.size).toBe(1);
  });
});

describe('PeerTable anti-entropy helpers', () => {
  it('stalest gives the listed records with the oldest LastSeen, oldest first, skipping tombstones and exclusions', () => {
    const t = table();
    const ages = [50, 10, 40, 30, 20, 60];
    ages.forEach((age, i) => t.restore(record(`p${i}`.padEnd(22, '_'), { lastSeenMs: T0 - age * 1_000 })));
    t.restore(record('gone__________________', { state: 'dead', lastSeenMs: T0 - 999_000 }));
    expect(t.stalest(3, new Set()).map((r) => r.id)).toEqual(['p5', 'p0', 'p2'].map((id) => id.padEnd(22, '_')));
    expect(t.stalest(2, new Set(['p5'.padEnd(22, '_')])).map((r) => r.id)).toEqual(['p0', 'p2'].map((id) => id.padEnd(22, '_')));
    expect(t.stalest(0, new Set())).toEqual([]);
    expect(t.stalest(99, new Set())).toHaveLength(6);
  });

  it('isNewerThan: a higher counter, or a worse state at the same counter', () => {
    const t = table();
    t.restore(record('a_____________________', { counter: 5 }));
    t.restore(record('s_____________________', { counter: 5, state: 'suspect' }));
    expect(t.isNewerThan(entry('a_____________________', 4))).toBe(true);
    expect(t.isNewerThan(entry('a_____________________', 5))).toBe(false);
    expect(t.isNewerThan(entry('a_____________________', 6))).toBe(false);
    expect(t.isNewerThan(entry('s_____________________', 5, 'alive'))).toBe(true);
    expect(t.isNewerThan(entry('s_____________________', 5, 'dead'))).toBe(false);
    expect(t.isNewerThan(entry('unknown_______________', 1))).toBe(false);
  });
});
