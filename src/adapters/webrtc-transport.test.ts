import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import type { KeyIdentity } from '../identity/keys';
import { createAttemptLimiter, createConnectionBudget } from '../transport/budget';
import { createLinkHandshake } from '../transport/handshake';
import { createLinkCounters } from '../transport/types';
import type { LinkCloseEvent, SimplePeerLike } from '../transport/types';
import { loadNodeWebRtc } from './node-webrtc';
import { SimplePeerImpl } from './simple-peer.node';
import { createLink, isInitiator } from './webrtc-transport';
import type { CreateLinkOptions, Link } from './webrtc-transport';

const { wrtc, rtcConfig } = await loadNodeWebRtc();
const RTC_CONFIG = rtcConfig({ loopbackOnly: true });
const links: Link[] = [];
const rawPeers: SimplePeerLike[] = [];

afterEach(async () => {
  for (const link of links.splice(0)) link.close('test cleanup');
  for (const peer of rawPeers.splice(0)) peer.destroy();
});

async function newIdentity(): Promise<KeyIdentity> {
  return identityFromKeyPair(await generateKeyPair());
}

function makeLink(options: Omit<CreateLinkOptions, 'SimplePeerImpl' | 'wrtc'>): Link {
  const result = createLink({ SimplePeerImpl, wrtc, rtcConfig: RTC_CONFIG, ...options });
  if (!result.ok) throw new Error(`createLink failed: ${result.code}`);
  links.push(result.link);
  return result.link;
}

/** Records every event of a link so tests can poll instead of sleeping. */
function record(link: Link) {
  const log = { opened: [] as string[], messages: [] as (string | Uint8Array)[], closes: [] as LinkCloseEvent[] };
  link.on('open', ({ remoteId }) => log.opened.push(remoteId));
  link.on('message', (text) => log.messages.push(text));
  link.on('close', (event) => log.closes.push(event));
  return log;
}

function wire(a: Link, b: Link): void {
  a.on('signal', (data) => b.signal(data));
  b.on('signal', (data) => a.signal(data));
}

async function connectedPair(extra: Partial<CreateLinkOptions> = {}) {
  const [idA, idB] = [await newIdentity(), await newIdentity()];
  const a = makeLink({ identity: idA, initiator: true, remoteId: idB.id, ...extra });
  const b = makeLink({ identity: idB, initiator: false, remoteId: idA.id, ...extra });
  const [logA, logB] = [record(a), record(b)];
  wire(a, b);
  await vi.waitFor(() => expect(logA.opened.length + logB.opened.length).toBe(2), { timeout: 30_000 });
  return { a, b, logA, logB, idA, idB };
}

