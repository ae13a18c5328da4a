import { describe, expect, it, vi } from 'vitest';
import { consoleHandlerErrors, createEmitter } from './emitter';

describe('emitter', () => {
  it('delivers in order, unsubscribes, and isolates throwing handlers, reporting each with its event', () => {
    const failures: Array<[unknown, string]> = [];
    const emitter = createEmitter<{ ping: number; other: string }>((error, event) => failures.push([error, event]));
    const seen: string[] = [];
    const offA = emitter.on('ping', (n) => seen.push(`a${n}`));
    const boom = new Error('boom');
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', (n) => seen.push(`c${n}`));
    emitter.emit('ping', 1);
    offA();
    emitter.emit('ping', 2);
    emitter.emit('other', 'ignored');
    expect(seen).toEqual(['a1', 'c1', 'c2']);
    expect(failures).toEqual([[boom, 'ping'], [boom, 'ping']]);
  });

  it('clear() removes every handler', () => {
    const emitter = createEmitter<{ ping: number }>(() => {});
    const seen: number[] = [];
    emitter.on('ping', (n) => seen.push(n));
    emitter.clear();
    emitter.emit('ping', 1);
    expect(seen).toEqual([]);
  });

  it('the console sink names the scope and the event', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const thrown = new Error('x');
    consoleHandlerErrors('signaling')(thrown, 'signal');
    expect(error).toHaveBeenCalledWith("starmesh: a signaling 'signal' listener threw", thrown);
    error.mockRestore();
  });
});
