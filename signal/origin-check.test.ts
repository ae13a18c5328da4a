import { describe, expect, it } from 'vitest';
import { checkOrigin, isWellFormedOrigin } from './origin-check';

describe('origin check', () => {
  const allowed = new Set(['https://ok.example', 'http://[::1]:5173']);

  it('allows listed origins, and a request without Origin (not a browser) whatever the list', () => {
    expect(checkOrigin('https://ok.example', allowed)).toBe('allow');
    expect(checkOrigin('http://[::1]:5173', allowed)).toBe('allow');
    expect(checkOrigin(undefined, allowed)).toBe('allow');
    expect(checkOrigin('https://evil.example', undefined)).toBe('allow');
  });

  it('refuses a well-formed unlisted origin on the socket and a malformed one with HTTP 403', () => {
    for (const origin of ['https://evil.example', 'https://ok.example:8443', 'http://[::1]:5174', 'null', 'https://ok.example.evil']) {
      expect(checkOrigin(origin, allowed)).toBe('refuse-on-socket');
    }
    for (const origin of ['', 'ok.example', 'https://ok.example/', 'https://OK.example', 'https://ok.example:443', ' https://ok.example', `https://${'a'.repeat(300)}`]) {
      expect(isWellFormedOrigin(origin), origin.slice(0, 40)).toBe(false);
      expect(checkOrigin(origin, allowed)).toBe('refuse-http');
    }
  });
});
