/** Housekeeping with explicit times: old slots and their tables go, live tabs' slots stay, the cap holds. */
import { describe, expect, it } from 'vitest';
import { createMemoryStoreFactory } from '../adapters/storage';
import { cleanUpStorage, MAX_STORED_SLOTS, ORPHAN_TABLE_GRACE_MS, SLOT_RETENTION_MS } from './housekeeping';
import type { Store } from './types';

const NOW_MS = 1_750_000_000_000;
const DAY_MS = 24 * 3_600_000;

function stores(): { identities: Store; tables: Store } {
  const factory = createMemoryStoreFactory();
  return { identities: factory.openStore('identity'), tables: factory.openStore('tables') };
}

/** A slot `name` for node `id`, touched at `touchedAtMs`, with a table saved at `savedAtMs` (none if undefined). */
async function tab(s: ReturnType<typeof stores>, name: string, id: string, touchedAtMs: number, savedAtMs?: number): Promise<void> {
  await s.identities.set(`slot:${name}`, { v: 1, id, keyPair: {}, touchedAtMs });
  if (savedAtMs !== undefined) await s.tables.set(`table:${id}`, { v: 1, savedAtMs, self: { counter: 1 }, peers: [] });
}

describe('cleanUpStorage', () => {
  it('deletes slots and tables of tabs gone longer than 7 days; keeps recent ones and live tabs\' slots', async () => {
    const s = stores();
    await tab(s, 'old', 'id-old', NOW_MS - 30 * DAY_MS, NOW_MS - 8 * DAY_MS);
    await tab(s, 'recentTable', 'id-rt', NOW_MS - 30 * DAY_MS, NOW_MS - DAY_MS); // its table was saved yesterday
    await tab(s, 'recent', 'id-recent', NOW_MS - 6 * DAY_MS);
    await tab(s, 'heldOld', 'id-held', NOW_MS - 60 * DAY_MS, NOW_MS - 60 * DAY_MS); // a live tab, however old its stamps
    await tab(s, 'future', 'id-future', NOW_MS + 5 * DAY_MS); // a clock set back since: counts as fresh
    const result = await cleanUpStorage({ ...s, nowMs: NOW_MS, isHeld: async (slot) => slot === 'heldOld' });
    expect(result).toEqual({ deletedSlots: ['old'], deletedTables: ['id-old'] });
    expect((await s.identities.keys()).sort()).toEqual(['slot:future', 'slot:heldOld', 'slot:recent', 'slot:recentTable']);
    expect((await s.tables.keys()).sort()).toEqual(['table:id-held', 'table:id-rt']);
    expect(SLOT_RETENTION_MS).toBe(7 * DAY_MS);
  });

  it('keeps at most maxSlots, deleting the least recently active unheld ones first', async () => {
    const s = stores();
    for (let i = 0; i < 6; i++) await tab(s, `s${i}`, `id${i}`, NOW_MS - (10 - i) * 60_000, NOW_MS - (10 - i) * 60_000);
    const result = await cleanUpStorage({ ...s, nowMs: NOW_MS, maxSlots: 3, isHeld: async (slot) => slot === 's0' });
    // s0 is the oldest but held: s1, s2, s3 go.
    expect(result.deletedSlots).toEqual(['s1', 's2', 's3']);
    expect((await s.identities.keys()).sort()).toEqual(['slot:s0', 'slot:s4', 'slot:s5']);
    expect((await s.tables.keys()).sort()).toEqual(['table:id0', 'table:id4', 'table:id5']);
    expect(MAX_STORED_SLOTS).toBeGreaterThan(3);
  });

  it('deletes tables no slot names once past the grace, and keeps younger ones', async () => {
    const s = stores();
    await tab(s, 'live', 'id-live', NOW_MS, NOW_MS);
    await s.tables.set('table:orphan-old', { savedAtMs: NOW_MS - ORPHAN_TABLE_GRACE_MS - 1 });
    await s.tables.set('table:orphan-new', { savedAtMs: NOW_MS - 1_000 });
    await s.tables.set('other-key', 1);
    const result = await cleanUpStorage({ ...s, nowMs: NOW_MS, isHeld: async () => false });
    expect(result).toEqual({ deletedSlots: [], deletedTables: ['orphan-old'] });
  });

  it('treats a slot as held when the lock manager cannot say, and never throws on failing storage', async () => {
    const s = stores();
    await tab(s, 'old', 'id-old', NOW_MS - 30 * DAY_MS);
    expect(await cleanUpStorage({ ...s, nowMs: NOW_MS, isHeld: () => Promise.reject(new Error('no locks')) })).toEqual({ deletedSlots: [], deletedTables: [] });
    const broken: Store = { ...s.tables, keys: () => Promise.reject(new Error('gone')) };
    expect(await cleanUpStorage({ identities: s.identities, tables: broken, nowMs: NOW_MS, isHeld: async () => false })).toEqual({ deletedSlots: [], deletedTables: [] });
  });
});
