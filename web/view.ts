/** Renders the node's facts and peer table into the elements of index.html (text only, never HTML). */
import type { PeerView } from '../src/core';
import type { StarmeshHandle } from './handle';

/** Length of the ID prefix shown (the full ID is in the title tooltip). */
const SHORT_ID_CHARS = 10;

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`starmesh page: #${id} missing from index.html`);
  return found as T;
}

/** Short form of an ID for display. */
export function shortId(id: string): string {
  return id.length > SHORT_ID_CHARS ? `${id.slice(0, SHORT_ID_CHARS)}…` : id;
}

/** "now", "12 s ago", "3 min ago", "2 h ago". */
export function relativeTime(thenMs: number, nowMs: number): string {
  const sec = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (sec < 1) return 'now';
  if (sec < 60) return `${sec} s ago`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ago`;
  return `${Math.floor(sec / 3600)} h ago`;
}

/** Shows configuration notes (ignored URL parameters). */
export function showNotes(notes: readonly string[]): void {
  const list = el<HTMLUListElement>('notes');
  list.replaceChildren(...notes.map((note) => Object.assign(document.createElement('li'), { textContent: note })));
  list.hidden = notes.length === 0;
}

/** Shows the room before the node exists. */
export function showRoom(room: string): void {
  el('node-room').textContent = room;
}

/** Shows a start-up failure (no node could be created). */
export function showFatal(message: string): void {
  const state = el('node-state');
  state.textContent = `offline: ${message}`;
  state.dataset['state'] = 'offline';
}

/** Shows the node's ID and persistence status (fixed for the page's life, except save failures). */
export function showIdentity(handle: StarmeshHandle): void {
  const id = el('node-id');
  id.textContent = shortId(handle.id);
  id.title = handle.id;
}

function peerRow(peer: PeerView, nowMs: number): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.dataset['peer'] = peer.id;
  const cells: Array<[string, string?]> = [
    [shortId(peer.id)],
    [peer.state, peer.state],
    [peer.neighbour ? 'yes' : 'no'],
    [relativeTime(peer.lastSeenMs, nowMs)],
    [peer.score.toFixed(2)],
  ];
  for (const [text, state] of cells) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (state !== undefined) cell.dataset['state'] = state;
    row.append(cell);
  }
  const idCell = row.firstElementChild as HTMLElement;
  idCell.title = peer.id;
  const seenCell = row.children[3] as HTMLElement;
  seenCell.title = new Date(peer.lastSeenMs).toISOString();
  return row;
}

/** Re-renders everything that changes: state, member count, persistence, peer table. */
export function render(handle: StarmeshHandle, nowMs: number): void {
  const state = el('node-state');
  const detail = handle.stateDetail();
  const stateText = detail === undefined ? handle.state() : `${handle.state()}: ${detail}`;
  // Only touch the live region when the text changes, or screen readers repeat it every second.
  if (state.textContent !== stateText) state.textContent = stateText;
  state.dataset['state'] = handle.state();
  el('member-count').textContent = String(handle.members().length);
  const problem = handle.persistenceProblem();
  el('persistence').textContent = handle.persistent && problem === undefined ? 'persisted (IndexedDB)' : `not persisted: ${problem ?? 'unknown reason'}`;
  const peers = handle.peers().sort((a, b) => b.lastSeenMs - a.lastSeenMs);
  el('peer-rows').replaceChildren(...peers.map((peer) => peerRow(peer, nowMs)));
  el('no-peers').hidden = peers.length > 0;
}
