/**
 * The routing log on the page: newest line first, bounded, each line a toggle button with a tag naming its kind
 * (its tooltip says what the kind means); selecting one highlights its path on the graph (and selecting it again
 * clears). Above it, a filter by kind and a legend, both made from `LOG_KINDS`. Lines are added in batches once
 * per frame, so a burst of gossip costs one DOM update.
 */
import { BoundedLog, LOG_KINDS, type LogLine, type LogLineKind } from './route-log-model';

/** Elements the log lives in. */
export interface RouteLogElements {
  list: HTMLOListElement;
  /** Where the filter and the legend go. */
  controls: HTMLElement;
  empty: HTMLElement;
}

const MEANING = new Map(LOG_KINDS.map((k) => [k.kind, k.meaning]));

/** The small tag naming a line's kind. */
function tag(kind: LogLineKind): HTMLSpanElement {
  const element = document.createElement('span');
  element.className = 'tag';
  element.dataset['kind'] = kind;
  element.textContent = LOG_KINDS.find((k) => k.kind === kind)?.tag ?? kind;
  return element;
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
    elements.controls.replaceChildren(this.filter(), legend());
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

  /** One checkbox per kind; unchecking one hides its lines. */
  private filter(): HTMLFieldSetElement {
    const fieldset = document.createElement('fieldset');
    fieldset.className = 'log-filter';
    const caption = document.createElement('legend');
    caption.textContent = 'Show';
    fieldset.append(caption);
    for (const { kind, label, meaning } of LOG_KINDS) {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = true;
      box.value = kind;
      box.addEventListener('change', () => this.elements.list.classList.toggle(`hide-${kind}`, !box.checked));
      const item = document.createElement('label');
      item.title = meaning;
      item.append(box, ` ${label}`);
      fieldset.append(item);
    }
    return fieldset;
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
    button.title = MEANING.get(line.kind) ?? '';
    button.append(time, ' ', tag(line.kind), ` ${line.text}`);
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

/** "What the lines mean": each kind's tag, name and meaning, folded away until asked for. */
function legend(): HTMLDetailsElement {
  const details = document.createElement('details');
  details.className = 'log-legend';
  const summary = document.createElement('summary');
  summary.textContent = 'What the lines mean';
  const list = document.createElement('dl');
  for (const { kind, label, meaning } of LOG_KINDS) {
    const term = document.createElement('dt');
    term.append(tag(kind), ` ${label}`);
    const definition = document.createElement('dd');
    definition.textContent = meaning;
    list.append(term, definition);
  }
  const hint = document.createElement('p');
  hint.textContent = 'Each line shows the path a frame took so far, as short IDs, origin first. A member’s short ID is the one on the graph and in the peer table.';
  details.append(summary, list, hint);
  return details;
}
