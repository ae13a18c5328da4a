import { defineConfig } from '@playwright/test';
import type { StarmeshFixtureOptions } from 'starmesh/playwright';

const port = Number(process.env['CONSUMER_PORT'] ?? 4173);

export default defineConfig<StarmeshFixtureOptions>({
  testDir: 'tests',
  workers: 1,
  retries: 0,
  // Upper bounds for a loaded machine, not expectations of speed.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${port}`, starmesh: { pageUrl: '/' } },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
