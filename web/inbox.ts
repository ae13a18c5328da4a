/** Messages delivered to this node, newest first, bounded; each with its sender and the trace it came by. */
import type { RoutedDelivery } from '../src/routing/router';
import { shortId, traceText } from './format';
import { clip } from './log/route-log-model';

/** Messages kept in the list. */
const INBOX_CAPACITY = 50;
/** Longest text shown per message (the rest is cut; the sender is untrusted). */
const MAX_INBOX_TEXT_CHARS = 500;

/** Adds `delivery` at the top of `list` (text only, never HTML) and drops the oldest beyond capacity. */
export function showDelivery(list: HTMLOListElement, empty: HTMLElement, delivery: RoutedDelivery, nowMs: number): void {
  const item = document.createElement('li');
  item.dataset['from'] = delivery.from;
  item.dataset['trace'] = delivery.trace.join(' ');
  const head = document.createElement('span');
  head.className = 'meta';
  const time = new Date(nowMs).toLocaleTimeString([], { hour12: false });
  head.textContent = `${time} · ${delivery.kind} from ${shortId(delivery.from)} · ${delivery.hops} ${delivery.hops === 1 ? 'hop' : 'hops'}: ${traceText(delivery.trace)}`;
  head.title = delivery.trace.join(' → ');
  const body = document.createElement('q');
  body.textContent = clip(delivery.data, MAX_INBOX_TEXT_CHARS);
  item.append(head, body);
  list.prepend(item);
  while (list.children.length > INBOX_CAPACITY) list.lastElementChild?.remove();
  empty.hidden = true;
}
