/** The "This node" panel: identicon and short ID, state chip with a sentence, room link, members, uptime, persistence. */
import { durationText, memberTotalText, shortId } from './format';
import type { StarmeshHandle } from './handle';
import { renderIdenticon } from './identicon';
import { stateText, type StateText } from './state-text';

const IDENTICON_PX = 40;

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`starmesh page: #${id} missing from index.html`);
  return found as T;
}

/** Sets text only when it changed (live regions would otherwise repeat themselves every second). */
function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Shows configuration notes (ignored URL parameters). */
export function showNotes(notes: readonly string[]): void {
  const list = el<HTMLUListElement>('notes');
  list.replaceChildren(...notes.map((note) => Object.assign(document.createElement('li'), { textContent: note })));
  list.hidden = notes.length === 0;
}

/** Shows the room and its shareable link before the node exists; the copy button copies the link. */
export function showRoom(room: string, link: string): void {
  el('node-room').textContent = room;
  const anchor = el<HTMLAnchorElement>('room-link');
  anchor.href = link;
  anchor.textContent = link;
  const copy = el<HTMLButtonElement>('copy-link');
  const status = el('copy-status');
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(link).then(
      () => setText(status, 'Link copied.'),
      () => setText(status, 'Could not copy: select the link and copy it by hand.'),
    );
  });
}

/** Shows a start-up failure (no node could be created). */
export function showFatal(message: string): void {
  const state = el('node-state');
  state.textContent = 'offline';
  state.dataset['state'] = 'offline';
  renderSentence({ label: 'offline', sentence: `Could not start: ${message}`, countdown: '' });
}

/** Shows the node's ID and identicon (fixed for the page's life). */
export function showIdentity(handle: StarmeshHandle): void {
  const id = el('node-id');
  id.textContent = shortId(handle.id);
  id.title = handle.id;
  el('node-identicon').replaceChildren(renderIdenticon(handle.id, IDENTICON_PX));
}

/**
 * The sentence under the state chip. The live region announces it when it changes; a countdown in it ("retrying
 * in 8 s") has its own element with `aria-live="off"`, so its ticking is shown but not announced every second.
 */
function renderSentence({ sentence, countdown }: StateText): void {
  const at = countdown === '' ? -1 : sentence.indexOf(countdown);
  setText(el('node-state-lead'), at < 0 ? sentence : sentence.slice(0, at));
  setText(el('node-state-countdown'), at < 0 ? '' : countdown);
  setText(el('node-state-tail'), at < 0 ? '' : sentence.slice(at + countdown.length));
  el('node-state-detail').hidden = sentence === '';
}

/** "3 members: you and 2 others" (`#member-count` is the number of others, as `members()` counts). */
function renderMembers(others: number): void {
  setText(el('member-total'), memberTotalText(others));
  setText(el('member-count'), String(others));
  setText(el('member-others-word'), others === 1 ? 'other' : 'others');
  el('member-others').hidden = others === 0;
  setText(el('member-alone'), others === 0 ? ', nobody else yet' : '');
}

/** Re-renders what changes: state and its sentence (with the retry countdown), links that could not be made, members ("3 members: you and 2 others"), uptime, persistence. */
export function renderFacts(handle: StarmeshHandle, nowMs: number, startedAtMs: number): void {
  const alone = handle.members().length === 0 && handle.serverStatus().connected;
  const text = stateText(handle.state(), handle.stateDetail(), handle.serverRetry(), alone);
  const state = el('node-state');
  setText(state, text.label);
  state.dataset['state'] = text.label;
  renderSentence(text);
  const trouble = el('link-trouble');
  const note = handle.linkTrouble().message;
  setText(trouble, note);
  trouble.hidden = note === '';
  renderMembers(handle.members().length);
  setText(el('uptime'), durationText(nowMs - startedAtMs));
  const problem = handle.persistenceProblem();
  const persisted = handle.persistent && problem === undefined;
  const persistence = el('persistence');
  // A stored table that could not be used is worth saying even while saving works (it was dropped, not loaded).
  const restoreNote = handle.restoreProblem === null ? '' : ` (${handle.restoreProblem}: started empty)`;
  setText(persistence, persisted ? `persisted (IndexedDB)${restoreNote}` : `not persisted: ${problem ?? 'unknown reason'}`);
  persistence.dataset['state'] = persisted ? 'ok' : 'warn';
}
