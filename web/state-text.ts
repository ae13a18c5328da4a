/** The node's state in words: a short chip label and a sentence that says what is happening. */
import type { NodeState, ServerRetry } from '../src/node/mesh-node';
import { ORIGIN_FORBIDDEN_DETAIL, SERVER_UNREACHABLE_DETAIL } from '../src/node/server-failure';

/** What the state chip shows. */
export interface StateText {
  /** One word for the chip: joining, connected, isolated, offline, stopped. */
  label: NodeState;
  /** A sentence for the line under the chip (empty when there is nothing to add). */
  sentence: string;
  /**
   * The part of `sentence` that changes every second (the retry countdown, e.g. "retrying in 8 s"), or '' when
   * there is none: the page keeps it out of its live region, so a screen reader is not told the time every second.
   */
  countdown: string;
}

const SERVER_UNREACHABLE = SERVER_UNREACHABLE_DETAIL;

/** What a page whose origin the server refused is told (the driver's detail, capitalised). */
export const ORIGIN_FORBIDDEN_SENTENCE = "This page's origin is not allowed by the signaling server";

const SENTENCES: Record<NodeState, string> = {
  joining: 'Contacting the signaling server and the first peers…',
  connected: '',
  isolated: 'No open link to any member — looking for peers…',
  offline: 'Not connected to anyone.',
  stopped: 'This node has left the mesh.',
};

/**
 * When the server is tried again: "retrying now…" while an attempt runs (or is due), "retrying in N s" (whole
 * seconds, rounded up) while the node waits, "retrying…" when the time is not known.
 */
export function retryWords(retry: ServerRetry | undefined): string {
  if (retry === undefined) return 'retrying…';
  if (retry.attempting || retry.retryInMs === 0) return 'retrying now…';
  if (retry.retryInMs === null) return 'retrying…';
  return `retrying in ${Math.ceil(retry.retryInMs / 1_000)} s`;
}

/** What a first tab alone in its room is told (it stays `joining` until someone else comes). */
export const ALONE_SENTENCE = 'Connected to the signaling server; nobody else is in this room yet. Open the share link in another tab or browser to invite someone.';

/**
 * Words for a state and its detail. A server failure reads as what the node does about it: the driver keeps
 * retrying with back-off, so the page says so (and when, given `retry`) instead of a bare error. `alone`: the node
 * holds its server socket and knows no member, so it is waiting for someone rather than contacting anyone.
 */
export function stateText(state: NodeState, detail: string | undefined, retry?: ServerRetry, alone = false): StateText {
  if (state === 'joining' && alone) return { label: state, sentence: ALONE_SENTENCE, countdown: '' };
  const serverProblem = state === 'offline' || state === 'isolated';
  if (detail !== undefined && detail.startsWith(ORIGIN_FORBIDDEN_DETAIL) && serverProblem) {
    // Not "unreachable": the server answered. It is asked again on the same slow back-off (its allow-list may change).
    const countdown = retryWords(retry);
    return { label: state, sentence: `${ORIGIN_FORBIDDEN_SENTENCE} — ${countdown}`, countdown };
  }
  if (detail !== undefined && detail.startsWith(SERVER_UNREACHABLE) && serverProblem) {
    const reason = detail.slice(SERVER_UNREACHABLE.length).replace(/^:\s*/, '');
    const countdown = retryWords(retry);
    return { label: state, sentence: `Signaling server unreachable — ${countdown}${reason ? ` (${reason})` : ''}`, countdown };
  }
  const base = SENTENCES[state];
  if (detail === undefined || detail === '') return { label: state, sentence: base, countdown: '' };
  return { label: state, sentence: base ? `${base} (${detail})` : detail, countdown: '' };
}
