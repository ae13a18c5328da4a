/**
 * What the WebRTC adapter hands simple-peer as its RTCConfiguration: no ICE server unless configured (simple-peer's
 * built-in public STUN servers must never be used), the configured ones otherwise. A recording constructor stands
 * in for simple-peer: these tests are about the options, not about WebRTC.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, identityFromKeyPair } from '../identity/keys';
import type { SimplePeerConstructor, SimplePeerLike, SimplePeerOptions } from '../transport/types';
import { createLink, type CreateLinkOptions, type Link } from './webrtc-transport';

const identity = await identityFromKeyPair(await generateKeyPair());
const links: Link[] = [];

afterEach(() => {
  for (const link of links.splice(0)) link.close('test cleanup');
});

/** The options the adapter passed to the constructor. */
function configOf(options: Partial<CreateLinkOptions>): Record<string, unknown> | undefined {
  let seen: SimplePeerOptions | undefined;
  const Recording = function (this: unknown, opts: SimplePeerOptions): SimplePeerLike {
    seen = opts;
    return { bufferSize: 0, signal: () => {}, write: () => true, destroy: () => {}, on: () => undefined, removeAllListeners: () => undefined } as unknown as SimplePeerLike;
  } as unknown as SimplePeerConstructor;
  const result = createLink({ identity, initiator: true, SimplePeerImpl: Recording, ...options });
  if (!result.ok) throw new Error(`createLink failed: ${result.code}`);
  links.push(result.link);
  return (seen as { config?: Record<string, unknown> } | undefined)?.config;
}

describe('webrtc link configuration', () => {
  it('gives simple-peer an empty ICE server list when nothing is configured', () => {
    expect(configOf({})).toEqual({ iceServers: [] });
  });

  it('keeps the platform settings and still defaults to no ICE server', () => {
    expect(configOf({ rtcConfig: { iceUseIpv6: false } })).toEqual({ iceServers: [], iceUseIpv6: false });
  });

  it('passes configured ICE servers and the transport policy', () => {
    const iceServers = [{ urls: ['turn:10.0.0.1:3478?transport=udp'], username: 'u', credential: 'c' }, { urls: 'stun:10.0.0.1:3478' }];
    const config = configOf({ rtcConfig: { iceServers: [{ urls: 'stun:ignored:1' }], bundlePolicy: 'max-bundle' }, ice: { iceServers, iceTransportPolicy: 'relay' } });
    expect(config).toEqual({ iceServers, iceTransportPolicy: 'relay', bundlePolicy: 'max-bundle' });
    // A copy: a later change to the caller's list does not reach links already made.
    expect((config?.['iceServers'] as unknown[])[0]).not.toBe(iceServers[0]);
  });
});
