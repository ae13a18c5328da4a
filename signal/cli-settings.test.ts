import { describe, expect, it } from 'vitest';
import { parseCliSettings } from './cli-settings';

describe('cli settings', () => {
  it('uses defaults, then env, then flags', () => {
    expect(parseCliSettings([], {})).toEqual({ port: 8787, host: '127.0.0.1', allowedOrigins: undefined });
    const env = { STARMESH_SIGNAL_PORT: '9000', STARMESH_SIGNAL_HOST: '0.0.0.0', STARMESH_ALLOWED_ORIGINS: 'https://a, https://b' };
    expect(parseCliSettings([], env)).toEqual({ port: 9000, host: '0.0.0.0', allowedOrigins: ['https://a', 'https://b'] });
    expect(parseCliSettings(['--port', '0', '--origins', 'http://x'], env)).toMatchObject({ port: 0, allowedOrigins: ['http://x'] });
  });

  it('rejects bad ports and unknown flags', () => {
    for (const port of ['abc', '-1', '70000', '1.5', '']) expect(() => parseCliSettings(['--port', port], {})).toThrow();
    expect(() => parseCliSettings(['--nope'], {})).toThrow();
  });
});
