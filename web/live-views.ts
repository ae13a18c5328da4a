/**
 * Wires a running node to the page's live views: the topology graph, the peer table, the routing log, the
 * composer and the inbox. Each redraw is coalesced to one animation frame; the table's relative times and the
 * graph's fading departures also refresh once a second.
 */
import { seededRng } from '../src/core/random';
import { Composer } from './composer';
import { GraphLayout } from './graph/graph-layout';
import { buildGraphModel } from './graph/graph-model';
import { PageGraphView } from './graph/page-graph-view';
import type { StarmeshHandle } from './handle';
import { fnv1a } from './identicon';
import { showDelivery } from './inbox';
import { gossipLine, messageLine, routeLine, sendLine } from './log/route-log-model';
import { RouteLogView } from './log/route-log-view';
import { renderFacts } from './node-facts';
import { buildPeerRows } from './peer-rows';
import { PeerTable } from './peer-table';

/** How long a departed member stays on the graph, greyed out, after its removal. */
export const DEPARTED_VISIBLE_MS = 6_000;
/** Refresh period of relative times, uptime and departures. */
const TICK_INTERVAL_MS = 1_000;

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`starmesh page: #${id} missing from index.html`);
  return found as T;
}

/** Starts the live views; returns a function that stops their timers and subscriptions. */
export function startLiveViews(handle: StarmeshHandle, startedAtMs: number): () => void {
  const graph = new PageGraphView(
    handle.id,
    { widthPx: 640, heightPx: 420, nodeRadiusPx: 9, labels: true, title: 'Mesh topology' },
    // Seeded from this node's ID: the same members get the same picture after a reload.
    (options, onTick, onSettled) =>
      new GraphLayout(options, onTick, onSettled, { rng: seededRng(fnv1a(`layout:${handle.id}`)), nowMs: () => performance.now() }),
  );
  el('graph').append(graph.element);
  const table = new PeerTable({ table: el('peers'), body: el('peer-rows'), filter: el('peer-filter'), empty: el('no-peers') });
  const log = new RouteLogView({ list: el('route-log'), controls: el('log-controls'), empty: el('log-empty') }, (trace) => graph.highlight(trace));
  const composer = new Composer(
    { form: el('composer'), target: el('compose-target'), text: el('compose-text'), send: el('compose-send'), result: el('compose-result') },
    handle,
    {
      onUnicast: (to, result) => {
        const line = log.add(sendLine(handle.id, to, result), Date.now());
        log.select(line.seq);
        if (result.ok) graph.pulse(result.trace, 'unicast');
      },
      onBroadcast: () => {},
    },
  );

  /** Whether the last graph drawn shows a departed member, which fades out with time (so the tick redraws it). */
  let departuresShown = false;
  const redraw = (graphToo = true): void => {
    // The node's display time, not Date.now(): peers' times are on its scale, which a wall-clock jump does not move.
    const nowMs = handle.wallNow();
    renderFacts(handle, nowMs, startedAtMs);
    const peers = handle.peers();
    table.render(buildPeerRows(peers, handle.routeInfo()), nowMs);
    if (graphToo || departuresShown) {
      const model = buildGraphModel({ selfId: handle.id, peers, topology: handle.topology(), nowMs, departedVisibleMs: DEPARTED_VISIBLE_MS });
      departuresShown = model.nodes.some((node) => node.status === 'departed');
      graph.update(model);
    }
    composer.setMembers(handle.members());
  };
  let queued = false;
  const refresh = (): void => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      redraw();
    });
  };

  const unsubscribe = [
    handle.on('state', refresh),
    handle.on('membership', refresh),
    handle.on('topology', refresh),
    handle.on('gossip', (event) => {
      const line = log.add(gossipLine(handle.id, event), Date.now());
      graph.pulse(line.trace, 'gossip');
    }),
    handle.on('route', (entry) => {
      // A message that arrived here gets its own line with its text (the 'message' event below): no second one.
      const delivered = entry.dir === 'in' && (entry.kind === 'unicast' || entry.kind === 'broadcast');
      if (!delivered) log.add(routeLine(entry), Date.now());
      if (entry.dir !== 'out') graph.pulse(entry.trace, entry.kind);
    }),
    handle.on('message', (delivery) => {
      log.add(messageLine(delivery), Date.now());
      showDelivery(el('inbox'), el('inbox-empty'), delivery, Date.now());
    }),
  ];
  // The tick refreshes relative times and uptime; the graph changes only on events (or while a departure fades).
  const timer = setInterval(() => redraw(false), TICK_INTERVAL_MS);
  redraw();
  return () => {
    clearInterval(timer);
    for (const off of unsubscribe) off();
    graph.destroy();
  };
}
