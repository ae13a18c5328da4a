/**
 * Local health with explicit times: a node whose own timers stalled (paused machine, frozen or throttled page)
 * re-probes and pulls before it suspects or expires anyone; the others' view of it, and its way back.
 */
import { describe, expect, it } from 'vitest';
import { Membership } from './membership';
import { seededRng } from './random';
import { Net } from './test-net';
import type { NodeId } from './wire';

const A = 'aaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccccccccc';
const D = 'dddddddddddddddddddddd';

/** Suspicions and removals `node` announced, as "type id". */
function verdicts(net: Net, node: NodeId, sinceMs = -Infinity): string[] {
  return net.events(node).filter((e) => (e.type === 'peer:suspect' || e.type === 'peer:remove') && e.at >= sinceMs).map((e) => `${e.type} ${'id' in e ? e.id : ''}`);
}

/** Steps the network in small steps (so the running nodes' timers fire on time) up to `untilMs`. */
function runTo(net: Net, untilMs: number, stepMs = 250): void {
  for (let t = net.now; t < untilMs; t += stepMs) net.advance(t);
  net.advance(untilMs);
}

describe('local health: a paused node', () => {
  it('paused longer than the suspicion time-out: it removes nobody, re-probes and pulls first; the others removed it, it refutes and rejoins', () => {
    const net = Net.mesh([A, B, C, D]);
    runTo(net, 30_000);
    const counterBefore = net.node(C).counter;
    const pausedAt = net.now;
    net.pause(C);
    // Probe (8 s) + suspicion (60 s) + the probe's phase (≤ 20 s): the others have removed C well before 120 s.
    runTo(net, pausedAt + 120_000);
    for (const id of [A, B, D]) expect(net.node(id).lists(C), `${id} still lists C`).toBe(false);
    const resumedAt = net.now;
    const logFrom = net.log.length;
    net.resume(C);
    runTo(net, resumedAt + 60_000);

    const late = net.events(C).find((e) => e.type === 'self:late');
    expect(late?.at).toBe(resumedAt);
    expect((late as { lateMs: number }).lateMs).toBeGreaterThan(100_000);
    expect(net.node(C).stats.lateWakes).toBe(1);
    // What it did first, at the moment it came back: fresh pings and a whole-table pull, before any verdict.
    const first = net.log.slice(logFrom).filter((item) => item.node === C && item.at === resumedAt && item.effect.type === 'send');
    const kinds = first.map((item) => (item.effect.type === 'send' ? item.effect.message.t : ''));
    expect(kinds).toContain('ping');
    expect(first.some((item) => item.effect.type === 'send' && item.effect.message.t === 'sync' && item.effect.message.want)).toBe(true);
    // Its own view: nobody suspected, nobody removed, everyone still listed.
    expect(verdicts(net, C)).toEqual([]);
    expect(net.node(C).members().sort()).toEqual([A, B, D]);
    // The others' view: it refuted with a newer counter, same ID, listed alive again everywhere.
    expect(net.node(C).counter).toBeGreaterThan(counterBefore);
    for (const id of [A, B, D]) {
      expect(net.node(id).peer(C)?.state, `C at ${id}`).toBe('alive');
      expect(net.node(id).peer(C)?.counter, `C's counter at ${id}`).toBeGreaterThan(counterBefore);
    }
    expect(net.node(C).neighbours().length).toBeGreaterThan(0);
  });

  it('paused for less than the time others need to remove it: nobody is removed anywhere, and it suspects nobody', () => {
    const net = Net.mesh([A, B, C]);
    runTo(net, 30_000);
    const pausedAt = net.now;
    net.pause(C);
    runTo(net, pausedAt + 20_000);
    net.resume(C);
    runTo(net, net.now + 90_000);
    expect(verdicts(net, C)).toEqual([]);
    for (const id of [A, B]) {
      // A suspicion (refuted) is allowed; a removal is not.
      expect(verdicts(net, id).filter((v) => v.startsWith('peer:remove')), id).toEqual([]);
      expect(net.node(id).peer(C)?.state, `C at ${id}`).toBe('alive');
    }
    expect(net.node(C).stats.lateWakes).toBe(1);
  });

  it('a suspicion it held is postponed by the time it was away', () => {
    const net = Net.mesh([A, B]);
    net.blocked.add(`${B}>${A}`);
    let t = net.now;
    while (!net.events(A).some((e) => e.type === 'peer:suspect') && t < 100_000) runTo(net, (t += 500));
    const suspectedAt = net.events(A).find((e) => e.type === 'peer:suspect')?.at as number;
    runTo(net, suspectedAt + 10_000);
    net.pause(A);
    runTo(net, suspectedAt + 200_000); // far past the 60 s time-out
    const resumedAt = net.now;
    net.resume(A);
    expect(net.node(A).lists(B), 'not removed at resume').toBe(true);
    runTo(net, resumedAt + 100_000);
    const removedAt = net.events(A).find((e) => e.type === 'peer:remove')?.at as number;
    // It had 10 s of its 60 s behind it when A went away; the other 50 s run after A came back. The node knows
    // only how late its next timer was (due a little after the pause began), hence up to one ping time-out less.
    expect(removedAt).toBeGreaterThanOrEqual(resumedAt + 48_000);
    expect(removedAt).toBeLessThanOrEqual(resumedAt + 50_000);
  });
});

