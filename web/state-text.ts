/** The node's state in words: a short chip label and a sentence that says what is happening. */
import type { NodeState } from '../src/node/mesh-node';

/** What the state chip shows. */
export interface StateText {
  /** One word for the chip: joining, connected, isolated, offline, stopped. */
  label: NodeState;
  /** A sentence for the line under the chip (empty when there is nothing to add). */
  sentence: string;
}

const SERVER_UNREACHABLE = 'signaling server unreachable';

const SENTENCES: Record<NodeState, string> = {
  joining: 'Contacting the signaling server and the first peers…',
  connected: '',
  isolated: 'No open link to any member — looking for peers…',
  offline: 'Not connected to anyone.',
  stopped: 'This node has left the mesh.',
};

/**
 * Words for a state and its detail. A server failure reads as what the node does about it: the driver keeps
 * retrying with back-off, so the page says so instead of a bare error.
 */
export function stateText(state: NodeState, detail: string | undefined): StateText {
  if (detail !== undefined && detail.startsWith(SERVER_UNREACHABLE) && (state === 'offline' || state === 'isolated')) {
    const reason = detail.slice(SERVER_UNREACHABLE.length).replace(/^:\s*/, '');
    return { label: state, sentence: `Signaling server unreachable — retrying…${reason ? ` (${reason})` : ''}` };
  }
  const base = SENTENCES[state];
  if (detail === undefined || detail === '') return { label: state, sentence: base };
  return { label: state, sentence: base ? `${base} (${detail})` : detail };
}
