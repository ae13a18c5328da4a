import { describe, expect, it } from 'vitest';
import { MAX_ICE_FIELD_CHARS, hasStunServer, hasTurn, parseIceServers, parseIceServersJson, rtcConfigWithIce } from './ice-servers';

describe('parseIceServers', () => {
  it('accepts STUN and TURN servers with string or array urls, copying only the known fields', () => {
    const result = parseIceServers([
      { urls: 'stun:10.0.0.1:3478' },
      { urls: ['turn:10.0.0.1:3478?transport=udp', 'turns:turn.example:5349'], username: 'u', credential: 'c', extra: 1 },
    ]);
    expect(result).toEqual({
      ok: true,
      servers: [{ urls: 'stun:10.0.0.1:3478' }, { urls: ['turn:10.0.0.1:3478?transport=udp', 'turns:turn.example:5349'], username: 'u', credential: 'c' }],
    });
  });

  it('accepts an empty list (no ICE server)', () => {
    expect(parseIceServers([])).toEqual({ ok: true, servers: [] });
  });

  it.each([
    ['not an array', { urls: 'stun:a' }, /JSON array/],
    ['more than 8 servers', Array.from({ length: 9 }, () => ({ urls: 'stun:a' })), /at most 8/],
    ['a non-object entry', ['stun:a'], /must be an object/],
    ['a missing url', [{}], /must be a string/],
    ['an empty url list', [{ urls: [] }], /1–8 URLs/],
    ['an http url', [{ urls: 'http://stun.example' }], /stun:, turn: or turns:/],
    ['a scheme not at the start', [{ urls: ' stun:a' }], /stun:, turn: or turns:/],
    ['a number url', [{ urls: [7] }], /urls\[0\] must be a string/],
    ['a long credential', [{ urls: 'turn:a', credential: 'x'.repeat(MAX_ICE_FIELD_CHARS + 1) }], /credential is longer than 512/],
    ['a non-string username', [{ urls: 'turn:a', username: 5 }], /username must be a string/],
    ['a long url', [{ urls: `stun:${'a'.repeat(MAX_ICE_FIELD_CHARS)}` }], /longer than 512/],
  ])('refuses %s', (_name, value, error) => {
    const result = parseIceServers(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it('allows a credential of exactly the limit', () => {
    expect(parseIceServers([{ urls: 'turn:a', credential: 'x'.repeat(MAX_ICE_FIELD_CHARS) }]).ok).toBe(true);
  });
});

describe('parseIceServersJson', () => {
  it('parses JSON text', () => {
    expect(parseIceServersJson('[{"urls":"stun:10.0.0.1:3478"}]')).toEqual({ ok: true, servers: [{ urls: 'stun:10.0.0.1:3478' }] });
  });

  it('refuses malformed and oversized text', () => {
    expect(parseIceServersJson('[{"urls":')).toEqual({ ok: false, error: 'not valid JSON' });
    expect(parseIceServersJson(`[${'{"urls":"stun:a"},'.repeat(2_000)}]`)).toMatchObject({ ok: false, error: expect.stringMatching(/longer than/) });
  });
});

describe('rtcConfigWithIce', () => {
  it('defaults to no ICE server and adds the configured ones and the policy', () => {
    expect(rtcConfigWithIce(undefined, undefined)).toEqual({ iceServers: [] });
    expect(rtcConfigWithIce({ a: 1 }, { iceServers: [{ urls: 'stun:x' }], iceTransportPolicy: 'relay' })).toEqual({
      a: 1,
      iceServers: [{ urls: 'stun:x' }],
      iceTransportPolicy: 'relay',
    });
  });

  it('tells STUN from TURN', () => {
    expect(hasStunServer([{ urls: ['turn:a'] }])).toBe(false);
    expect(hasStunServer([{ urls: ['turn:a', 'stun:a'] }])).toBe(true);
    expect(hasTurn(undefined)).toBe(false);
    expect(hasTurn({ iceServers: [{ urls: 'stun:a' }] })).toBe(false);
    expect(hasTurn({ iceServers: [{ urls: ['stun:a', 'turns:a'] }] })).toBe(true);
    expect(hasTurn({ iceServers: [{ urls: 'turn:a?transport=tcp' }] })).toBe(true);
  });
});
