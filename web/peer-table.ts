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

/** One peer's row: role, LastSeen, score, RTT and hops cells after the ID cell. */
interface RowElements {
  tr: HTMLTableRowElement;
  cells: [HTMLTableCellElement, HTMLTableCellElement, HTMLTableCellElement, HTMLTableCellElement, HTMLTableCellElement];
}

/** Keeps sort order and filter; `render` draws the rows it is given. */
export class PeerTable {
  private order: SortOrder = DEFAULT_SORT;
  private rows: PeerRow[] = [];
  private nowMs = 0;
  /** The DOM row of each peer shown (or shown before and still listed). */
  private readonly rowEls = new Map<string, RowElements>();

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
    // Rows are kept per peer and only their texts change: redrawing every second must not rebuild the DOM (it
    // would cost CPU in every tab, and reset a text selection or the hover under the pointer).
    const wanted = new Set(shown.map((row) => row.id));
    for (const [id, row] of this.rowEls) {
      if (wanted.has(id)) continue;
      row.tr.remove();
      this.rowEls.delete(id);
    }
    const trs = shown.map((peer) => this.update(peer));
    const inOrder = trs.length === body.children.length && trs.every((tr, i) => body.children[i] === tr);
    if (!inOrder) body.replaceChildren(...trs);
    empty.hidden = shown.length > 0;
    const emptyText = this.rows.length === 0 ? 'No peers yet. Open this page in another tab or browser (same room) to see one appear.' : `No peer matches “${filter.value.trim()}”.`;
    if (empty.textContent !== emptyText) empty.textContent = emptyText;
  }

  /** The row of `peer`, created on first sight (with its identicon), its cells brought up to date. */
  private update(peer: PeerRow): HTMLTableRowElement {
    let row = this.rowEls.get(peer.id);
    if (row === undefined) {
      row = this.create(peer.id);
      this.rowEls.set(peer.id, row);
    }
    const [role, lastSeen, score, rtt, hops] = row.cells;
    setCell(role, peer.role);
    if (role.dataset['role'] !== peer.role) role.dataset['role'] = peer.role;
    setCell(lastSeen, relativeTime(peer.lastSeenMs, this.nowMs));
    const seenIso = new Date(peer.lastSeenMs).toISOString();
    if (lastSeen.title !== seenIso) lastSeen.title = seenIso;
    setCell(score, peer.score.toFixed(2));
    setCell(rtt, rttText(peer.rttMs));
    setCell(hops, hopsText(peer.hops));
    return row.tr;
  }

  private create(id: string): RowElements {
    const tr = document.createElement('tr');
    tr.dataset['peer'] = id;
    const idCell = document.createElement('td');
    idCell.className = 'id-cell';
    idCell.title = id;
    const code = document.createElement('code');
    code.textContent = shortId(id);
    idCell.append(renderIdenticon(id, IDENTICON_PX), code);
    const cells = [0, 1, 2, 3, 4].map(() => document.createElement('td')) as RowElements['cells'];
    tr.append(idCell, ...cells);
    return { tr, cells };
  }
}

/** Sets a cell's text only when it changed (an unchanged write still invalidates layout). */
function setCell(cell: HTMLTableCellElement, text: string): void {
  if (cell.textContent !== text) cell.textContent = text;
}
