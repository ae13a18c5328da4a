import { describe, expect, it } from 'vitest';
import { fitToDescriptors, limitEnv, limitFlag, parseCliSettings } from './cli-settings';
import { DEFAULT_LIMITS } from './limits';

describe('cli settings', () => {
  it('uses defaults, then env, then flags', () => {
    expect(parseCliSettings([], {})).toEqual({
      port: 8787, host: '127.0.0.1', allowedOrigins: undefined, trustProxy: false, limits: {}, ice: { stunUrls: [], turnUrls: [], turnTtlSec: 3600 },
    });
    const env = {
      STARMESH_SIGNAL_PORT: '9000',
      STARMESH_SIGNAL_HOST: '0.0.0.0',
      STARMESH_ALLOWED_ORIGINS: 'https://a, https://b',
      STARMESH_SIGNAL_MAX_INTRODUCERS: '3',
      STARMESH_SIGNAL_GUEST_LEASE_MS: '5000',
      STARMESH_SIGNAL_MAX_SOCKETS_PER_ADDRESS: '12',
      STARMESH_SIGNAL_TRUST_PROXY: '1',
    };
    expect(parseCliSettings([], env)).toEqual({
      port: 9000,
      host: '0.0.0.0',
      allowedOrigins: ['https://a', 'https://b'],
      trustProxy: true,
      limits: { maxIntroducersPerRoom: 3, guestLeaseMs: 5000, maxSocketsPerAddress: 12 },
      ice: { stunUrls: [], turnUrls: [], turnTtlSec: 3600 },
    });
    expect(
      parseCliSettings(
        ['--port', '0', '--origins', 'http://x', '--max-introducers', '16', '--guest-lease-ms', '250', '--message-timeout-ms', '700'],
        env,
      ),
    ).toMatchObject({
      port: 0,
      allowedOrigins: ['http://x'],
      limits: { maxIntroducersPerRoom: 16, guestLeaseMs: 250, messageTimeoutMs: 700, maxSocketsPerAddress: 12 },
    });
  });

  it('has a flag and an env variable for every limit', () => {
    for (const name of Object.keys(DEFAULT_LIMITS) as Array<keyof typeof DEFAULT_LIMITS>) {
      expect(parseCliSettings([`--${limitFlag(name)}`, '7'], {}).limits[name]).toBe(7);
      expect(parseCliSettings([], { [limitEnv(name)]: '9' }).limits[name]).toBe(9);
    }
    expect(limitFlag('maxSocketsPerAddress')).toBe('max-sockets-per-address');
    expect(limitEnv('maxSocketsPerAddress')).toBe('STARMESH_SIGNAL_MAX_SOCKETS_PER_ADDRESS');
  });

  it('rejects bad ports, pool sizes, leases, limits and unknown flags', () => {
    for (const port of ['abc', '-1', '70000', '1.5', '']) expect(() => parseCliSettings(['--port', port], {})).toThrow();
    for (const size of ['0', '-2', '1e3', 'eight', '']) {
      expect(() => parseCliSettings(['--max-introducers', size], {})).toThrow();
      expect(() => parseCliSettings([], { STARMESH_SIGNAL_MAX_INTRODUCERS: size })).toThrow();
      expect(() => parseCliSettings(['--max-rooms-per-address', size], {})).toThrow();
    }
    for (const lease of ['0', '2147483648', '60s', '1.5', '']) {
      expect(() => parseCliSettings(['--guest-lease-ms', lease], {})).toThrow();
    }
    expect(() => parseCliSettings(['--nope'], {})).toThrow();
  });

  it('reads --cert and --key (or env) together, and refuses one without the other', () => {
    expect(parseCliSettings(['--cert', '/c.pem', '--key', '/k.pem'], {}).tls).toEqual({ certPath: '/c.pem', keyPath: '/k.pem' });
    expect(parseCliSettings([], { STARMESH_SIGNAL_CERT: '/c.pem', STARMESH_SIGNAL_KEY: '/k.pem' }).tls).toEqual({ certPath: '/c.pem', keyPath: '/k.pem' });
    expect(parseCliSettings([], {}).tls).toBeUndefined();
    expect(() => parseCliSettings(['--cert', '/c.pem'], {})).toThrow('--cert and --key');
    expect(() => parseCliSettings([], { STARMESH_SIGNAL_KEY: '/k.pem' })).toThrow('--cert and --key');
  });

  it('fits the socket caps under the open-files limit', () => {
    expect(fitToDescriptors(DEFAULT_LIMITS, 65_536).limits).toEqual(DEFAULT_LIMITS);
    const fitted = fitToDescriptors(DEFAULT_LIMITS, 1024);
    expect(fitted.limits.maxSockets + fitted.limits.maxPendingConnections).toBeLessThanOrEqual(1024 - 64);
    expect(fitted.limits.maxPendingConnections).toBe(120);
    expect(fitted.note).toContain('1024');
  });
});
