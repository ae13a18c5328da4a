/** A scheduled action in virtual time. `seq` breaks ties so that equal times run in scheduling order. */
interface Scheduled {
  atMs: number;
  seq: number;
  run: () => void;
}

/**
 * A binary min-heap of actions keyed by virtual time: the simulator's only clock. Deterministic: equal times
 * run in the order they were scheduled.
 */
export class EventQueue {
  private readonly heap: Scheduled[] = [];
  private seq = 0;
  private current = 0;

  /** Virtual time of the action being run (or the last one run). */
  get nowMs(): number {
    return this.current;
  }

  /** Number of pending actions. */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules `run` at `atMs` (never in the past). */
  at(atMs: number, run: () => void): void {
    this.push({ atMs: Math.max(atMs, this.current), seq: this.seq++, run });
  }

  /** Runs actions in time order until the queue is empty or the next one is after `untilMs`. */
  runUntil(untilMs: number): void {
    while (this.heap.length > 0 && (this.heap[0] as Scheduled).atMs <= untilMs) {
      const next = this.pop();
      this.current = next.atMs;
      next.run();
    }
    this.current = Math.max(this.current, untilMs);
  }

  private push(item: Scheduled): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent] as Scheduled)) break;
      heap[i] = heap[parent] as Scheduled;
      i = parent;
    }
    heap[i] = item;
  }

  private pop(): Scheduled {
    const heap = this.heap;
    const top = heap[0] as Scheduled;
    const last = heap.pop() as Scheduled;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && before(heap[right] as Scheduled, heap[left] as Scheduled) ? right : left;
        if (!before(heap[child] as Scheduled, last)) break;
        heap[i] = heap[child] as Scheduled;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
