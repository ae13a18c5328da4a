/**
 * The Starmesh page: reads its configuration from the URL, starts a mesh node in this tab, assigns the scripting
 * handle `window.starmesh` (see web/README.md) and starts the live views (facts, graph, peers, log, composer).
 */
import { startBrowserNode } from '../src/browser/start-browser-node';
import { createHandle, type StarmeshHandle } from './handle';
import { startLiveViews } from './live-views';
import { showFatal, showIdentity, showNotes, showRoom } from './node-facts';
import { browserNodeConfig, readPageConfig } from './params';
import { roomLink } from './room-link';
import { initTheme } from './theme';

declare global {
  interface Window {
    starmesh?: StarmeshHandle;
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    // Blocked storage (privacy settings) throws on access: the theme is then not remembered.
    return undefined;
  }
}

async function main(): Promise<void> {
  const themeButton = document.getElementById('theme-toggle');
  if (themeButton instanceof HTMLButtonElement) initTheme(document.documentElement, themeButton, safeLocalStorage());
  const config = readPageConfig(location.search, location);
  showNotes(config.notes);
  showRoom(config.room, roomLink(location.href, config.room, new URLSearchParams(location.search).has('signal') ? config.signalUrl : null));
  for (const note of config.notes) console.warn(`starmesh: ${note}`);

  const startedAtMs = Date.now();
  const started = await startBrowserNode(browserNodeConfig(config));
  const handle = createHandle(started);
  // A plain assignment: test fixtures hook the setter to subscribe to events before any are missed.
  window.starmesh = handle;
  showIdentity(handle);
  const { node } = started;
  node.on('state', (change) => {
    console.info(`starmesh: state ${change.state}${change.detail === undefined ? '' : ` (${change.detail})`}`);
  });
  const stopViews = startLiveViews(handle, startedAtMs);

  addEventListener('pagehide', () => {
    stopViews();
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
