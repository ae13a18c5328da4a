/**
 * The NAT lab with its servers running: the page (Vite dev server), the signaling server and coturn in the public
 * namespace, and one headless Chromium per home launched inside it (Playwright drives it over a pipe, so the
 * browser needs no route back to the test). `startWorld` builds it all; `stop` takes it down in reverse.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumExecutablePath } from '../../src/playwright/chromium';
import type { LinkPath } from '../../src/transport/link-path';
import { startCoturn, type Coturn } from './coturn';
import { buildLab, type Home, type Lab, type NatKind } from './lab';
import { enterArgs, type Netns } from './netns';

export const PAGE_PORT = 5173;
export const SIGNAL_PORT = 8787;
/** The second signaling server, which hands out the lab's STUN and TURN (with REST credentials) in its welcome. */
export const ISSUING_SIGNAL_PORT = 8788;

/**
 * How the lab runs TypeScript: one node process (no npx or tsx wrapper in between), so the kill-with-parent that
 * `Netns.spawn` arranges reaches the program itself and nothing is left running after the test.
 */
export const TSX: readonly string[] = ['--import', 'tsx'];

/** The lab's homes as the tests and the bench build them: two easy NATs, a symmetric one, one with UDP blocked. */
export const LAB_HOMES: readonly { name: string; kind: NatKind }[] = [
  { name: 'easy1', kind: 'easy' },
  { name: 'easy2', kind: 'easy' },
  { name: 'sym', kind: 'symmetric' },
  { name: 'noudp', kind: 'udp-blocked' },
];

/** A running lab. */
export interface World {
  readonly lab: Lab;
  readonly turn: Coturn;
  readonly pageOrigin: string;
  /** A signaling server that hands out no ICE servers (the pages bring their own, or have none). */
  readonly signalUrl: string;
  /** A signaling server that hands every member the lab's STUN and TURN, with TURN REST credentials of its own. */
  readonly issuingSignalUrl: string;
  /** Server and browser output (attached to failing tests). */
  readonly log: string[];
  home(name: string): Home;
  /** The home's Chromium (launched on first use, inside the home). */
  browser(home: Home): Promise<Browser>;
  /** Starts `cmd` inside `ns` (killed at `stop` or when the test process dies); its output goes to `log`. */
  spawnIn(ns: Netns, tag: string, cmd: string, args: string[], env?: Record<string, string>): ChildProcess;
  stop(): Promise<void>;
}