describe('local health: the threshold', () => {
  function linked(options: { lateWakeMs?: number } = {}): Membership {
    const m = new Membership({ selfId: A, rng: seededRng(1), options });
    m.start(0, [B]);
    m.linkUp(0, B);
    return m;
  }
  const late = (fx: ReturnType<Membership['tick']>): boolean => fx.some((e) => e.type === 'event' && e.event.type === 'self:late');

  it('a tick less than lateWakeMs behind schedule is no gap; one at or past it is', () => {
    const m = linked();
    const due = m.nextWakeMs();
    expect(late(m.tick(due + 1_999))).toBe(false);
    const next = m.nextWakeMs();
    const fx = m.tick(next + 2_000);
    expect(late(fx)).toBe(true);
    expect(fx).toContainEqual(expect.objectContaining({ type: 'send', to: B, message: expect.objectContaining({ t: 'ping' }) }));
  });

  it('inputs that follow before the overdue tick do not count the same gap again', () => {
    const m = linked();
    const at = m.nextWakeMs() + 30_000;
    m.receive(at, B, { t: 'ping', nonce: 1 });
    m.receive(at + 10, B, { t: 'ping', nonce: 2 });
    m.tick(at + 20);
    expect(m.stats.lateWakes).toBe(1);
  });

  it('lateWakeMs 0 turns local health off', () => {
    const m = linked({ lateWakeMs: 0 });
    expect(late(m.tick(m.nextWakeMs() + 60_000))).toBe(false);
    expect(m.stats.lateWakes).toBe(0);
  });
});

describe('local health: throttled timers', () => {
  it('a node whose timers run only once a minute (a hidden tab) suspects nobody and nobody suspects it', () => {
    const net = Net.mesh([A, B, C]);
    net.throttled.set(C, 60_000);
    const counterBefore = net.node(C).counter;
    runTo(net, net.now + 15 * 60_000, 1_000);
    for (const id of [A, B, C]) expect(verdicts(net, id), id).toEqual([]);
    expect(net.node(C).members().sort()).toEqual([A, B]);
    // Its heartbeats still advance (every 3 min, at minute granularity), and the others hear them.
    expect(net.node(C).counter).toBeGreaterThan(counterBefore + 3);
    expect(net.node(A).peer(C)?.counter).toBeGreaterThan(counterBefore + 3);
  });

  it('back from a gap and heard by nobody, it judges nobody: no suspicion, no removal, until a neighbour answers', () => {
    const net = Net.mesh([A, B, C]);
    runTo(net, 30_000);
    net.pause(A);
    runTo(net, net.now + 20_000);
    // While A was away, its network went too: nothing from B or C reaches A any more, no new link opens.
    net.blocked.add(`${B}>${A}`);
    net.blocked.add(`${C}>${A}`);
    let cutOff = true;
    net.canLink = (from, to) => !cutOff || (from !== A && to !== A);
    const resumedAt = net.now;
    net.resume(A);
    // Far past probe (8 s) + suspicion (60 s): silence it cannot tell from its own.
    runTo(net, resumedAt + 180_000);
    expect(verdicts(net, A)).toEqual([]);
    expect(net.node(A).members().sort()).toEqual([B, C]);
    // Links that carried no ping went (quietly), so that an isolated node asks for introductions.
    expect(net.node(A).neighbours()).toEqual([]);
    // Its network comes back (C answers): proof of contact, and judgement resumes. B now falls silent to all.
    net.blocked.delete(`${C}>${A}`);
    net.blocked.add(`${B}>${C}`);
    cutOff = false;
    net.canLink = (from, to) => from !== B && to !== B;
    const contactAt = net.now;
    runTo(net, contactAt + 120_000);
    expect(verdicts(net, A)).toContain(`peer:remove ${B}`);
    expect(verdicts(net, A).every((v) => v.endsWith(B)), 'only B').toBe(true);
    expect(net.node(A).peer(C)?.state).toBe('alive');
  });

  it('the hold on judgement is bounded: a node back from a gap that never hears from anyone again clears its table as stale', () => {
    const net = Net.mesh([A, B]);
    runTo(net, 30_000);
    net.pause(A);
    runTo(net, net.now + 20_000);
    net.blocked.add(`${B}>${A}`);
    net.canLink = () => false;
    const resumedAt = net.now;
    net.resume(A);
    runTo(net, resumedAt + 590_000, 5_000);
    expect(net.node(A).lists(B), 'held within staleAfterMs').toBe(true);
    runTo(net, resumedAt + 700_000, 5_000);
    expect(net.node(A).lists(B), 'judged after staleAfterMs').toBe(false);
  });
});
