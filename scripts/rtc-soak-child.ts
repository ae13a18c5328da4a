/**
 * Child process of `npm run soak:rtc` (scripts/rtc-soak.ts): opens and closes link pairs in one process in the
 * orders the driver produces, or holds idle links open for a CPU reading. It writes one JSON line per event to
 * stdout, prefixed with `@soak ` (under gdb the rest of stdout is gdb's). A native crash kills this process, not
 * the parent, which counts it.
 */
import { parseArgs } from 'node:util';
import { createLink, type Link } from '../src/adapters/webrtc-transport';
import { isNodeWebRtcName, loadNodeWebRtc, type NodeWebRtc } from '../src/adapters/node-webrtc';
import { SimplePeerImpl } from '../src/adapters/simple-peer.node.js';
import { generateKeyPair, identityFromKeyPair, type KeyIdentity } from '../src/identity/keys';
import type { LinkSignal } from '../src/transport/types';

/** The close orders, one per cycle in turn (cycle i runs SCENARIOS[i % length]). */
export const SCENARIOS = [
  'close-before-signal', // both links created and closed before any signal moved (a dial given up at once)
  'close-negotiating', // the offer reached the answerer; the offerer closes on the answer, the answerer then too
  'destroy-during-ice', // each side closes on the first remote candidate it receives: ICE checks under way
  'close-on-open', // the offerer closes inside its 'open' handler (the core refused the link); the other hears it
  'both-close', // both open, both close in the same tick
  'close-in-flight', // both open, 64 × 16 KiB queued each way, the offerer closes at once; the other hears it
  'timeout-during-ice', // candidates are dropped, so ICE never connects; the links' own open time-out closes both
] as const;

/** One scenario name. */
export type Scenario = (typeof SCENARIOS)[number];

/** Lines this process writes (after `@soak `). */
export type ChildLine =
  | { t: 'ready'; impl: string }
  | { t: 'begin'; index: number; scenario: Scenario }
  | { t: 'end'; index: number; scenario: Scenario; setupMs?: number; remoteCloseMs?: number; stuck?: boolean; remoteCloseMissed?: boolean }
  | { t: 'idle'; links: number; opened: number; baselineCpuMs: number; cpuMs: number; wallMs: number }
  | { t: 'done' };

/** How long the other side may take to learn of a remote close before it is closed locally (and counted). */
const REMOTE_CLOSE_WAIT_MS = 5_000;
/** Connect time-out of the links of 'timeout-during-ice', which waits it out. */
const SHORT_CONNECT_TIMEOUT_MS = 2_000;
/**
 * Connect time-out of every other link: long enough for a set-up with a DTLS retransmission or two (werift's first
 * comes after 0.5 s, then 1 s more), so a slow open is measured, not cut off; shorter than the driver's 15 s.
 */
const CONNECT_TIMEOUT_MS = 10_000;
/** A cycle still unfinished after this is counted as stuck and its links closed. */
const CYCLE_CAP_MS = 20_000;

function emit(line: ChildLine): void {
  process.stdout.write(`@soak ${JSON.stringify(line)}\n`);
}

interface Pair {
  a: Link;
  b: Link;
  /** Resolves with the time both links were open (ms since creation), or undefined if they never were. */
  opened: Promise<number | undefined>;
  /** Resolve when each link emitted 'close'. */
  closedA: Promise<void>;
  closedB: Promise<void>;
}

/** What crosses between the two links: the signal as sent, an altered one, or nothing (lost). */
type Carry = (signal: LinkSignal) => LinkSignal | undefined;