/** Builds the lab for `homes` and starts the page, the signaling server and coturn. */
export async function startWorld(homes: { name: string; kind: NatKind }[]): Promise<World> {
  const lab = await buildLab(homes);
  const log: string[] = [];
  const children: ChildProcess[] = [];
  const browsers = new Map<string, Promise<Browser>>();
  const dir = mkdtempSync(join(tmpdir(), 'starmesh-natlab-'));
  const pageOrigin = `http://${lab.serverAddress}:${PAGE_PORT}`;
  const spawnIn = (ns: Netns, tag: string, cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess => {
    const child = ns.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STARMESH_NO_HMR: '1', ...env } });
    const onData = (d: Buffer): void => {
      for (const line of d.toString('utf8').split('\n')) if (line.trim()) log.push(`[${tag}] ${line}`);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    children.push(child);
    return child;
  };
  let turn: Coturn | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all([...browsers.values()].map((b) => b.then((x) => x.close(), () => undefined)));
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await turn?.stop();
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  };
  // A fresh secret per run: credentials made for one run are worthless in any other.
  const secret = randomBytes(18).toString('base64url');
  try {
    turn = await startCoturn(lab.pub, {
      listeningIps: [lab.serverAddress, lab.serverAddress2],
      relayIp: lab.serverAddress,
      secret,
      allowedPeerRanges: ['10.200.0.0-10.200.0.255'],
    });
    spawnIn(lab.pub, 'page', process.execPath, ['node_modules/vite/bin/vite.js', '--host', lab.serverAddress, '--port', String(PAGE_PORT), '--strictPort']);
    // With the page's origin as its allow-list, as deployed: the Node peers in the homes send no Origin header and
    // are admitted by their key proof.
    spawnIn(lab.pub, 'signal', process.execPath, [...TSX, 'signal/cli.ts', '--host', lab.serverAddress, '--port', String(SIGNAL_PORT), '--origins', pageOrigin]);
    const stunUrl = `stun:${lab.serverAddress}:3478`;
    const turnUrls = ['udp', 'tcp'].map((transport) => `turn:${lab.serverAddress}:3478?transport=${transport}`).join(',');
    // The secret goes by environment, as the CLI recommends (a flag would show in `ps`).
    spawnIn(lab.pub, 'signal-ice', process.execPath, [...TSX, 'signal/cli.ts', '--host', lab.serverAddress, '--port', String(ISSUING_SIGNAL_PORT), '--origins', pageOrigin, '--stun-url', stunUrl, '--turn-url', turnUrls], { STARMESH_TURN_SECRET: secret });
    await waitHttp(lab.pub, `${pageOrigin}/`);
    await waitHttp(lab.pub, `http://${lab.serverAddress}:${SIGNAL_PORT}/`);
    await waitHttp(lab.pub, `http://${lab.serverAddress}:${ISSUING_SIGNAL_PORT}/`);
  } catch (error) {
    await stop();
    throw error;
  }
  const chromiumPath = chromiumExecutablePath() ?? '/usr/bin/chromium';
  return {
    lab,
    turn,
    pageOrigin,
    signalUrl: `ws://${lab.serverAddress}:${SIGNAL_PORT}`,
    issuingSignalUrl: `ws://${lab.serverAddress}:${ISSUING_SIGNAL_PORT}`,
    log,
    home(name) {
      const home = lab.homes.find((h) => h.name === name);
      if (!home) throw new Error(`no home ${name}`);
      return home;
    },
    browser(home) {
      let browser = browsers.get(home.name);
      if (!browser) {
        // Playwright starts the browser through this wrapper, which enters the home first.
        const wrapper = join(dir, `chromium-${home.name}.sh`);
        writeFileSync(wrapper, `#!/bin/sh\nexec nsenter ${enterArgs(home.ns.path).join(' ')} ${chromiumPath} "$@"\n`);
        chmodSync(wrapper, 0o755);
        browser = chromium.launch({
          executablePath: wrapper,
          // The page is served over plain HTTP from a non-loopback address: let it count as a secure context
          // (WebCrypto). Real interfaces here, so no loopback candidates are needed.
          args: [...chromiumArgs, `--unsafely-treat-insecure-origin-as-secure=${pageOrigin}`],
        });
        browsers.set(home.name, browser);
      }
      return browser;
    },
    spawnIn,
    stop,
  };
}

/** Polls `url` from inside `ns` (the test itself has no route into the lab) until anything answers. */
async function waitHttp(ns: Netns, url: string, timeoutMs = 60_000): Promise<void> {
  const script = `fetch(${JSON.stringify(url)}).then(() => process.exit(0), () => process.exit(1))`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ns.exec('node', ['-e', script]).then(() => true, () => false)) return;
    if (Date.now() > deadline) throw new Error(`${url} not answering in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A page opened in a home's browser, in a fresh context. */
export interface HomePage {
  readonly home: Home;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly log: string[];
}

/** Opens the page in `home` with `params`, in a fresh context of the home's browser. */
export async function openInHome(world: World, home: Home, params: Record<string, string>): Promise<HomePage> {
  const browser = await world.browser(home);
  const context = await browser.newContext();
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
  await page.goto(`${world.pageOrigin}/?${new URLSearchParams(params)}`);
  return { home, context, page, log };
}

/** The selected candidate pair of each of the page's links, as `window.starmesh.linkPaths()` reads it. */
export async function selectedPaths(page: Page): Promise<LinkPath[]> {
  const paths = await page.evaluate(() => (window as unknown as { starmesh: { linkPaths(): Promise<Record<string, LinkPath>> } }).starmesh.linkPaths());
  return Object.values(paths);
}
