import { describe, expect, it } from 'vitest';
import { linkTroubleText } from './link-trouble';

describe('linkTroubleText', () => {
  it('says nothing while every attempt worked (or for nonsense counts)', () => {
    expect(linkTroubleText(0, false)).toBe('');
    expect(linkTroubleText(-1, true)).toBe('');
    expect(linkTroubleText(Number.NaN, false)).toBe('');
  });

  it('names the missing TURN server, or the TURN server that did not help', () => {
    expect(linkTroubleText(1, false)).toBe('Could not connect to 1 peer directly: no TURN server is configured, and your network (or theirs) may need one (see the ice setting).');
    expect(linkTroubleText(3, false)).toMatch(/^Could not connect to 3 peers directly: no TURN server is configured/);
    expect(linkTroubleText(2, true)).toBe('Could not connect to 2 peers, not even through the TURN server: a firewall may block it, or it refused its credentials.');
  });
});
