/**
 * The peer table on the page: one row per member with identicon, role, live LastSeen, score, RTT and hops; column
 * headers are sort buttons (`aria-sort` tells screen readers), and a search field filters by ID or role.
 */
import { hopsText, relativeTime, rttText, shortId } from './format';
import { renderIdenticon } from './identicon';
import { DEFAULT_SORT, filterRows, sortRows, type PeerRow, type SortKey, type SortOrder } from './peer-rows';

/** Elements of the table. */
export interface PeerTableElements {
  table: HTMLTableElement;
  body: HTMLTableSectionElement;
  filter: HTMLInputElement;
  empty: HTMLElement;
}

const IDENTICON_PX = 16;

/** Keeps sort order and filter; `render` draws the rows it is given. */
export class PeerTable {
  private order: SortOrder = DEFAULT_SORT;
  private rows: PeerRow[] = [];
  private nowMs = 0;

  constructor(private readonly elements: PeerTableElements) {
    elements.table.querySelectorAll<HTMLButtonElement>('th button[data-sort]').forEach((button) => {
      button.addEventListener('click', () => this.sortBy(button.dataset['sort'] as SortKey));
    });
    elements.filter.addEventListener('input', () => this.draw());
    this.markSortedColumn();
  }

  /** Draws `rows` as of `nowMs`. */
  render(rows: PeerRow[], nowMs: number): void {
    this.rows = rows;
    this.nowMs = nowMs;
    this.draw();
  }

  private sortBy(key: SortKey): void {
    // A second click on the sorted column flips it; a new column starts with the direction that reads best.
    this.order = this.order.key === key ? { key, descending: !this.order.descending } : { key, descending: key === 'lastSeen' || key === 'score' };
    this.markSortedColumn();
    this.draw();
  }

  private markSortedColumn(): void {
    this.elements.table.querySelectorAll<HTMLTableCellElement>('th').forEach((th) => {
      const key = th.querySelector<HTMLButtonElement>('button[data-sort]')?.dataset['sort'];
      if (key === this.order.key) th.setAttribute('aria-sort', this.order.descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    });
  }

  private draw(): void {
    const { body, filter, empty } = this.elements;
    const shown = sortRows(filterRows(this.rows, filter.value), this.order);
    body.replaceChildren(...shown.map((row) => this.row(row)));
    empty.hidden = shown.length > 0;
    empty.textContent = this.rows.length === 0 ? 'No peers yet. Open this page in another tab or browser (same room) to see one appear.' : `No peer matches “${filter.value.trim()}”.`;
  }

  private row(peer: PeerRow): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.dataset['peer'] = peer.id;
    const idCell = document.createElement('td');
    idCell.className = 'id-cell';
    idCell.title = peer.id;
    const code = document.createElement('code');
    code.textContent = shortId(peer.id);
    idCell.append(renderIdenticon(peer.id, IDENTICON_PX), code);
    const cells: Array<[string, string?]> = [
      [peer.role, peer.role],
      [relativeTime(peer.lastSeenMs, this.nowMs)],
      [peer.score.toFixed(2)],
      [rttText(peer.rttMs)],
      [hopsText(peer.hops)],
    ];
    tr.append(idCell);
    for (const [text, role] of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (role !== undefined) cell.dataset['role'] = role;
      tr.append(cell);
    }
    (tr.children[2] as HTMLElement).title = new Date(peer.lastSeenMs).toISOString();
    return tr;
  }
}
