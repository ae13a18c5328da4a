/**
 * The Starmesh page: reads its configuration from the URL, starts a mesh node in this tab, assigns the scripting
 * handle `window.starmesh` (see web/README.md) and renders the node's state and peer table.
 */
import { startBrowserNode } from '../src/browser/start-browser-node';
import { createHandle, type StarmeshHandle } from './handle';
import { readPageConfig } from './params';
import { render, showFatal, showIdentity, showNotes, showRoom } from './view';

declare global {
  interface Window {
    starmesh?: StarmeshHandle;
  }
}

/** How often the relative LastSeen times are refreshed. */
const RENDER_INTERVAL_MS = 1000;

async function main(): Promise<void> {
  const config = readPageConfig(location.search, location);
  showNotes(config.notes);
  showRoom(config.room);
  for (const note of config.notes) console.warn(`starmesh: ${note}`);

  const started = await startBrowserNode({ signalUrl: config.signalUrl, room: config.room, membership: config.membership });
  const handle = createHandle(started);
  // A plain assignment: test fixtures hook the setter to subscribe to events before any are missed.
  window.starmesh = handle;
  showIdentity(handle);

  // Re-render on changes (coalesced to one frame) and every second for the relative times.
  let queued = false;
  const refresh = (): void => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render(handle, Date.now());
    });
  };
  const { node } = started;
  node.on('state', (change) => {
    console.info(`starmesh: state ${change.state}${change.detail === undefined ? '' : ` (${change.detail})`}`);
    refresh();
  });
  node.on('membership', refresh);
  const timer = setInterval(() => render(handle, Date.now()), RENDER_INTERVAL_MS);
  render(handle, Date.now());

  addEventListener('pagehide', () => {
    clearInterval(timer);
    // stop() right away, not after the write, so the goodbye goes out while the links are still open; leaving
    // closes links but does not touch the table the flush saves.
    void started.flush();
    node.stop();
  });
  // Back from the back/forward cache the node is stopped: start afresh (same tab, so same ID).
  addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload();
  });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`starmesh: could not start: ${message}`);
  showFatal(message);
});
