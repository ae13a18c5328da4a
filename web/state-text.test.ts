import { describe, expect, it } from 'vitest';
import { stateText } from './state-text';

describe('state text', () => {
  it('turns a server failure into what the node does about it', () => {
    expect(stateText('offline', 'signaling server unreachable: closed')).toEqual({ label: 'offline', sentence: 'Signaling server unreachable — retrying… (closed)' });
    expect(stateText('isolated', 'signaling server unreachable').sentence).toBe('Signaling server unreachable — retrying…');
  });
  it('says nothing more when connected, and explains the other states', () => {
    expect(stateText('connected', undefined)).toEqual({ label: 'connected', sentence: '' });
    expect(stateText('joining', undefined).sentence).toMatch(/^Contacting/);
    expect(stateText('stopped', 'bye').sentence).toBe('This node has left the mesh. (bye)');
  });
});
