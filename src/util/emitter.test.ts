import { describe, expect, it } from 'vitest';
import { createEmitter } from './emitter';

describe('emitter', () => {
  it('delivers in order, unsubscribes, and isolates throwing handlers', () => {
    const failures: unknown[] = [];
    const emitter = createEmitter<{ ping: number; other: string }>((error) => failures.push(error));
    const seen: string[] = [];
    const offA = emitter.on('ping', (n) => seen.push(`a${n}`));
    emitter.on('ping', () => {
      throw new Error('boom');
    });
    emitter.on('ping', (n) => seen.push(`c${n}`));
    emitter.emit('ping', 1);
    offA();
    emitter.emit('ping', 2);
    emitter.emit('other', 'ignored');
    expect(seen).toEqual(['a1', 'c1', 'c2']);
    expect(failures).toHaveLength(2);
  });
});
