import { describe, expect, it } from 'vitest';
import { jitter, seededRng } from '../core/random';
import { FakeSignalingClient, settle } from './fake-signaling';
import { CHECK_IN_HOLD_MS, RELEASE_GRACE_MS, ServerPresence } from './server-presence';
import { ManualClock } from './test-clock';

const SELF = 'AAAAAAAAAAAAAAAAAAAAAA';

function setup(
  seed = 5,
  links = { open: false },
): { presence: ServerPresence; clock: ManualClock; clients: FakeSignalingClient[]; introduced: string[][] } {
  const clock = new ManualClock(10_000);
  const clients: FakeSignalingClient[] = [];
  const introduced: string[][] = [];
  const presence = new ServerPresence({
    make: () => {
      const client = new FakeSignalingClient();
      clients.push(client);
      return client;
    },
    clock,
    rng: seededRng(seed),
    signal: () => {},
    introduced: (peers) => void introduced.push(peers),
    hasLinks: () => links.open,
    stopped: () => false,
  });
  return { presence, clock, clients, introduced };
}

/** The socket joins the room; `introducer` says whether the server keeps it in its pool. */
async function joinAs(presence: ServerPresence, client: FakeSignalingClient | undefined, introducer: boolean): Promise<void> {
  const joined = presence.join();
  client?.welcome({ id: SELF, peers: [], introducer });
  await joined;
}

describe('server presence: retrying the server', () => {
  it('says an attempt is under way while join() waits for the server', async () => {
    const { presence, clients } = setup();
    expect(presence.retry()).toEqual({ attempting: false, rejoinAtMs: null });
    const joined = presence.join();
    expect(presence.retry()).toEqual({ attempting: true, rejoinAtMs: null });
    clients[0]?.fail();
    await expect(joined).rejects.toMatchObject({ code: 'connect-failed' });
    expect(presence.retry()).toEqual({ attempting: false, rejoinAtMs: null });
  });

  it('an introducer that lost its socket tells when it rejoins (1 s, then 2 s, ±50 %), and is attempting then', async () => {
    const { presence, clock, clients } = setup(5);
    const expected = seededRng(5);
    await joinAs(presence, clients[0], true);
    expect(presence.status()).toEqual({ connected: true, introducer: true });

    clients[0]?.drop();
    const first = presence.retry().rejoinAtMs;
    expect(first).toBe(10_000 + jitter(1_000, 0.5, expected));
    expect(presence.retry().attempting).toBe(false);

    clock.advance((first ?? 0) - clock.now() - 1);
    expect(clients).toHaveLength(1);
    clock.advance(1);
    // The rejoin runs: a fresh socket, an attempt in flight, nothing more scheduled yet.
    expect(clients).toHaveLength(2);
    expect(presence.retry()).toEqual({ attempting: true, rejoinAtMs: null });

    clients[1]?.fail();
    await settle();
    const second = presence.retry().rejoinAtMs;
    expect(second).toBe(clock.now() + jitter(2_000, 0.5, expected));
    expect(presence.retry().attempting).toBe(false);

    clock.advance((second ?? 0) - clock.now());
    clients[2]?.welcome({ id: SELF, peers: [], introducer: true });
    await settle();
    expect(presence.retry()).toEqual({ attempting: false, rejoinAtMs: null });
    expect(presence.status()).toEqual({ connected: true, introducer: true });
    expect(presence.counters.serverRejoins).toBe(2);
  });

  it('a guest whose socket closes schedules no rejoin, and close() forgets a pending one', async () => {
    const guest = setup();
    await joinAs(guest.presence, guest.clients[0], false);
    guest.clients[0]?.drop();
    expect(guest.presence.retry()).toEqual({ attempting: false, rejoinAtMs: null });
    expect(guest.clock.timerCount).toBe(0);

    const introducer = setup();
    await joinAs(introducer.presence, introducer.clients[0], true);
    introducer.clients[0]?.drop();
    expect(introducer.presence.retry().rejoinAtMs).not.toBeNull();
    introducer.presence.close();
    expect(introducer.presence.retry()).toEqual({ attempting: false, rejoinAtMs: null });
    expect(introducer.clock.timerCount).toBe(0);
  });
});

describe('server presence: islands and check-ins', () => {
  const OTHER = 'BBBBBBBBBBBBBBBBBBBBBB';

  it("an introducer's rejoin hands the server's introductions to the machine (a mesh that formed meanwhile)", async () => {
    const { presence, clock, clients, introduced } = setup(7);
    await joinAs(presence, clients[0], true);
    clients[0]?.drop();
    clock.advance((presence.retry().rejoinAtMs ?? 0) - clock.now());
    clients[1]?.welcome({ id: SELF, peers: [OTHER], introducer: true });
    await settle();
    expect(introduced).toEqual([[OTHER]]);
  });

  it('a guest that joins with links (a check-in) holds its socket for the links it starts, then lets go', async () => {
    const links = { open: true };
    const { presence, clock, clients } = setup(3, links);
    await joinAs(presence, clients[0], false);
    clock.advance(RELEASE_GRACE_MS);
    expect(presence.status().connected).toBe(true);
    clock.advance(CHECK_IN_HOLD_MS - RELEASE_GRACE_MS);
    expect(presence.status().connected).toBe(false);
    expect(clients[0]?.calls.release).toBe(1);
  });

  it('a guest that joins without links lets go a grace period after its first link', async () => {
    const links = { open: false };
    const { presence, clock, clients } = setup(3, links);
    await joinAs(presence, clients[0], false);
    clock.advance(CHECK_IN_HOLD_MS);
    expect(presence.status().connected).toBe(true);
    links.open = true;
    presence.linkOpened();
    clock.advance(RELEASE_GRACE_MS);
    expect(presence.status().connected).toBe(false);
  });

  it('an introducer keeps its socket whatever its links', async () => {
    const { presence, clock, clients } = setup(3, { open: true });
    await joinAs(presence, clients[0], true);
    clock.advance(10 * CHECK_IN_HOLD_MS);
    expect(presence.status()).toEqual({ connected: true, introducer: true });
  });
});
