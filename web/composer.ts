/**
 * The composer: pick a member or "all", type a message, send. A unicast reports its delivery (hops, round trip,
 * trace) or its failure code; a broadcast reports its message ID. The caller logs and draws the outcome.
 */
import type { UnicastResult } from '../src/routing/router';
import { shortId, traceText } from './format';

/** Value of the "everyone" option. */
export const ALL_MEMBERS = '*';

/** Elements of the composer form. */
export interface ComposerElements {
  form: HTMLFormElement;
  target: HTMLSelectElement;
  text: HTMLInputElement;
  send: HTMLButtonElement;
  result: HTMLElement;
}

/** What the composer needs from the node. */
export interface ComposerNode {
  send(to: string, data: string): Promise<UnicastResult>;
  broadcast(data: string): { msgId: string | null };
}

/** Outcome callbacks, for the log and the graph. */
export interface ComposerHooks {
  onUnicast(to: string, result: UnicastResult): void;
  onBroadcast(msgId: string | null): void;
}

/** The words shown after a unicast. */
export function unicastResultText(to: string, result: UnicastResult): string {
  if (result.ok) return `Delivered to ${shortId(to)} in ${result.hops} ${result.hops === 1 ? 'hop' : 'hops'} (${Math.round(result.rttMs)} ms): ${traceText(result.trace)}`;
  return `Not delivered to ${shortId(to)}: ${result.code}${result.detail === undefined ? '' : ` — ${result.detail}`}`;
}

/** Wires the form; call `setMembers` whenever membership changes. */
export class Composer {
  constructor(
    private readonly elements: ComposerElements,
    private readonly node: ComposerNode,
    private readonly hooks: ComposerHooks,
  ) {
    elements.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.setMembers([]);
  }

  /** Refreshes the target list, keeping the current choice while it is still a member. */
  setMembers(members: readonly string[]): void {
    const { target } = this.elements;
    const wanted = [ALL_MEMBERS, ...[...members].sort()];
    const current = [...target.options].map((o) => o.value);
    if (current.length === wanted.length && current.every((v, i) => v === wanted[i])) return;
    const chosen = target.value;
    const options = wanted.map((id) => {
      const option = document.createElement('option');
      option.value = id;
      option.textContent = id === ALL_MEMBERS ? 'Everyone (broadcast)' : shortId(id);
      if (id !== ALL_MEMBERS) option.title = id;
      return option;
    });
    target.replaceChildren(...options);
    target.value = wanted.includes(chosen) ? chosen : ALL_MEMBERS;
  }

  private async submit(): Promise<void> {
    const { target, text, send, result } = this.elements;
    const data = text.value;
    if (data.trim() === '') {
      result.textContent = 'Type a message first.';
      return;
    }
    const to = target.value;
    if (to === ALL_MEMBERS) {
      const { msgId } = this.node.broadcast(data);
      result.dataset['outcome'] = msgId === null ? 'failed' : 'sent';
      result.textContent = msgId === null ? 'Broadcast not sent: message too large or node stopped.' : `Broadcast sent to everyone (message ${msgId}).`;
      this.hooks.onBroadcast(msgId);
      return;
    }
    send.disabled = true;
    result.dataset['outcome'] = 'pending';
    result.textContent = `Sending to ${shortId(to)}…`;
    const outcome = await this.node.send(to, data);
    send.disabled = false;
    result.dataset['outcome'] = outcome.ok ? 'delivered' : 'failed';
    result.textContent = unicastResultText(to, outcome);
    this.hooks.onUnicast(to, outcome);
  }
}
