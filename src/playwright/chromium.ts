/**
 * How Starmesh launches Chromium, shared by `playwright.config.ts` (the e2e runner), the benches (playwright-core
 * directly) and the published fixture (`starmesh/playwright`), so all see the same browser with the same flags.
 */
import { existsSync } from 'node:fs';

/** Chromium flags: WebRTC between tabs on one machine (real host candidates, loopback allowed), no background noise. */
export const chromiumArgs: readonly string[] = [
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Chromium binary: `STARMESH_CHROMIUM`, else Debian's Chromium when present (Playwright cannot download
 * browsers here), else undefined (Playwright's own).
 */
export function chromiumExecutablePath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['STARMESH_CHROMIUM'] || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
}
