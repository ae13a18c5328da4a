/**
 * `<starmesh-widget room="…" signal="…">`: a mesh node in any page, in one tag. Its UI lives in an open shadow
 * root (styles isolated both ways); it emits `starmesh-*` DOM events (see widget-events.ts) and exposes the node's
 * scripting handle as `.node` (the same API as the page's `window.starmesh`) and `.ready`.
 *
 * Attributes, all observed: `room`, `signal` (ws:// or wss:// URL), `options` (interval overrides in the page's
 * URL syntax, e.g. `gossipMs=500&pingMs=500`), `ice-servers` (JSON of an RTCIceServer[], as the page's `ice`) and
 * `ice-transport-policy` (`all`/`relay`) choose the node, so changing one stops it and starts a new one;
 * `expanded` opens the panel, `theme` (`light`/`dark`, default: the system's) restyles.
 */
import { startBrowserNode } from '../../src/browser/start-browser-node';
import { createHandle, type StarmeshHandle } from '../handle';
import { browserNodeConfig, readPageConfig } from '../params';
import graphCss from '../graph/graph.css?inline';
import widgetCss from './widget.css?inline';
import { forwardEvents } from './widget-events';
import { WidgetView } from './widget-view';

/** Refresh period of the relative times and departures. */
const TICK_INTERVAL_MS = 1_000;
/** Attributes that choose the node: a change means leaving and joining again with a new one. */
const NODE_ATTRIBUTES = ['room', 'signal', 'options', 'ice-servers', 'ice-transport-policy'];
/** Attribute → the page URL parameter it stands for (same syntax). */
const PARAM_ATTRIBUTES = { room: 'room', signal: 'signal', 'ice-servers': 'ice', 'ice-transport-policy': 'iceTransportPolicy' } as const;

/** The custom element class (registered as `starmesh-widget` by the entry module). */
export class StarmeshWidget extends HTMLElement {
  static readonly observedAttributes = [...NODE_ATTRIBUTES, 'expanded', 'theme'];

  private readonly view: WidgetView;
  private handle: StarmeshHandle | undefined;
  /** True from start to stop (a node is starting or running). */
  private running = false;
  /** Counts starts and stops: a start that finishes after a newer start or a stop is stale and is stopped. */
  private generation = 0;
  private restartQueued = false;
  private readonly cleanups: Array<() => void> = [];
  private resolveReady: (handle: StarmeshHandle) => void = () => {};
  private readyPromise = this.newReady();

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

  /** The node's scripting handle (see web/README.md), once started; a new one after `room`, `signal` or `options` change. */
  get node(): StarmeshHandle | undefined {
    return this.handle;
  }

  /** Resolves with the node's handle once it has started (after a restart, with the new node's). */
  get ready(): Promise<StarmeshHandle> {
    return this.readyPromise;
  }

  connectedCallback(): void {
    if (this.running) return;
    this.view.setExpanded(this.hasAttribute('expanded'));
    void this.start();
  }

  disconnectedCallback(): void {
    // Moving the element in the page disconnects and reconnects it in one task: only a real removal stops.
    queueMicrotask(() => {
      if (!this.isConnected) this.stop();
    });
  }

  /** `expanded` opens or closes the panel, `theme` restyles (by CSS) and redraws; the others restart the node. */
  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (old === value || !this.running) return;
    if (name === 'expanded') this.view.setExpanded(value !== null);
    else if (name === 'theme') this.view.render(this.handle?.wallNow() ?? Date.now());
    else this.queueRestart();
  }

  /** Restarts once for every attribute changed in the same task (a host often sets room and signal together). */
  private queueRestart(): void {
    if (this.restartQueued) return;
    this.restartQueued = true;
    queueMicrotask(() => {
      this.restartQueued = false;
      if (!this.running) return;
      this.stop();
      this.readyPromise = this.newReady();
      void this.start();
    });
  }

  private newReady(): Promise<StarmeshHandle> {
    return new Promise((resolve) => {
      this.resolveReady = resolve;
    });
  }

  private async start(): Promise<void> {
    this.running = true;
    const generation = ++this.generation;
    const search = new URLSearchParams(this.getAttribute('options') ?? '');
    for (const [attribute, param] of Object.entries(PARAM_ATTRIBUTES)) {
      const value = this.getAttribute(attribute);
      if (value !== null) search.set(param, value);
    }
    const config = readPageConfig(`?${search}`, location);
    for (const note of config.notes) console.warn(`starmesh-widget: ${note}`);
    if (config.iceError !== undefined) {
      // A host that configured TURN must not get a widget that quietly runs without it.
      const message = config.iceError.replace(/^ice=/, 'ice-servers=');
      console.error(`starmesh-widget: not started: ${message}`);
      this.view.showFailure(message);
      return;
    }
    try {
      const started = await startBrowserNode(browserNodeConfig(config));
      if (generation !== this.generation) {
        // Stopped or restarted while this node was starting: it is not wanted any more.
        started.node.stop();
        return;
      }
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

  /** Stops the node (neighbours get a goodbye) and clears the view. */
  private stop(): void {
    this.running = false;
    this.generation++;
    this.handle = undefined;
    while (this.cleanups.length > 0) this.cleanups.pop()?.();
    this.view.destroy();
  }
}
