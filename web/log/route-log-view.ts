/**
 * The routing log on the page: newest line first, bounded, each line a toggle button; selecting one highlights its
 * path on the graph (and selecting it again clears). Gossip lines can be hidden. Lines are added in batches once
 * per frame, so a burst of gossip costs one DOM update.
 */
import { BoundedLog, type LogLine } from './route-log-model';

/** Elements the log lives in. */
export interface RouteLogElements {
  list: HTMLOListElement;
  showGossip: HTMLInputElement;
  empty: HTMLElement;
}

/** Lines kept. */
export const LOG_CAPACITY = 200;

/** The routing log's view; `onSelect` receives the selected line's trace (null when cleared). */
export class RouteLogView {
  private readonly log = new BoundedLog(LOG_CAPACITY);
  private readonly items = new Map<number, HTMLLIElement>();
  private pending: LogLine[] = [];
  private frameQueued = false;
  private selected: number | null = null;

  constructor(
    private readonly elements: RouteLogElements,
    private readonly onSelect: (trace: string[] | null) => void,
  ) {
    elements.list.addEventListener('click', (event) => {
      const button = (event.target as Element | null)?.closest('button[data-seq]');
      if (button instanceof HTMLButtonElement) this.toggle(Number(button.dataset['seq']));
    });
    elements.showGossip.addEventListener('change', () => {
      elements.list.classList.toggle('hide-gossip', !elements.showGossip.checked);
    });
  }

  /** Adds a line (drawn on the next frame) and returns it. */
  add(line: Omit<LogLine, 'seq' | 'atMs'>, nowMs: number): LogLine {
    const full = this.log.push(line, nowMs);
    this.pending.push(full);
    if (!this.frameQueued) {
      this.frameQueued = true;
      requestAnimationFrame(() => this.flush());
    }
    return full;
  }

  /** Selects line `seq` (highlighting its path), drawing it first if it is still pending. */
  select(seq: number): void {
    this.flush();
    if (this.selected !== seq) this.toggle(seq);
  }

  private flush(): void {
    this.frameQueued = false;
    const batch = this.pending;
    this.pending = [];
    const kept = new Set(this.log.list().map((line) => line.seq));
    const fragment = document.createDocumentFragment();
    for (const line of batch.reverse()) if (kept.has(line.seq)) fragment.append(this.item(line));
    this.elements.list.prepend(fragment);
    for (const [seq, item] of this.items) {
      if (kept.has(seq)) continue;
      item.remove();
      this.items.delete(seq);
      if (this.selected === seq) this.clearSelection();
    }
    this.elements.empty.hidden = this.items.size > 0;
  }

  private item(line: LogLine): HTMLLIElement {
    const item = document.createElement('li');
    item.dataset['kind'] = line.kind;
    if (line.failed) item.dataset['failed'] = 'true';
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset['seq'] = String(line.seq);
    button.setAttribute('aria-pressed', 'false');
    const time = document.createElement('time');
    time.dateTime = new Date(line.atMs).toISOString();
    time.textContent = new Date(line.atMs).toLocaleTimeString([], { hour12: false });
    button.append(time, ` ${line.text}`);
    item.append(button);
    this.items.set(line.seq, item);
    return item;
  }

  private toggle(seq: number): void {
    const previous = this.selected === null ? undefined : this.items.get(this.selected);
    previous?.querySelector('button')?.setAttribute('aria-pressed', 'false');
    if (this.selected === seq) {
      this.clearSelection();
      return;
    }
    const line = this.log.get(seq);
    const item = this.items.get(seq);
    if (!line || !item) return;
    this.selected = seq;
    item.querySelector('button')?.setAttribute('aria-pressed', 'true');
    this.onSelect(line.trace);
  }

  private clearSelection(): void {
    this.selected = null;
    this.onSelect(null);
  }
}
