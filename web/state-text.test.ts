import { describe, expect, it } from 'vitest';
import { serverFailureDetail } from '../src/node/server-failure';
import { SignalingError } from '../src/adapters/signaling-client';
import { ALONE_SENTENCE, ORIGIN_FORBIDDEN_SENTENCE, retryWords, stateText } from './state-text';

describe('state text', () => {
  it('tells a first tab alone in its room that it waits for others, not that it is contacting anyone', () => {
    expect(stateText('joining', undefined, undefined, true)).toEqual({ label: 'joining', sentence: ALONE_SENTENCE, countdown: '' });
    expect(stateText('joining', undefined, undefined, false).sentence).toBe('Contacting the signaling server and the first peers…');
  });
  it('turns a server failure into what the node does about it', () => {
    expect(stateText('offline', 'signaling server unreachable: closed')).toEqual({
      label: 'offline',
      sentence: 'Signaling server unreachable — retrying… (closed)',
      countdown: 'retrying…',
    });
    expect(stateText('isolated', 'signaling server unreachable').sentence).toBe('Signaling server unreachable — retrying…');
  });

  it('says a refused origin as exactly that, never as an unreachable server', () => {
    const detail = serverFailureDetail(new SignalingError('origin-forbidden', 'refused'));
    expect(detail).toBe("this page's origin is not allowed by the signaling server (origin-forbidden)");
    const text = stateText('offline', detail, { attempting: false, retryInMs: 20_000 });
    expect(text).toEqual({ label: 'offline', sentence: `${ORIGIN_FORBIDDEN_SENTENCE} — retrying in 20 s`, countdown: 'retrying in 20 s' });
    expect(text.sentence).not.toMatch(/unreachable/i);
    expect(stateText('isolated', detail).sentence).toBe(`${ORIGIN_FORBIDDEN_SENTENCE} — retrying…`);
    expect(serverFailureDetail(new SignalingError('connect-failed', 'x'))).toBe('signaling server unreachable: connect-failed');
    expect(serverFailureDetail(new Error('boom'))).toBe('signaling server unreachable: boom');
  });

  it('says when the server is tried again, in whole seconds rounded up, and "now" during an attempt', () => {
    const offline = (attempting: boolean, retryInMs: number | null): string =>
      stateText('offline', 'signaling server unreachable: connect-failed', { attempting, retryInMs }).sentence;
    expect(offline(false, 8_000)).toBe('Signaling server unreachable — retrying in 8 s (connect-failed)');
    expect(offline(false, 7_001)).toBe('Signaling server unreachable — retrying in 8 s (connect-failed)');
    expect(offline(false, 1)).toBe('Signaling server unreachable — retrying in 1 s (connect-failed)');
    expect(offline(false, 0)).toBe('Signaling server unreachable — retrying now… (connect-failed)');
    expect(offline(true, 5_000)).toBe('Signaling server unreachable — retrying now… (connect-failed)');
    expect(offline(true, null)).toBe('Signaling server unreachable — retrying now… (connect-failed)');
    expect(offline(false, null)).toBe('Signaling server unreachable — retrying… (connect-failed)');
    expect(stateText('isolated', 'signaling server unreachable', { attempting: false, retryInMs: 125_400 }).countdown).toBe('retrying in 126 s');
  });

  it('marks the countdown inside the sentence, and only for a server failure', () => {
    const text = stateText('offline', 'signaling server unreachable: closed', { attempting: false, retryInMs: 3_000 });
    expect(text.countdown).toBe('retrying in 3 s');
    expect(text.sentence.indexOf(text.countdown)).toBe('Signaling server unreachable — '.length);
    expect(stateText('connected', undefined, { attempting: false, retryInMs: 3_000 })).toEqual({ label: 'connected', sentence: '', countdown: '' });
    expect(retryWords(undefined)).toBe('retrying…');
  });

  it('says nothing more when connected, and explains the other states', () => {
    expect(stateText('connected', undefined)).toEqual({ label: 'connected', sentence: '', countdown: '' });
    expect(stateText('joining', undefined).sentence).toMatch(/^Contacting/);
    expect(stateText('stopped', 'bye').sentence).toBe('This node has left the mesh. (bye)');
  });
});
