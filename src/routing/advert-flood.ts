/**
 * Link-state adverts on the wire: this node's own advert (batched after link changes, refreshed periodically,
 * with a sequence only it advances) and the flooding of others' adverts (passed on in batches, never back to the
 * link they came from). Frames stay under the 16 KiB data-channel limit. Pure: time comes in as arguments.
 */
import type { NodeId } from '../core/wire';
import type { LinkStateDb } from './link-state';
import type { RouterEffect } from './router-effects';
import type { RouterOptions } from './router-options';
import { ROUTE_LIMITS, type LinkAdvert } from './route-wire';

/** Bytes kept free in a link-state frame (the frame's own JSON around the adverts). */
const ADVERT_FRAME_BUDGET_BYTES = 15_000;

/** The advert side of one router. */
export class AdvertFlood {
  private ownSeq = 0;
  private dirty = true;
  private lastAdvertMs = -Infinity;
  /** Adverts to pass on at `floodAtMs`, by origin, with the neighbour each came from (it is not sent back). */
  private readonly queue = new Map<NodeId, { advert: LinkAdvert; from: NodeId }>();
  private floodAtMs = Infinity;

  constructor(
    private readonly selfId: NodeId,
    private readonly db: LinkStateDb,
    /** The router's open links (read only here). */
    private readonly links: ReadonlySet<NodeId>,
    private readonly options: Pick<RouterOptions, 'advertMinIntervalMs' | 'advertRefreshMs' | 'floodDelayMs'>,
  ) {}

  /** Our links changed: our advert goes out at the next batch. */
  linksChanged(): void {
    this.dirty = true;
  }

  /** Frames carrying the whole database, for a link that just opened. */
  wholeDatabase(peer: NodeId): RouterEffect[] {
    return chunkAdverts(this.db.all()).map((adverts) => ({ type: 'send', to: peer, message: { t: 'lsa', adverts } }));
  }

  /** Adverts from neighbour `from`: newer ones are stored and queued to pass on. True when the topology changed. */
  receive(nowMs: number, from: NodeId, adverts: readonly LinkAdvert[]): boolean {
    let fresh = false;
    for (const advert of adverts) {
      // Our own advert comes back from the flood; a higher sequence than ours means a previous life of this ID
      // (a reload): jump past it so that our current links win.
      if (advert.origin === this.selfId) {
        if (advert.seq >= this.ownSeq) {
          this.ownSeq = advert.seq;
          this.dirty = true;
        }
        continue;
      }
      if (!this.db.apply(nowMs, advert)) continue;
      // Passed on in batches (`floodDelayMs`): in a burst of joins adverts arrive by the hundred, and one frame per
      // advert per link would swamp the links' inbound limits. A newer advert of the same origin replaces the queued one.
      this.queue.set(advert.origin, { advert, from });
      fresh = true;
    }
    if (fresh && this.floodAtMs === Infinity) this.floodAtMs = nowMs + this.options.floodDelayMs;
    return fresh;
  }

  /** What is due: the queued flood, and our own advert when changed (at most every `advertMinIntervalMs`) or old. */
  tick(nowMs: number, stopped: boolean): RouterEffect[] {
    const effects: RouterEffect[] = [];
    if (nowMs - this.lastAdvertMs >= this.options.advertRefreshMs) this.dirty = true;
    if (nowMs >= this.floodAtMs) effects.push(...this.flush());
    if (this.dirty && nowMs - this.lastAdvertMs >= this.options.advertMinIntervalMs && !stopped) effects.push(...this.advertise(nowMs));
    return effects;
  }

  /** Earliest time `tick` has work. */
  nextWakeMs(): number {
    // Never advertised yet: due at once (0 is before any clock reading the driver will pass).
    if (this.lastAdvertMs === -Infinity) return 0;
    const wake = Math.min(this.floodAtMs, this.lastAdvertMs + this.options.advertRefreshMs);
    return this.dirty ? Math.min(wake, this.lastAdvertMs + this.options.advertMinIntervalMs) : wake;
  }

  private flush(): RouterEffect[] {
    this.floodAtMs = Infinity;
    const queued = [...this.queue.values()];
    this.queue.clear();
    const effects: RouterEffect[] = [];
    for (const link of this.links) {
      const adverts = queued.filter((entry) => entry.from !== link).map((entry) => entry.advert);
      for (const chunk of chunkAdverts(adverts)) effects.push({ type: 'send', to: link, message: { t: 'lsa', adverts: chunk } });
    }
    return effects;
  }

  private advertise(nowMs: number): RouterEffect[] {
    this.dirty = false;
    this.lastAdvertMs = nowMs;
    // The sequence is our clock, kept strictly increasing: after a reload it is still above the last life's.
    this.ownSeq = Math.max(this.ownSeq + 1, Math.floor(nowMs));
    const advert: LinkAdvert = { origin: this.selfId, seq: this.ownSeq, neighbours: [...this.links] };
    this.db.apply(nowMs, advert);
    const effects: RouterEffect[] = [{ type: 'topology' }];
    for (const link of this.links) effects.push({ type: 'send', to: link, message: { t: 'lsa', adverts: [advert] } });
    return effects;
  }
}

/** JSON length of one advert tuple `["origin",seq,["id",…]]`, without building it (IDs are ASCII, no escaping). */
function advertJsonSize(advert: LinkAdvert): number {
  let size = advert.origin.length + 2 + String(advert.seq).length + 6;
  for (const id of advert.neighbours) size += id.length + 3;
  return size;
}

/** Cuts adverts into frames of at most ~15 KB and `maxAdvertsPerFrame` adverts. */
function chunkAdverts(adverts: readonly LinkAdvert[]): LinkAdvert[][] {
  const chunks: LinkAdvert[][] = [];
  let current: LinkAdvert[] = [];
  let bytes = 0;
  for (const advert of adverts) {
    const size = advertJsonSize(advert);
    if (current.length > 0 && (bytes + size > ADVERT_FRAME_BUDGET_BYTES || current.length >= ROUTE_LIMITS.maxAdvertsPerFrame)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(advert);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
