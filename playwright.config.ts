import { defineConfig } from '@playwright/test';
import type { StarmeshOptions } from './e2e/fixtures';
import { chromiumArgs, chromiumExecutablePath } from './src/playwright/chromium';

// Run through `npm run test:e2e`, which wraps Playwright in a private network
// namespace (scripts/netns-run.sh): headless Chromium needs a non-loopback
// interface to gather ICE candidates. Inside that namespace no server of the
// host is visible, so `reuseExistingServer` only matters when run without it.

const env = process.env;
const CI = Boolean(env['CI']);
const host = '127.0.0.1';
const pagePort = Number(env['STARMESH_PORT'] ?? 5173);
const signalPort = Number(env['STARMESH_SIGNAL_PORT'] ?? 8787);
const baseURL = `http://${host}:${pagePort}`;
const signalUrl = `ws://${host}:${signalPort}`;
// The built widget and its example host pages are served on another port: another origin than the page.
const widgetPort = Number(env['STARMESH_WIDGET_PORT'] ?? 5174);
const widgetHostUrl = `http://${host}:${widgetPort}`;

const executablePath = chromiumExecutablePath(env);

export default defineConfig<StarmeshOptions>({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: Number(env['STARMESH_E2E_WORKERS'] ?? (CI ? 1 : 2)),
  forbidOnly: CI,
  retries: 0,
  // Upper bounds for a loaded 2-core machine, not expectations of speed (see PATIENT_MS in e2e/fixtures.ts).
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    signalUrl,
    widgetHostUrl,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: { args: [...chromiumArgs], ...(executablePath ? { executablePath } : {}) },
      },
    },
  ],
  webServer: [
    {
      name: 'page',
      command: `npx vite --host ${host} --port ${pagePort} --strictPort`,
      env: { STARMESH_NO_HMR: '1' },
      url: `${baseURL}/`,
      reuseExistingServer: !CI,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'widget-host',
      // Builds the widget (ES module + classic script) and serves dist/widget/ with the example host pages.
      command: `npx vite build --mode widget && npx vite preview --mode widget --host ${host} --port ${widgetPort} --strictPort`,
      url: `${widgetHostUrl}/`,
      reuseExistingServer: !CI,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      name: 'signal',
      // Same Origin allow-list as `npm start` uses, so tests exercise the check.
      command: `npx tsx signal/cli.ts --host ${host} --port ${signalPort} --origins ${baseURL},http://localhost:${pagePort},${widgetHostUrl}`,
      port: signalPort,
      reuseExistingServer: !CI,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
