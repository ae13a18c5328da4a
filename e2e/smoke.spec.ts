/**
 * Smoke test for the risky part of the test setup: two tabs in separate
 * browser contexts open a real WebRTC data channel and exchange a message.
 * The test itself carries offer and answer between the pages (no server).
 * If this fails, no Starmesh scenario can pass: check that the run happens
 * inside the network namespace (npm run test:e2e) and the Chromium flags.
 */
import type { Page } from '@playwright/test';
import type { RtcSmoke } from './pages/rtc-smoke';
import { expect, test } from './fixtures';

const SMOKE_PAGE = '/e2e/pages/rtc-smoke.html';

type W = { rtcSmoke: RtcSmoke };

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => Boolean((window as unknown as Partial<W>).rtcSmoke));
}

test('plain RTCPeerConnection: data channel between two contexts', async ({ openPages }) => {
  const [a, b] = await openPages(2, SMOKE_PAGE);
  await Promise.all([ready(a!.page), ready(b!.page)]);

  const offer = await a!.page.evaluate(() => (window as unknown as W).rtcSmoke.createOffer());
  const answer = await b!.page.evaluate((o) => (window as unknown as W).rtcSmoke.acceptOffer(o), offer);
  await a!.page.evaluate((ans) => (window as unknown as W).rtcSmoke.acceptAnswer(ans), answer);

  const candidates = await a!.page.evaluate(() => (window as unknown as W).rtcSmoke.localCandidates());
  test.info().annotations.push({ type: 'local ICE candidates', description: candidates.join(' | ') || '(none)' });
  expect(candidates.length, 'Chromium gathered no ICE candidate: not inside the network namespace?').toBeGreaterThan(0);
  if (process.env['STARMESH_IN_NETNS']) {
    // Inside scripts/netns-run.sh the only IPv4 address besides loopback is the namespace's own veth.
    const ipv4 = candidates.flatMap((c) => c.match(/ (\d+\.\d+\.\d+\.\d+) \d+ typ /)?.[1] ?? []);
    expect(ipv4.every((ip) => ip === '10.77.0.1' || ip.startsWith('127.')), ipv4.join(', ')).toBe(true);
  }

  for (const { page } of [a!, b!]) {
    await expect.poll(() => page.evaluate(() => (window as unknown as W).rtcSmoke.isOpen())).toBe(true);
  }
  await a!.page.evaluate(() => (window as unknown as W).rtcSmoke.send('hello from a'));
  await b!.page.evaluate(() => (window as unknown as W).rtcSmoke.send('hello from b'));

  await expect.poll(() => b!.page.evaluate(() => (window as unknown as W).rtcSmoke.received())).toEqual(['hello from a']);
  await expect.poll(() => a!.page.evaluate(() => (window as unknown as W).rtcSmoke.received())).toEqual(['hello from b']);
});

test('simple-peer browser bundle served by Vite: data channel between two contexts', async ({ openPages }) => {
  const [a, b] = await openPages(2, SMOKE_PAGE);
  await Promise.all([ready(a!.page), ready(b!.page)]);

  const offer = await a!.page.evaluate(() => (window as unknown as W).rtcSmoke.peerOffer());
  const answer = await b!.page.evaluate((o) => (window as unknown as W).rtcSmoke.peerAnswer(o), offer);
  await a!.page.evaluate((ans) => (window as unknown as W).rtcSmoke.peerAcceptAnswer(ans), answer);

  for (const { page } of [a!, b!]) {
    await expect.poll(() => page.evaluate(() => (window as unknown as W).rtcSmoke.isOpen())).toBe(true);
  }
  await a!.page.evaluate(() => (window as unknown as W).rtcSmoke.send('ping via simple-peer'));
  await expect
    .poll(() => b!.page.evaluate(() => (window as unknown as W).rtcSmoke.received()))
    .toEqual(['ping via simple-peer']);
});

test('the page origin reaches the signaling server', async ({ openPages, signalUrl }) => {
  const [a] = await openPages(1, SMOKE_PAGE);
  const first = await a!.page.evaluate(
    (url) =>
      new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.onmessage = (e) => {
          resolve(String(e.data));
          ws.close();
        };
        ws.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
      }),
    signalUrl,
  );
  // The server greets every connection first (see signal/README.md).
  expect(JSON.parse(first)).toMatchObject({ v: 1, t: 'challenge' });
});
