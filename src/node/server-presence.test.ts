import { describe, expect, it } from 'vitest';
import { jitter, seededRng } from '../core/random';
import { FakeSignalingClient, settle } from './fake-signaling';
import { ServerPresence } from './server-presence';
import { ManualClock } from './test-clock';

const SELF = 'AAAAAAAAAAAAAAAAAAAAAA';

function setup(seed = 5): { presence: ServerPresence; clock: ManualClock; clients: FakeSignalingClient[] } {
  const clock = new ManualClock(10_000);
  const clients: FakeSignalingClient[] = [];
  const presence = new ServerPresence({
    make: () => {
      const client = new FakeSignalingClient();
      clients.push(client);
      return client;
    },
    clock,
    rng: seededRng(seed),
    signal: () => {},
    hasLinks: () => false,
    stopped: () => false,
  });
  return { presence, clock, clients };
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
