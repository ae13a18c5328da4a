import { describe, expect, it } from 'vitest';
import { roomLink } from './room-link';

describe('room link', () => {
  it('keeps room and signal, drops test overrides and the fragment', () => {
    expect(roomLink('http://h:5173/?room=x&gossipMs=500#top', 'x', 'ws://h:8787')).toBe('http://h:5173/?room=x&signal=ws%3A%2F%2Fh%3A8787');
    expect(roomLink('https://mesh.example/app/?room=a', 'b', null)).toBe('https://mesh.example/app/?room=b');
  });
});
