import { describe, expect, it } from 'vitest';
import { parseCliSettings } from './cli-settings';

describe('cli settings', () => {
  it('uses defaults, then env, then flags', () => {
    expect(parseCliSettings([], {})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      allowedOrigins: undefined,
      maxIntroducersPerRoom: 8,
      guestLeaseMs: 60_000,
    });
    const env = {
      STARMESH_SIGNAL_PORT: '9000',
      STARMESH_SIGNAL_HOST: '0.0.0.0',
      STARMESH_ALLOWED_ORIGINS: 'https://a, https://b',
      STARMESH_SIGNAL_MAX_INTRODUCERS: '3',
      STARMESH_SIGNAL_GUEST_LEASE_MS: '5000',
    };
    expect(parseCliSettings([], env)).toEqual({
      port: 9000,
      host: '0.0.0.0',
      allowedOrigins: ['https://a', 'https://b'],
      maxIntroducersPerRoom: 3,
      guestLeaseMs: 5000,
    });
    expect(
      parseCliSettings(['--port', '0', '--origins', 'http://x', '--max-introducers', '16', '--guest-lease-ms', '250'], env),
    ).toMatchObject({ port: 0, allowedOrigins: ['http://x'], maxIntroducersPerRoom: 16, guestLeaseMs: 250 });
  });

  it('rejects bad ports, pool sizes, leases and unknown flags', () => {
    for (const port of ['abc', '-1', '70000', '1.5', '']) expect(() => parseCliSettings(['--port', port], {})).toThrow();
    for (const size of ['0', '-2', '1e3', 'eight', '']) {
      expect(() => parseCliSettings(['--max-introducers', size], {})).toThrow();
      expect(() => parseCliSettings([], { STARMESH_SIGNAL_MAX_INTRODUCERS: size })).toThrow();
    }
    for (const lease of ['0', '2147483648', '60s', '1.5', '']) {
      expect(() => parseCliSettings(['--guest-lease-ms', lease], {})).toThrow();
    }
    expect(() => parseCliSettings(['--nope'], {})).toThrow();
  });
});
