/**
 * What the widget draws in its shadow root: a compact summary (member count, state, mini graph) that expands, as
 * a disclosure button, into a panel with this node and the peer list. Text only, never HTML from the mesh.
 */
import { buildGraphModel } from '../graph/graph-model';
import { GraphView } from '../graph/graph-view';
import { RingLayout } from '../graph/ring-layout';
import type { StarmeshHandle } from '../handle';
import { memberTotalText, membersWhoText, relativeTime, shortId } from '../format';
import { renderIdenticon } from '../identicon';
import { buildPeerRows, sortRows, DEFAULT_SORT } from '../peer-rows';
import { ORIGIN_FORBIDDEN_SENTENCE } from '../state-text';
import { ORIGIN_FORBIDDEN_DETAIL } from '../../src/node/server-failure';

/** How long a departed member stays on the mini graph. */
const DEPARTED_VISIBLE_MS = 6_000;
const IDENTICON_PX = 14;

function make<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** The widget's shadow content for one node. */
export class WidgetView {
  private readonly box = make('div', 'box');
  private readonly summary = make('button', 'summary');
  private readonly count = make('span', 'count', '0');
  private readonly countLabel = make('span', 'label', 'members');
  private readonly state = make('span', 'state', 'starting');
  /** Who the count counts: "you and 2 others". */
  private readonly who = make('p', 'who', 'starting');
  /** A problem the host page's owner must fix (the server refused this page's origin); hidden otherwise. */
  private readonly problem = make('p', 'problem');
  /** Links that could not be made and why (hidden while there are none). */
  private readonly trouble = make('p', 'trouble');
  private readonly graphSlot = make('div', 'graph-slot');
  private readonly panel = make('div', 'panel');
  private readonly self = make('p', 'self');
  private readonly peers = make('ul', 'peers');
  private readonly empty = make('p', 'empty', 'No peers yet.');
  private graph: GraphView | undefined;
  private handle: StarmeshHandle | undefined;

  constructor(
    root: ShadowRoot,
    private readonly onToggle: (expanded: boolean) => void,
  ) {
    this.summary.type = 'button';
    this.summary.setAttribute('aria-expanded', 'false');
    this.panel.id = 'panel';
    this.panel.hidden = true;
    this.summary.setAttribute('aria-controls', 'panel');
    this.summary.append(this.count, this.countLabel, this.state);
    this.summary.addEventListener('click', () => this.setExpanded(this.panel.hidden));
    this.peers.setAttribute('aria-label', 'Peers');
    this.panel.append(this.self, this.peers, this.empty);
    this.problem.hidden = true;
    this.problem.setAttribute('role', 'status');
    this.trouble.setAttribute('role', 'status');
    this.trouble.hidden = true;
    this.box.append(this.summary, this.who, this.problem, this.trouble, this.graphSlot, this.panel);
    root.append(this.box);
  }

  /** Opens or closes the panel. */
  setExpanded(expanded: boolean): void {
    this.panel.hidden = !expanded;
    this.box.classList.toggle('expanded', expanded);
    this.summary.setAttribute('aria-expanded', String(expanded));
    this.onToggle(expanded);
  }

  /** Shows the node once it exists. */
  attach(handle: StarmeshHandle, room: string): void {
    this.handle = handle;
    // A ring, not the page's force layout: stable, readable at this size, and no d3-force in the bundle.
    this.graph = new GraphView(
      handle.id,
      { widthPx: 300, heightPx: 180, nodeRadiusPx: 8, labels: false, title: 'Mesh topology' },
      (options, _onTick, onSettled) => new RingLayout(options, onSettled),
    );
    this.graphSlot.replaceChildren(this.graph.element);
    const id = make('code', '', shortId(handle.id));
    id.title = handle.id;
    this.self.replaceChildren(renderIdenticon(handle.id, IDENTICON_PX), 'This node ', id, ` · room ${room}`);
  }

  /** Shows a start-up failure. */
  showFailure(message: string): void {
    this.state.textContent = 'offline';
    this.state.dataset['state'] = 'offline';
    this.summary.title = message;
  }

  /** Redraws counts, state, graph and list. */
  render(nowMs: number): void {
    const handle = this.handle;
    if (!handle) return;
    const peers = handle.peers();
    // Counted with this node, as a newcomer counts the tabs open: "3 members: you and 2 others".
    const others = handle.members().length;
    this.count.textContent = String(others + 1);
    this.countLabel.textContent = others === 0 ? 'member' : 'members';
    this.who.textContent = membersWhoText(others);
    const state = handle.state();
    this.state.textContent = state;
    this.state.dataset['state'] = state;
    const refused = (state === 'offline' || state === 'isolated') && (handle.stateDetail() ?? '').startsWith(ORIGIN_FORBIDDEN_DETAIL);
    this.problem.hidden = !refused;
    this.problem.textContent = refused ? ORIGIN_FORBIDDEN_SENTENCE : '';
    const note = handle.linkTrouble().message;
    if (this.trouble.textContent !== note) this.trouble.textContent = note;
    this.trouble.hidden = note === '';
    this.summary.setAttribute('aria-label', `Starmesh: ${memberTotalText(others)} (${membersWhoText(others)}), ${state}. Show peers`);
    this.graph?.update(buildGraphModel({ selfId: handle.id, peers, topology: handle.topology(), nowMs, departedVisibleMs: DEPARTED_VISIBLE_MS }));
    if (this.panel.hidden) return;
    const rows = sortRows(buildPeerRows(peers, handle.routeInfo()), DEFAULT_SORT);
    this.peers.replaceChildren(
      ...rows.map((row) => {
        const item = make('li', 'peer');
        item.dataset['peer'] = row.id;
        const id = make('code', '', shortId(row.id));
        id.title = row.id;
        const role = make('span', 'role', `${row.role} · ${relativeTime(row.lastSeenMs, nowMs)}`);
        role.dataset['role'] = row.role;
        item.append(renderIdenticon(row.id, IDENTICON_PX), id, role);
        return item;
      }),
    );
    this.empty.hidden = rows.length > 0;
  }

  /** Stops the graph's layout and clears what the node showed (a new node may come: `attach` again). */
  destroy(): void {
    this.graph?.destroy();
    this.graph = this.handle = undefined;
    this.graphSlot.replaceChildren();
    this.peers.replaceChildren();
    this.problem.hidden = true;
    this.problem.textContent = '';
    this.trouble.textContent = '';
    this.trouble.hidden = true;
    this.state.textContent = this.who.textContent = 'starting';
    delete this.state.dataset['state'];
  }
}
