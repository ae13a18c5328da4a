import { describe, expect, it } from 'vitest';
import { emptyStats, type Effect } from './effects';
import { isInitiator } from './initiator';
import { LinkLifecycle, type LinkEnd } from './link-lifecycle';
import { Liveness } from './liveness';
import { resolveOptions } from './options';
import { Outbox } from './outbox';
import { Overlay } from './overlay';
import { OwnEntry } from './own-entry';
import { PeerTable } from './peer-table';
import { seededRng } from './random';
import { TableSync } from './table-sync';

const options = resolveOptions({ targetDegree: 2, maxDegree: 2, inboundSlack: 1, minLinkAgeMs: 1_000, connectTimeoutMs: 5_000 });

/** One lifecycle over real parts, so a test sees each book it keeps. */
function setup(selfId = 'm') {
  const stats = emptyStats();
  const rng = seededRng(1);
  const table = new PeerTable(selfId, options);
  const overlay = new Overlay(options);
  const probes = new Liveness(options);
  const out = new Outbox(stats);
  const own = new OwnEntry(selfId, options, rng);
  const sync = new TableSync({ options, table, own, out });
  const links = new LinkLifecycle({ selfId, options, rng, overlay, probes, table, sync, own, out, stats });
  for (const id of ['a', 'b', 'c', 'z']) table.merge({ id, counter: 1, state: 'alive', ageSec: 0 }, 0);
  return { stats, table, overlay, probes, out, own, sync, links };
}

const kinds = (effects: Effect[]): string[] =>
  effects.map((e) => (e.type === 'event' ? e.event.type : e.type === 'send' ? `send:${e.message.t}` : e.type));

describe('isInitiator', () => {
  it('the lower ID offers, and exactly one end of a pair does', () => {
    expect(isInitiator('a', 'b')).toBe(true);
    expect(isInitiator('b', 'a')).toBe(false);
    expect(isInitiator('a', 'b') !== isInitiator('b', 'a')).toBe(true);
  });
});

describe('LinkLifecycle', () => {
  it('an attempt is booked and dialled with the initiator rule', () => {
    const { links, overlay, out } = setup('m');
    links.attempt('a', 0);
    links.attempt('z', 0);
    expect(overlay.get('a')?.state).toBe('connecting');
    expect(out.flush()).toEqual([
      { type: 'connect', to: 'a', initiator: false },
      { type: 'connect', to: 'z', initiator: true },
    ]);
  });

  it('an open starts probing and is reported once; a repeated open changes nothing', () => {
    const { links, probes, out } = setup();
    expect(links.open('a', 0)).toBe('opened');
    expect(probes.nextDeadlineMs()).toBeLessThan(Infinity);
    expect(links.open('a', 10)).toBe('already-open');
    expect(kinds(out.flush())).toEqual(['neighbour:up']);
  });

  it('an open over the hard bound is refused with bye trim and a disconnect, and nothing else', () => {
    const { links, overlay, out, stats } = setup();
    for (const id of ['a', 'b', 'c']) links.open(id, 0);
    out.flush();
    expect(links.open('z', 0)).toBe('refused');
    expect(kinds(out.flush())).toEqual(['send:bye', 'disconnect']);
    expect(overlay.get('z')).toBeUndefined();
    expect(stats.connectFailures).toBe(0);
  });

  it('each end keeps the same books: link, probes and pending table request go; the rest by the rules', () => {
    const cases: Array<{ end: LinkEnd; open: boolean; effects: string[]; failures: number }> = [
      { end: 'closed', open: true, effects: ['neighbour:down'], failures: 0 },
      { end: 'closed', open: false, effects: [], failures: 1 },
      { end: 'timed-out', open: false, effects: ['disconnect'], failures: 1 },
      { end: 'dropped', open: true, effects: ['neighbour:down', 'disconnect'], failures: 0 },
      { end: 'dropped', open: false, effects: ['disconnect'], failures: 0 },
      { end: 'left', open: true, effects: ['disconnect'], failures: 0 },
    ];
    for (const { end, open, effects, failures } of cases) {
      const { links, overlay, probes, out, stats, sync } = setup();
      links.attempt('a', 0);
      if (open) {
        links.open('a', 0);
        sync.linkOpened('a', 0); // asks for a's table: not synced yet
      }
      out.flush();
      expect(links.close('a', 100, end)?.state, `${end} ${open}`).toBe(open ? 'open' : 'connecting');
      expect(kinds(out.flush()), `${end} ${open}`).toEqual(effects);
      expect(stats.connectFailures, `${end} ${open}`).toBe(failures);
      expect(overlay.get('a')).toBeUndefined();
      expect(probes.nextDeadlineMs()).toBe(Infinity);
      // A late table chunk from a closed link no longer counts as the requested one.
      sync.tableArrived('a');
      sync.linkOpened('b', 100);
      expect(out.flush()).toContainEqual(expect.objectContaining({ message: expect.objectContaining({ t: 'sync', want: true }) }));
    }
  });

  it('ending a link that does not exist does nothing (a refusal still tells the driver)', () => {
    const { links, out } = setup();
    for (const end of ['closed', 'timed-out', 'dropped', 'left'] as const) expect(links.close('a', 0, end)).toBeUndefined();
    expect(out.flush()).toEqual([]);
    links.close('a', 0, 'refused');
    expect(out.flush()).toEqual([{ type: 'disconnect', to: 'a' }]);
  });

  it('a failed attempt backs the peer off; expired attempts time out', () => {
    const { links, overlay, out } = setup();
    links.attempt('a', 0);
    expect(links.nextWakeMs()).toBe(5_000);
    expect(links.expireAttempts(4_999)).toBe(false);
    expect(links.expireAttempts(5_000)).toBe(true);
    expect(kinds(out.flush())).toEqual(['connect', 'disconnect']);
    expect(overlay.canDial('a', 5_000)).toBe(false);
  });

  it('after leaving, nothing is accepted and an open is turned away', () => {
    const { links, own, out } = setup();
    own.leave();
    expect(links.accept('a', 0)).toBe(false);
    expect(links.open('a', 0)).toBe('refused');
    expect(out.flush()).toEqual([{ type: 'disconnect', to: 'a' }]);
  });

  it('leaving says farewell over open links only, then closes every link without events', () => {
    const { links, out } = setup();
    links.open('a', 0);
    links.attempt('b', 0);
    out.flush();
    links.closeAll(10, [{ t: 'bye', reason: 'leave' }]);
    expect(out.flush()).toEqual([
      { type: 'send', to: 'a', message: { t: 'bye', reason: 'leave' } },
      { type: 'disconnect', to: 'a' },
      { type: 'disconnect', to: 'b' },
    ]);
  });
});
