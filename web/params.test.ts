import { describe, expect, it } from 'vitest';
import { browserNodeConfig, readPageConfig } from './params';

const LOCATION = { hostname: '127.0.0.1', protocol: 'http:' };
const ice = (value: unknown): string => `?ice=${encodeURIComponent(JSON.stringify(value))}`;

describe('readPageConfig: ICE', () => {
  it('sets no ICE server when the URL names none', () => {
    const config = readPageConfig('?room=a', LOCATION);
    expect(config.iceServers).toBeUndefined();
    expect(browserNodeConfig(config)).not.toHaveProperty('iceServers');
    expect(config.notes).toEqual([]);
  });

  it('reads ice and iceTransportPolicy', () => {
    const servers = [{ urls: ['turn:10.0.0.1:3478?transport=udp'], username: '1700000000:x', credential: 'abc=' }];
    const config = readPageConfig(`${ice(servers)}&iceTransportPolicy=relay`, LOCATION);
    expect(config.iceServers).toEqual(servers);
    expect(config.iceTransportPolicy).toBe('relay');
    expect(config.notes).toEqual([]);
    expect(browserNodeConfig(config)).toMatchObject({ iceServers: servers, iceTransportPolicy: 'relay' });
  });

  it('refuses an invalid ice with a visible error, and uses none', () => {
    const config = readPageConfig(ice([{ urls: 'http://10.0.0.1' }]), LOCATION);
    expect(config.iceServers).toBeUndefined();
    expect(config.iceError).toMatch(/^ice=.* refused: ice server 0 urls must start with stun:, turn: or turns:$/);
    expect(config.notes).toEqual([expect.stringMatching(/^error: ice=.*refused.*; no ICE server is used$/)]);
  });

  it('refuses more than 8 servers and malformed JSON', () => {
    expect(readPageConfig(ice(Array.from({ length: 9 }, () => ({ urls: 'stun:a' }))), LOCATION).iceError).toMatch(/at most 8/);
    expect(readPageConfig('?ice=%5B%7B', LOCATION).iceError).toMatch(/not valid JSON/);
  });

  it('ignores an unknown transport policy with a note', () => {
    const config = readPageConfig('?iceTransportPolicy=none', LOCATION);
    expect(config.iceTransportPolicy).toBeUndefined();
    expect(config.notes).toEqual(['iceTransportPolicy=none ignored: use all or relay']);
  });
});
