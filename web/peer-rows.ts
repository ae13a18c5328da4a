/**
 * The peer table's rows as data: what each peer is to this node (neighbour, known, suspect), with its LastSeen,
 * score, round trip and hop distance; sorting and filtering. Pure, so it is tested without a DOM.
 */
import type { PeerView } from '../src/core';

/** What a peer is to this node, as the table shows it. */
export type PeerRole = 'neighbour' | 'known' | 'suspect';

/** One row of the peer table. */
export interface PeerRow {
  id: string;
  role: PeerRole;
  lastSeenMs: number;
  score: number;
  rttMs: number | null;
  hops: number | null;
}

/** Columns the table sorts by. */
export type SortKey = 'id' | 'role' | 'lastSeen' | 'score' | 'rtt' | 'hops';

/** A sort order: column and direction. */
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

/** Most recently seen first, as the page opens. */
export const DEFAULT_SORT: SortOrder = { key: 'lastSeen', descending: true };

/** Route facts per member, as `routeInfo()` returns them. */
export type RouteInfo = Record<string, { hops: number | null; rttMs: number | null }>;

/** Rows for every member (tombstones are left out: a departed peer leaves the table). */
export function buildPeerRows(peers: readonly PeerView[], routes: RouteInfo): PeerRow[] {
  const rows: PeerRow[] = [];
  for (const peer of peers) {
    if (peer.state === 'dead') continue;
    // A suspect that still holds a link is shown as suspect: the doubt is the news worth seeing.
    const role: PeerRole = peer.state === 'suspect' ? 'suspect' : peer.neighbour ? 'neighbour' : 'known';
    const route = routes[peer.id];
    rows.push({ id: peer.id, role, lastSeenMs: peer.lastSeenMs, score: peer.score, rttMs: route?.rttMs ?? null, hops: route?.hops ?? null });
  }
  return rows;
}

const ROLE_RANK: Record<PeerRole, number> = { neighbour: 0, known: 1, suspect: 2 };

function sortValue(row: PeerRow, key: SortKey): string | number | null {
  switch (key) {
    case 'id':
      return row.id;
    case 'role':
      return ROLE_RANK[row.role];
    case 'lastSeen':
      return row.lastSeenMs;
    case 'score':
      return row.score;
    case 'rtt':
      return row.rttMs;
    case 'hops':
      return row.hops;
  }
}

/** A sorted copy; unknown values (no RTT, no route) go last in both directions, ties break by ID. */
export function sortRows(rows: readonly PeerRow[], order: SortOrder): PeerRow[] {
  const sign = order.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, order.key);
    const vb = sortValue(b, order.key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      return (va < vb ? -1 : 1) * sign;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** Rows whose ID or role contains `text` (case-insensitive; blank keeps all). */
export function filterRows(rows: readonly PeerRow[], text: string): PeerRow[] {
  const needle = text.trim().toLowerCase();
  if (needle === '') return [...rows];
  return rows.filter((row) => row.id.toLowerCase().includes(needle) || row.role.includes(needle));
}