function makePair(rtc: NodeWebRtc, ids: [KeyIdentity, KeyIdentity], wire: boolean, carry: Carry = (s) => s, connectTimeoutMs = CONNECT_TIMEOUT_MS): Pair {
  const make = (identity: KeyIdentity, remote: KeyIdentity, initiator: boolean): Link => {
    const created = createLink({
      identity, remoteId: remote.id, initiator, SimplePeerImpl, wrtc: rtc.wrtc,
      rtcConfig: rtc.rtcConfig({ loopbackOnly: true }), connectTimeoutMs,
    });
    if (!created.ok) throw new Error(`createLink: ${created.code} ${created.detail ?? ''}`);
    return created.link;
  };
  const startMs = performance.now();
  const a = make(ids[0], ids[1], true);
  const b = make(ids[1], ids[0], false);
  if (wire) {
    const deliver = (to: Link) => (signal: LinkSignal) => {
      const carried = carry(signal);
      if (carried !== undefined) to.signal(carried);
    };
    a.on('signal', deliver(b));
    b.on('signal', deliver(a));
  }
  const closed = (link: Link) => new Promise<void>((resolve) => link.on('close', () => resolve()));
  const openOf = (link: Link) => new Promise<boolean>((resolve) => {
    link.on('open', () => resolve(true));
    link.on('close', () => resolve(false));
  });
  const opened = Promise.all([openOf(a), openOf(b)]).then(([x, y]) => (x && y ? performance.now() - startMs : undefined));
  return { a, b, opened, closedA: closed(a), closedB: closed(b) };
}

/** Loses every trickled candidate and strips those in the SDP (werift puts its gathered ones there): no ICE pair. */
function withoutCandidates(signal: LinkSignal): LinkSignal | undefined {
  if (signal.type === 'candidate') return undefined;
  return { type: signal.type, sdp: signal.sdp.split('\r\n').filter((line) => !line.startsWith('a=candidate:')).join('\r\n') };
}

/** Waits for the remote close of `link`; closes it locally after REMOTE_CLOSE_WAIT_MS. Resolves with ms or undefined. */
async function awaitRemoteClose(link: Link, closed: Promise<void>): Promise<number | undefined> {
  const startMs = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const heard = await Promise.race([
    closed.then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), REMOTE_CLOSE_WAIT_MS); }),
  ]);
  clearTimeout(timer);
  if (heard) return performance.now() - startMs;
  link.close('soak: remote close not heard');
  return undefined;
}

/** Runs one cycle of `scenario`; resolves with its figures once both links closed. */
async function runCycle(rtc: NodeWebRtc, ids: [KeyIdentity, KeyIdentity], scenario: Scenario): Promise<Omit<Extract<ChildLine, { t: 'end' }>, 't' | 'index' | 'scenario'>> {
  const pair = scenario === 'timeout-during-ice'
    ? makePair(rtc, ids, true, withoutCandidates, SHORT_CONNECT_TIMEOUT_MS)
    : makePair(rtc, ids, scenario !== 'close-before-signal');
  const { a, b } = pair;
  const result: { setupMs?: number; remoteCloseMs?: number; remoteCloseMissed?: boolean } = {};
  const hearRemote = async (link: Link, closed: Promise<void>) => {
    const ms = await awaitRemoteClose(link, closed);
    if (ms === undefined) result.remoteCloseMissed = true;
    else result.remoteCloseMs = ms;
  };
  switch (scenario) {
    case 'close-before-signal':
      a.close();
      b.close();
      break;
    case 'close-negotiating':
      b.on('signal', (s) => {
        if (s.type !== 'answer') return;
        a.close();
        queueMicrotask(() => b.close());
      });
      break;
    case 'destroy-during-ice':
      for (const link of [a, b]) {
        const original = link.signal.bind(link);
        link.signal = (data) => {
          const outcome = original(data);
          if ((data as { type?: unknown }).type === 'candidate') link.close();
          return outcome;
        };
      }
      break;
    case 'close-on-open':
      a.on('open', () => a.close());
      result.setupMs = await pair.opened;
      if (result.setupMs !== undefined) await hearRemote(b, pair.closedB);
      break;
    case 'both-close':
      result.setupMs = await pair.opened;
      a.close();
      b.close();
      break;
    case 'close-in-flight': {
      result.setupMs = await pair.opened;
      const chunk = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 64; i++) {
        a.send(chunk);
        b.send(chunk);
      }
      a.close();
      if (result.setupMs !== undefined) await hearRemote(b, pair.closedB);
      break;
    }
    case 'timeout-during-ice':
      break;
  }
  const cap = setTimeout(() => {
    a.close('soak: cycle cap');
    b.close('soak: cycle cap');
  }, CYCLE_CAP_MS);
  const capStart = performance.now();
  await Promise.all([pair.closedA, pair.closedB]);
  clearTimeout(cap);
  return { ...result, ...(performance.now() - capStart >= CYCLE_CAP_MS ? { stuck: true } : {}) };
}

