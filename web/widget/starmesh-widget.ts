/**
 * `<starmesh-widget room="…" signal="…">`: a mesh node in any page, in one tag. Its UI lives in an open shadow
 * root (styles isolated both ways); it emits `starmesh-*` DOM events (see widget-events.ts) and exposes the node's
 * scripting handle as `.node` (the same API as the page's `window.starmesh`) and `.ready`.
 *
 * Attributes, read when the element is connected: `room`, `signal` (ws:// or wss:// URL), `options` (interval
 * overrides in the page's URL syntax, e.g. `gossipMs=500&pingMs=500`), `expanded` (open the panel), `theme`
 * (`light`/`dark`, default: the system's).
 */
import { startBrowserNode } from '../../src/browser/start-browser-node';
import { createHandle, type StarmeshHandle } from '../handle';
import { readPageConfig } from '../params';
import graphCss from '../graph/graph.css?inline';
import widgetCss from './widget.css?inline';
import { forwardEvents } from './widget-events';
import { WidgetView } from './widget-view';

/** Refresh period of the relative times and departures. */
const TICK_INTERVAL_MS = 1_000;

/** The custom element class (registered as `starmesh-widget` by the entry module). */
export class StarmeshWidget extends HTMLElement {
  private readonly view: WidgetView;
  private handle: StarmeshHandle | undefined;
  private started = false;
  private readonly cleanups: Array<() => void> = [];
  private resolveReady: (handle: StarmeshHandle) => void = () => {};
  /** Resolves with the node's handle once it has started. */
  readonly ready: Promise<StarmeshHandle> = new Promise((resolve) => {
    this.resolveReady = resolve;
  });

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = `${graphCss}\n${widgetCss}`;
    root.append(style);
    this.view = new WidgetView(root, (expanded) => {
      this.toggleAttribute('expanded', expanded);
      this.view.render(this.handle?.wallNow() ?? Date.now());
    });
  }

  /** The node's scripting handle (see web/README.md), once started. */
  get node(): StarmeshHandle | undefined {
    return this.handle;
  }

  connectedCallback(): void {
    if (this.started) return;
    this.started = true;
    if (this.hasAttribute('expanded')) this.view.setExpanded(true);
    void this.start();
  }

  disconnectedCallback(): void {
    // Moving the element in the page disconnects and reconnects it in one task: only a real removal stops.
    queueMicrotask(() => {
      if (!this.isConnected) this.stop();
    });
  }

  private async start(): Promise<void> {
    const search = new URLSearchParams(this.getAttribute('options') ?? '');
    for (const name of ['room', 'signal']) {
      const value = this.getAttribute(name);
      if (value !== null) search.set(name, value);
    }
    const config = readPageConfig(`?${search}`, location);
    for (const note of config.notes) console.warn(`starmesh-widget: ${note}`);
    try {
      const started = await startBrowserNode({ signalUrl: config.signalUrl, room: config.room, membership: config.membership });
      const handle = createHandle(started);
      this.handle = handle;
      this.view.attach(handle, config.room);
      // The node's display time: peers' times are on its scale, which a wall-clock jump does not move.
      const redraw = (): void => this.view.render(handle.wallNow());
      const timer = setInterval(redraw, TICK_INTERVAL_MS);
      const onPageHide = (): void => this.stop();
      addEventListener('pagehide', onPageHide);
      this.cleanups.push(
        forwardEvents(handle, this),
        handle.on('membership', redraw),
        handle.on('state', redraw),
        handle.on('topology', redraw),
        () => clearInterval(timer),
        () => removeEventListener('pagehide', onPageHide),
        () => {
          void started.flush();
          started.node.stop();
        },
      );
      redraw();
      this.resolveReady(handle);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`starmesh-widget: could not start: ${message}`);
      this.view.showFailure(message);
    }
  }

  private stop(): void {
    while (this.cleanups.length > 0) this.cleanups.pop()?.();
    this.view.destroy();
  }
}
