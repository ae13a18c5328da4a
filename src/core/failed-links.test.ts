import { describe, expect, it } from 'vitest';
import { FailedLinks, MAX_FAILED_LINKS } from './failed-links';
import { Membership } from './membership';
import { seededRng } from './random';

const none = (): boolean => false;

describe('FailedLinks', () => {
  it('lists a failed peer within the window, not after it, and not once a link opened', () => {
    const failed = new FailedLinks();
    failed.failed('b', 1_000);
    failed.failed('a', 2_000);
    expect(failed.recent(2_000, 5_000, none)).toEqual(['a', 'b']);
    expect(failed.recent(6_500, 5_000, none)).toEqual(['a']);
    expect(failed.recent(2_000, 5_000, (peer) => peer === 'a')).toEqual(['b']);
    failed.opened('b');
    expect(failed.recent(2_000, 5_000, none)).toEqual(['a']);
  });

  it('a new failure renews the time; the oldest is forgotten past the cap', () => {
    const failed = new FailedLinks();
    failed.failed('p0', 0);
    for (let i = 1; i <= MAX_FAILED_LINKS; i++) failed.failed(`p${i}`, i);
    failed.failed('p1', 100); // renewed: now the newest
    const listed = failed.recent(100, 1_000, none);
    expect(listed).toHaveLength(MAX_FAILED_LINKS);
    expect(listed).not.toContain('p0');
    expect(listed).toContain('p1');
  });
});

describe('Membership.unreachablePeers', () => {
  const options = { connectTimeoutMs: 5_000, retryMaxMs: 60_000 };

  it('an attempt that times out makes the peer unreachable; a later open clears it', () => {
    const m = new Membership({ selfId: 'm', rng: seededRng(3), options });
    m.start(0, ['a']);
    expect(m.unreachablePeers(0)).toEqual([]);
    m.tick(5_000); // the attempt to a times out
    expect(m.unreachablePeers(5_000)).toEqual(['a']);
    expect(m.unreachablePeers(5_000 + 65_000)).toEqual(['a']);
    expect(m.unreachablePeers(5_000 + 65_001)).toEqual([]);
    m.linkUp(6_000, 'a');
    expect(m.unreachablePeers(6_000)).toEqual([]);
  });

  it('a link that closes after it was open is not a failure to connect', () => {
    const m = new Membership({ selfId: 'm', rng: seededRng(3), options });
    m.start(0, ['a']);
    m.linkUp(100, 'a');
    m.linkDown(200, 'a');
    expect(m.unreachablePeers(200)).toEqual([]);
  });
});
