import type { Rng } from '../core/random';

/**
 * The driver's randomness: `crypto.getRandomValues`, drawn in blocks so that a gossip round does not cost a
 * system call per coin flip. Gossip peer choice must not be predictable by others (eclipse attempts).
 */
export function cryptoRng(blockSize = 256): Rng {
  const block = new Uint32Array(blockSize);
  let index = blockSize;
  return {
    next(): number {
      if (index >= blockSize) {
        globalThis.crypto.getRandomValues(block);
        index = 0;
      }
      return (block[index++] as number) / 4294967296;
    },
  };
}
