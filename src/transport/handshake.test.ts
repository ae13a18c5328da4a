import { describe, expect, it, vi } from 'vitest';
import { base64urlEncode, generateKeyPair, idFromPublicKey, identityFromKeyPair } from '../identity/keys';
import type { KeyIdentity } from '../identity/keys';
import { createLinkHandshake, handshakePayload, parseHandshakeFrame } from './handshake';
import type { LinkHandshake } from './handshake';

async function newIdentity(): Promise<KeyIdentity> {
  return identityFromKeyPair(await generateKeyPair());
}

interface Outcome { ok?: string; failed?: string; sent: string[] }

function side(identity: KeyIdentity, deliver: (text: string) => void, expectedRemoteId?: string) {
  const outcome: Outcome = { sent: [] };
  const handshake = createLinkHandshake({
    identity,
    ...(expectedRemoteId !== undefined ? { expectedRemoteId } : {}),
    send: (text) => {
      outcome.sent.push(text);
      deliver(text);
    },
    onAuthenticated: (id) => (outcome.ok = id),
    onFailed: (code, detail) => (outcome.failed = `${code}: ${detail}`),
  });
  return { handshake, outcome };
}

/** Two handshakes connected by an ordered asynchronous pipe. */
function pair(a: KeyIdentity, b: KeyIdentity, expectB?: string, expectA?: string) {
  let hA: LinkHandshake | undefined;
  let hB: LinkHandshake | undefined;
  const A = side(a, (text) => queueMicrotask(() => hB?.receive(text)), expectB);
  const B = side(b, (text) => queueMicrotask(() => hA?.receive(text)), expectA);
  hA = A.handshake;
  hB = B.handshake;
  return { A: A.outcome, B: B.outcome, start: () => { hA?.start(); hB?.start(); } };
}

/**
 * A forger's "identity" on the small-order identity point: no private key, and a fixed signature (R = identity,
 * S = 0) that plain WebCrypto accepts for any message, so its proofs replay.
 */
async function smallOrderForger(): Promise<KeyIdentity> {
  const publicKey = new Uint8Array(32);
  publicKey[0] = 1;
  const fixed = new Uint8Array(64);
  fixed[0] = 1;
  return { id: await idFromPublicKey(publicKey), publicKey, sign: async () => fixed };
}

describe('link handshake', () => {
  it('refuses a small-order key whose fixed signature needs no private key', async () => {
    const [a, forger] = [await newIdentity(), await smallOrderForger()];
    const { A, start } = pair(a, forger, forger.id);
    start();
    await vi.waitFor(() => expect(A.failed).toBe('auth-failed: bad signature'));
    expect(A.ok).toBeUndefined();
  });

  it('authenticates both sides with expected ids', async () => {
    const [a, b] = [await newIdentity(), await newIdentity()];
    const { A, B, start } = pair(a, b, b.id, a.id);
    start();
    await vi.waitFor(() => expect([A.ok, B.ok]).toEqual([b.id, a.id]), { timeout: 30_000 });
    expect(A.failed).toBeUndefined();
  });

  it('works when one side starts late (remote hello arrives first)', async () => {
    const [a, b] = [await newIdentity(), await newIdentity()];
    let hB: LinkHandshake | undefined;
    const A = side(a, (text) => queueMicrotask(() => hB?.receive(text)));
    const B = side(b, (text) => queueMicrotask(() => A.handshake.receive(text)));
    hB = B.handshake;
    A.handshake.start();
    await vi.waitFor(() => expect(A.outcome.sent.length).toBe(1), { timeout: 30_000 });
    B.handshake.start();
    await vi.waitFor(() => expect([A.outcome.ok, B.outcome.ok]).toEqual([b.id, a.id]), { timeout: 30_000 });
  });

  it('fails on an unexpected remote id', async () => {
    const [a, b, c] = [await newIdentity(), await newIdentity(), await newIdentity()];
    const { A, start } = pair(a, b, c.id);
    start();
    await vi.waitFor(() => expect(A.failed).toMatch(/^auth-failed: remote id mismatch/), { timeout: 30_000 });
    expect(A.ok).toBeUndefined();
  });

  it('refuses a reflected nonce and a reflected key', async () => {
    const a = await newIdentity();
    const fixed = new Uint8Array(32).fill(7);
    const nonce = base64urlEncode(fixed);
    const sent: string[] = [];
    let failed = '';
    const h = createLinkHandshake({
      identity: a, randomBytes: () => fixed, send: (t) => sent.push(t),
      onAuthenticated: () => undefined, onFailed: (_c, d) => (failed = d),
    });
    h.start();
    h.receive(JSON.stringify({ t: 'hello', v: 1, nonce }));
    expect(failed).toBe('reflected nonce');

    const other = base64urlEncode(new Uint8Array(32).fill(9));
    const h2 = createLinkHandshake({
      identity: a, send: (t) => sent.push(t), onAuthenticated: () => undefined, onFailed: (_c, d) => (failed = d),
    });
    h2.start();
    const ownNonce = (JSON.parse(sent.at(-1) ?? '{}') as { nonce: string }).nonce;
    h2.receive(JSON.stringify({ t: 'hello', v: 1, nonce: other }));
    const sig = await a.sign(handshakePayload(ownNonce, other));
    h2.receive(JSON.stringify({ t: 'proof', key: base64urlEncode(a.publicKey), sig: base64urlEncode(sig) }));
    await vi.waitFor(() => expect(failed).toBe('remote presented our own key'), { timeout: 30_000 });
  });

  it('refuses a bad signature and out-of-order frames', async () => {
    const [a, b] = [await newIdentity(), await newIdentity()];
    const failures: string[] = [];
    const make = () => createLinkHandshake({
      identity: a, send: () => undefined, onAuthenticated: () => undefined, onFailed: (_c, d) => failures.push(d),
    });
    const nonce = base64urlEncode(new Uint8Array(32).fill(1));
    const h1 = make();
    h1.start();
    h1.receive(JSON.stringify({ t: 'hello', v: 1, nonce }));
    const sig = await b.sign(handshakePayload('wrong', nonce));
    h1.receive(JSON.stringify({ t: 'proof', key: base64urlEncode(b.publicKey), sig: base64urlEncode(sig) }));
    make().receive(JSON.stringify({ t: 'ok' }));
    make().receive(JSON.stringify({ t: 'proof', key: 'AA', sig: 'AA' }));
    const h4 = make();
    h4.receive(JSON.stringify({ t: 'hello', v: 1, nonce }));
    h4.receive(JSON.stringify({ t: 'hello', v: 1, nonce }));
    await vi.waitFor(() => expect(failures).toHaveLength(4), { timeout: 30_000 });
    expect(failures).toEqual(expect.arrayContaining(['bad signature', 'unexpected ok', 'unexpected proof', 'duplicate hello']));
  });

  it('parses only well-formed frames', () => {
    const nonce = base64urlEncode(new Uint8Array(32));
    expect(parseHandshakeFrame(JSON.stringify({ t: 'hello', v: 1, nonce }))).toEqual({ t: 'hello', nonce });
    for (const bad of ['', 'null', '[]', '{"t":"hello","v":2,"nonce":"AA"}', '{"t":"hello","v":1,"nonce":"AA"}',
      '{"t":"proof","key":"","sig":"AA"}', '{"t":"proof","key":"AA"}', '{"t":"x"}', 'x'.repeat(5000)]) {
      expect(parseHandshakeFrame(bad)).toBeNull();
    }
  });
});