async function runCycles(rtc: NodeWebRtc, first: number, count: number, parallel: number, gcEvery: number): Promise<void> {
  const pool = await Promise.all(Array.from({ length: parallel * 2 }, async () => identityFromKeyPair(await generateKeyPair())));
  let next = first;
  const end = first + count;
  const gc = (globalThis as { gc?: () => void }).gc;
  const lane = async (laneIndex: number): Promise<void> => {
    const ids: [KeyIdentity, KeyIdentity] = [pool[laneIndex * 2] as KeyIdentity, pool[laneIndex * 2 + 1] as KeyIdentity];
    while (next < end) {
      const index = next++;
      const scenario = SCENARIOS[index % SCENARIOS.length] as Scenario;
      emit({ t: 'begin', index, scenario });
      const figures = await runCycle(rtc, ids, scenario);
      emit({ t: 'end', index, scenario, ...figures });
      // Collect closed connections often: a native wrapper freed while its peer connection still winds down is
      // one suspected way to crash.
      if (gc !== undefined && gcEvery > 0 && index % gcEvery === 0) gc();
    }
  };
  await Promise.all(Array.from({ length: parallel }, (_, i) => lane(i)));
}

async function cpuOver(ms: number): Promise<{ cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const wallStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wallStart };
}

/** Opens `links` pairs (both ends in this process), lets them settle, and reads the CPU they cost at rest. */
async function runIdle(rtc: NodeWebRtc, links: number, idleMs: number, parallel: number): Promise<void> {
  const baseline = await cpuOver(idleMs);
  const pool = await Promise.all(Array.from({ length: 2 }, async () => identityFromKeyPair(await generateKeyPair())));
  const pairs: Pair[] = [];
  for (let i = 0; i < links; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, links - i) }, () => makePair(rtc, pool as [KeyIdentity, KeyIdentity], true));
    await Promise.all(batch.map((pair) => pair.opened));
    pairs.push(...batch);
  }
  const opened = pairs.filter((pair) => pair.a.state() === 'open' && pair.b.state() === 'open').length;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const idle = await cpuOver(idleMs);
  emit({ t: 'idle', links, opened, baselineCpuMs: baseline.cpuMs, cpuMs: idle.cpuMs, wallMs: idle.wallMs });
  for (const pair of pairs) {
    pair.a.close();
    pair.b.close();
  }
  await Promise.all(pairs.flatMap((pair) => [pair.closedA, pair.closedB]));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      impl: { type: 'string' }, first: { type: 'string' }, cycles: { type: 'string' }, parallel: { type: 'string' },
      'gc-every': { type: 'string' }, idle: { type: 'string' }, 'idle-ms': { type: 'string' },
    },
    strict: true,
  });
  if (!isNodeWebRtcName(values.impl)) throw new Error(`--impl must be werift or wrtc, not ${String(values.impl)}`);
  const rtc = await loadNodeWebRtc(values.impl);
  emit({ t: 'ready', impl: rtc.name });
  const parallel = Number(values.parallel ?? 8);
  if (values.idle !== undefined) await runIdle(rtc, Number(values.idle), Number(values['idle-ms'] ?? 10_000), parallel);
  else await runCycles(rtc, Number(values.first ?? 0), Number(values.cycles ?? 100), parallel, Number(values['gc-every'] ?? 50));
  emit({ t: 'done' });
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`rtc-soak child: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