describe('webrtc link', () => {
  it('connects, authenticates and exchanges messages both ways', async () => {
    const { a, b, logA, logB, idA, idB } = await connectedPair();
    expect(logA.opened).toEqual([idB.id]);
    expect(logB.opened).toEqual([idA.id]);
    expect(a.remoteId()).toBe(idB.id);
    expect(a.send('hello from a')).toEqual({ ok: true });
    expect(b.send('hello from b')).toEqual({ ok: true });
    expect(a.send('')).toEqual({ ok: true });
    await vi.waitFor(() => expect(logB.messages).toEqual(['hello from a', '']), { timeout: 30_000 });
    await vi.waitFor(() => expect(logA.messages).toEqual(['hello from b']), { timeout: 30_000 });
    expect(a.counters().messagesSent).toBe(2);
  });

  it('opens without an expected remote id and learns it from the key', async () => {
    const { a, b, idA, idB } = await connectedPair({ remoteId: undefined });
    expect(a.remoteId()).toBe(idB.id);
    expect(b.remoteId()).toBe(idA.id);
  });

  it('refuses messages over 16 KiB of UTF-8 with too-large, accepts exactly 16 KiB', async () => {
    const { a, logB } = await connectedPair();
    expect(a.send('x'.repeat(16 * 1024 + 1))).toEqual({ ok: false, code: 'too-large' });
    expect(a.send('é'.repeat(8 * 1024 + 1))).toEqual({ ok: false, code: 'too-large' });
    const exact = 'y'.repeat(16 * 1024);
    expect(a.send(exact)).toEqual({ ok: true });
    await vi.waitFor(() => expect(logB.messages).toEqual([exact]), { timeout: 30_000 });
  });

  it('drops sends beyond maxQueuedBytes with queue-full and delivers the rest', async () => {
    const { a, logB } = await connectedPair({ maxQueuedBytes: 64 * 1024 });
    const chunk = 'z'.repeat(16 * 1024);
    const results = Array.from({ length: 10 }, () => a.send(chunk));
    const accepted = results.filter((r) => r.ok).length;
    expect(results.some((r) => !r.ok && r.code === 'queue-full')).toBe(true);
    expect(accepted).toBeGreaterThanOrEqual(3);
    expect(a.counters().droppedOutboundQueueFull).toBe(10 - accepted);
    await vi.waitFor(() => expect(logB.messages.length).toBe(accepted), { timeout: 30_000 });
    await vi.waitFor(() => expect(a.queuedBytes()).toBe(0), { timeout: 30_000 });
    expect(a.send(chunk)).toEqual({ ok: true });
  });

  it('fails with auth-failed on both sides when the expected remote id is wrong', async () => {
    const [idA, idB, idC] = [await newIdentity(), await newIdentity(), await newIdentity()];
    const a = makeLink({ identity: idA, initiator: true, remoteId: idC.id });
    const b = makeLink({ identity: idB, initiator: false, remoteId: idA.id });
    const [logA, logB] = [record(a), record(b)];
    wire(a, b);
    await vi.waitFor(() => expect(logA.closes.length + logB.closes.length).toBe(2), { timeout: 30_000 });
    expect(logA.closes[0]?.code).toBe('auth-failed');
    expect(logB.closes[0]?.code).toBe('auth-failed');
    expect(logA.opened).toEqual([]);
    expect(a.counters().authFailed).toBe(1);
  });

  it('times out when signals are never delivered', async () => {
    const [idA, idB] = [await newIdentity(), await newIdentity()];
    const shared = createLinkCounters();
    const a = makeLink({ identity: idA, initiator: true, connectTimeoutMs: 200 });
    const b = makeLink({ identity: idB, initiator: false, connectTimeoutMs: 200, sharedCounters: shared });
    const [logA, logB] = [record(a), record(b)];
    await vi.waitFor(() => expect(logA.closes.length + logB.closes.length).toBe(2), { timeout: 30_000 });
    expect(logA.closes).toEqual([{ code: 'timeout', detail: 'not open in time' }]);
    expect(logB.closes[0]?.code).toBe('timeout');
    expect(shared.timeouts).toBe(1);
    expect(a.send('late')).toEqual({ ok: false, code: 'closed' });
  });

  it('emits close exactly once (local on one side, remote-closed on the other)', async () => {
    const { a, logA, logB } = await connectedPair();
    a.close();
    a.close();
    await vi.waitFor(() => expect(logB.closes.length).toBe(1), { timeout: 30_000 });
    expect(logA.closes).toEqual([{ code: 'local' }]);
    expect(logB.closes[0]?.code).toBe('remote-closed');
    expect(a.signal({ type: 'offer', sdp: 'v=0' })).toEqual({ ok: false, code: 'closed' });
  });

  it('refuses malformed and out-of-role signals without throwing', async () => {
    const a = makeLink({ identity: await newIdentity(), initiator: true });
    for (const bad of [null, 42, 'not json', '{"renegotiate":true}', { type: 'offer' }, { type: 'candidate' }]) {
      expect(a.signal(bad)).toEqual({ ok: false, code: 'bad-signal' });
    }
    expect(a.signal({ type: 'offer', sdp: 'v=0' })).toEqual({ ok: false, code: 'unexpected-signal' });
    expect(a.counters().refusedSignals).toBe(7);
    expect(a.state()).toBe('connecting');
  });

  it('decides the initiator by id order', () => {
    expect(isInitiator('a', 'b')).toBe(true);
    expect(isInitiator('b', 'a')).toBe(false);
  });
});

/** A plain simple-peer on the other end, with no handshake of its own. */
async function rawPeerAgainstLink() {
  const link = makeLink({ identity: await newIdentity(), initiator: false });
  const raw = new SimplePeerImpl({ initiator: true, trickle: true, objectMode: true, wrtc, config: RTC_CONFIG });
  rawPeers.push(raw);
  raw.on('error', () => undefined);
  raw.on('signal', (data) => link.signal(data));
  link.on('signal', (data) => raw.signal(data));
  const log = record(link);
  await new Promise<void>((resolve) => raw.on('connect', resolve));
  return { link, raw, log };
}

