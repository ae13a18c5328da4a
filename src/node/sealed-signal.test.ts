import { describe, expect, it } from 'vitest';
import { generateKeyPair, idFromPublicKey, identityFromKeyPair, type KeyIdentity } from '../identity/keys';
import { openSignal, sealSignal } from './sealed-signal';

async function identity() {
  return identityFromKeyPair(await generateKeyPair(false));
}

describe('sealed mesh signaling', () => {
  it('opens what its origin sealed for this target', async () => {
    const [a, b] = await Promise.all([identity(), identity()]);
    const body = await sealSignal(a, b.id, { k: 'rtc', s: { type: 'offer', sdp: 'v=0 fingerprint:sha-256 AA' } });
    const opened = await openSignal(body, a.id, b.id);
    expect(opened).toMatchObject({ ok: true, payload: { k: 'rtc', s: { type: 'offer', sdp: 'v=0 fingerprint:sha-256 AA' } } });
  });

  it('refuses an altered payload (a relay swapping the fingerprint)', async () => {
    const [a, b] = await Promise.all([identity(), identity()]);
    const body = await sealSignal(a, b.id, { k: 'rtc', s: { type: 'offer', sdp: 'fingerprint:sha-256 AA' } });
    const tampered = body.replace('sha-256 AA', 'sha-256 EE');
    expect(tampered).not.toBe(body);
    expect(await openSignal(tampered, a.id, b.id)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a body claimed by another origin, redirected to another target, or resealed with another key', async () => {
    const [a, b, mallory] = await Promise.all([identity(), identity(), identity()]);
    const body = await sealSignal(a, b.id, { k: 'dial' });
    expect(await openSignal(body, mallory.id, b.id)).toEqual({ ok: false, reason: 'wrong-key' });
    expect(await openSignal(body, a.id, mallory.id)).toEqual({ ok: false, reason: 'bad-signature' });
    const forged = await sealSignal(mallory, b.id, { k: 'dial' });
    expect(await openSignal(forged, a.id, b.id)).toEqual({ ok: false, reason: 'wrong-key' });
  });

  it('refuses a seal by a small-order key (the identity point with a fixed, replayable signature)', async () => {
    const b = await identity();
    const publicKey = new Uint8Array(32);
    publicKey[0] = 1;
    const fixed = new Uint8Array(64);
    fixed[0] = 1;
    const forger: KeyIdentity = { id: await idFromPublicKey(publicKey), publicKey, sign: async () => fixed };
    const body = await sealSignal(forger, b.id, { k: 'dial' });
    expect(await openSignal(body, forger.id, b.id)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('answers junk with bad-seal, never throws', async () => {
    const b = await identity();
    for (const junk of ['', '{', '[]', 'null', '{"k":1}', JSON.stringify({ k: 'x', n: 'y', p: 'z', s: 'w' })]) {
      expect(await openSignal(junk, 'AAAAAAAAAAAAAAAAAAAAAA', b.id)).toMatchObject({ ok: false });
    }
  });
});
