import { defineConfig } from 'vitest/config';

/**
 * Time-outs are upper bounds for a loaded 2-core machine (the suite must pass with both cores busy), never
 * expectations of speed: a passing poll returns as soon as its condition holds.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'web/**/*.test.ts', 'signal/**/*.test.ts', 'sim/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    expect: { poll: { timeout: 30_000 } },
  },
});
