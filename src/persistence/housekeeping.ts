/**
 * Housekeeping of what tabs leave behind. Every tab has an identity slot (`slot:<name>` in the identity store,
 * the key pair of one node ID) and a saved table (`table:<id>`). A tab reopened with its sessionStorage finds its
 * slot again; a new tab, or one reopened without it, becomes a new node, and its old slot and table would stay
 * forever. So at start each tab deletes the slots (and their tables) of tabs gone for longer than `retentionMs`,
 * keeps at most `maxSlots`, and deletes tables that no slot names. A slot whose Web Lock is held belongs to a live
 * tab and is never touched. Never throws: a failure leaves things for the next tab to clean.
 */
import type { Store } from './types';

/** Slots (and tables) of tabs gone this long are deleted. */
export const SLOT_RETENTION_MS = 7 * 24 * 3_600_000;
/** At most this many identity slots are kept (the least recently active unheld ones go first). */
export const MAX_STORED_SLOTS = 32;
/** A table no slot names is deleted once older than this (a slot is always written before its table). */
export const ORPHAN_TABLE_GRACE_MS = 10 * 60_000;

const SLOT_PREFIX = 'slot:';
const TABLE_PREFIX = 'table:';

/** Inputs of `cleanUpStorage`. */
export interface HousekeepingOptions {
  /** The identity store (slot records `{ id, touchedAtMs? }`). */
  identities: Store;
  /** The table store (`{ savedAtMs }` records). */
  tables: Store;
  /** Wall-clock now (stored stamps are wall-clock; one in the future counts as fresh). */
  nowMs: number;
  /** True when a live tab holds the slot's lock. Should it fail, the slot is treated as held. */
  isHeld(slot: string): Promise<boolean>;
  retentionMs?: number;
  maxSlots?: number;
}

/** What was deleted. */
export interface HousekeepingResult {
  deletedSlots: string[];
  deletedTables: string[];
}

interface SlotInfo {
  slot: string;
  id: string | undefined;
  activeMs: number;
  held: boolean;
}

function stampOf(value: unknown, field: string): number {
  const stamp = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  return typeof stamp === 'number' && Number.isFinite(stamp) ? stamp : 0;
}

function idOf(value: unknown): string | undefined {
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** Deletes slots of tabs gone longer than the retention, slots over the cap, and orphaned tables. */
export async function cleanUpStorage(options: HousekeepingOptions): Promise<HousekeepingResult> {
  const result: HousekeepingResult = { deletedSlots: [], deletedTables: [] };
  try {
    // Tables first, slots second: a slot is written before its table, so every table seen has its slot seen.
    const tableKeys = (await options.tables.keys()).filter((key) => key.startsWith(TABLE_PREFIX));
    const savedAt = new Map<string, number>();
    for (const key of tableKeys) savedAt.set(key.slice(TABLE_PREFIX.length), stampOf(await options.tables.get(key), 'savedAtMs'));
    const slots = await readSlots(options, savedAt);
    const doomed = pickDoomed(slots, options);
    for (const info of doomed) {
      await options.identities.del(SLOT_PREFIX + info.slot);
      result.deletedSlots.push(info.slot);
      if (info.id !== undefined && savedAt.has(info.id)) {
        await options.tables.del(TABLE_PREFIX + info.id);
        result.deletedTables.push(info.id);
      }
    }
    const named = new Set(slots.filter((info) => !doomed.includes(info)).map((info) => info.id));
    for (const [id, stampMs] of savedAt) {
      if (named.has(id) || result.deletedTables.includes(id) || options.nowMs - stampMs < ORPHAN_TABLE_GRACE_MS) continue;
      await options.tables.del(TABLE_PREFIX + id);
      result.deletedTables.push(id);
    }
  } catch {
    // Storage failed on the way: whatever is left, the next tab's housekeeping deletes.
  }
  return result;
}

async function readSlots(options: HousekeepingOptions, savedAt: ReadonlyMap<string, number>): Promise<SlotInfo[]> {
  const slots: SlotInfo[] = [];
  for (const key of await options.identities.keys()) {
    if (!key.startsWith(SLOT_PREFIX)) continue;
    const slot = key.slice(SLOT_PREFIX.length);
    const record = await options.identities.get(key);
    const id = idOf(record);
    // Last sign of life: the slot's own stamp (each start) or its table's latest save (about every second).
    const activeMs = Math.max(stampOf(record, 'touchedAtMs'), id === undefined ? 0 : savedAt.get(id) ?? 0);
    const held = await options.isHeld(slot).catch(() => true);
    slots.push({ slot, id, activeMs, held });
  }
  return slots;
}

function pickDoomed(slots: readonly SlotInfo[], options: HousekeepingOptions): SlotInfo[] {
  const retentionMs = options.retentionMs ?? SLOT_RETENTION_MS;
  const maxSlots = options.maxSlots ?? MAX_STORED_SLOTS;
  const free = slots.filter((info) => !info.held).sort((a, b) => a.activeMs - b.activeMs);
  const doomed = free.filter((info) => options.nowMs - info.activeMs > retentionMs);
  let kept = slots.length - doomed.length;
  for (const info of free) {
    if (kept <= maxSlots) break;
    if (doomed.includes(info)) continue;
    doomed.push(info);
    kept--;
  }
  return doomed;
}