describe('webrtc link against a malicious raw peer', () => {
  it.each([
    ['binary', (raw: SimplePeerLike) => (raw as unknown as { send(b: Uint8Array): void }).send(new Uint8Array(8)), 'droppedInboundBinary'],
    ['oversize', (raw: SimplePeerLike) => raw.write('{'.repeat(20_000)), 'droppedInboundTooLarge'],
    ['garbage', (raw: SimplePeerLike) => raw.write('{"t":"proof","key":"!!"}'), 'authFailed'],
  ] as const)('drops a %s frame during the handshake and never opens', async (_name, attack, counter) => {
    const { link, raw, log } = await rawPeerAgainstLink();
    attack(raw);
    await vi.waitFor(() => expect(log.closes.length).toBe(1), { timeout: 30_000 });
    expect(log.closes[0]?.code).toBe('auth-failed');
    expect(log.opened).toEqual([]);
    expect(link.counters()[counter]).toBeGreaterThanOrEqual(1);
  });

  it('times out a raw peer that stays silent', async () => {
    const link = makeLink({ identity: await newIdentity(), initiator: false, connectTimeoutMs: 1_500 });
    const raw = new SimplePeerImpl({ initiator: true, trickle: true, objectMode: true, wrtc, config: RTC_CONFIG });
    rawPeers.push(raw);
    raw.on('error', () => undefined);
    raw.on('signal', (data) => link.signal(data));
    link.on('signal', (data) => raw.signal(data));
    const log = record(link);
    await vi.waitFor(() => expect(log.closes.length).toBe(1), { timeout: 30_000 });
    expect(log.closes[0]?.code).toBe('timeout');
    expect(log.opened).toEqual([]);
  });

  it('passes binary frames through as plain Uint8Arrays, drops oversize ones, and stays open', async () => {
    const { link, raw, log } = await rawPeerAgainstLink();
    const evil = await newIdentity();
    const authenticated = new Promise<void>((resolve, reject) => {
      const handshake = createLinkHandshake({
        identity: evil,
        send: (text) => raw.write(text),
        onAuthenticated: () => resolve(),
        onFailed: (_code, detail) => reject(new Error(detail)),
      });
      raw.on('data', (data) => handshake.receive(String(data)));
      handshake.start();
    });
    await authenticated;
    await vi.waitFor(() => expect(log.opened).toEqual([evil.id]), { timeout: 30_000 });
    const send = (b: Uint8Array): void => (raw as unknown as { send(b: Uint8Array): void }).send(b);
    send(new Uint8Array([1, 2, 3, 255]));
    send(new Uint8Array(17_000));
    raw.write('x'.repeat(17_000));
    raw.write('fine');
    await vi.waitFor(() => expect(log.messages).toHaveLength(2), { timeout: 30_000 });
    const [bytes, text] = log.messages;
    // Node's simple-peer hands over a Buffer: the link normalises it to a plain Uint8Array of its own.
    expect(bytes instanceof Uint8Array && Object.getPrototypeOf(bytes) === Uint8Array.prototype).toBe(true);
    expect([...(bytes as Uint8Array)]).toEqual([1, 2, 3, 255]);
    expect(text).toBe('fine');
    expect(link.counters()).toMatchObject({ droppedInboundBinary: 0, droppedInboundTooLarge: 2, messagesReceived: 2 });
    expect(link.state()).toBe('open');
  });
});

describe('link creation limits', () => {
  it('refuses links once the budget is exhausted, and rate-limits one peer', async () => {
    const identity = await newIdentity();
    const budget = createConnectionBudget({ lifetimeLimit: 2 });
    const base = { identity, initiator: true, SimplePeerImpl, wrtc, rtcConfig: RTC_CONFIG, budget };
    for (let i = 0; i < 2; i++) {
      const result = createLink(base);
      expect(result.ok).toBe(true);
      if (result.ok) links.push(result.link);
    }
    expect(createLink(base)).toEqual({ ok: false, code: 'budget-exhausted' });

    let nowMs = 0;
    const limiter = createAttemptLimiter({ maxAttempts: 1, now: () => nowMs });
    const roomy = createConnectionBudget({ lifetimeLimit: 10 });
    const first = createLink({ ...base, budget: roomy, limiter, remoteId: 'peer-1' });
    if (first.ok) links.push(first.link);
    expect(createLink({ ...base, budget: roomy, limiter, remoteId: 'peer-1' })).toEqual({ ok: false, code: 'rate-limited' });
    expect(roomy.used()).toBe(1);
    nowMs += 11 * 60 * 1000;
    const later = createLink({ ...base, budget: roomy, limiter, remoteId: 'peer-1' });
    expect(later.ok).toBe(true);
    if (later.ok) links.push(later.link);
  });

  it('reports create-failed when the constructor throws', async () => {
    const Throwing = function () {
      throw new Error('Cannot create so many PeerConnections');
    } as unknown as CreateLinkOptions['SimplePeerImpl'];
    const budget = createConnectionBudget({ lifetimeLimit: 5 });
    const result = createLink({ identity: await newIdentity(), initiator: true, SimplePeerImpl: Throwing, budget });
    expect(result).toMatchObject({ ok: false, code: 'create-failed' });
    expect(budget.remaining()).toBe(0);
  });
});
