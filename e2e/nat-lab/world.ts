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
import { startCoturn, type Coturn } from './coturn';
import { buildLab, type Home, type Lab, type NatKind } from './lab';
import { enterArgs, type Netns } from './netns';

export const PAGE_PORT = 5173;
export const SIGNAL_PORT = 8787;

/** A running lab. */
export interface World {
  readonly lab: Lab;
  readonly turn: Coturn;
  readonly pageOrigin: string;
  readonly signalUrl: string;
  /** Server and browser output (attached to failing tests). */
  readonly log: string[];
  home(name: string): Home;
  /** The home's Chromium (launched on first use, inside the home). */
  browser(home: Home): Promise<Browser>;
  /** Starts `cmd` inside `home` (killed at `stop` or when the test process dies); its output goes to `log`. */
  spawnIn(ns: Netns, tag: string, cmd: string, args: string[]): ChildProcess;
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
  const spawnIn = (ns: Netns, tag: string, cmd: string, args: string[]): ChildProcess => {
    const child = ns.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STARMESH_NO_HMR: '1' } });
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
  try {
    turn = await startCoturn(lab.pub, {
      listeningIps: [lab.serverAddress, lab.serverAddress2],
      relayIp: lab.serverAddress,
      // A fresh secret per run: credentials made for one run are worthless in any other.
      secret: randomBytes(18).toString('base64url'),
      allowedPeerRanges: ['10.200.0.0-10.200.0.255'],
    });
    spawnIn(lab.pub, 'page', 'npx', ['vite', '--host', lab.serverAddress, '--port', String(PAGE_PORT), '--strictPort']);
    spawnIn(lab.pub, 'signal', 'npx', ['tsx', 'signal/cli.ts', '--host', lab.serverAddress, '--port', String(SIGNAL_PORT), '--origins', pageOrigin]);
    await waitHttp(lab.pub, `${pageOrigin}/`);
    await waitHttp(lab.pub, `http://${lab.serverAddress}:${SIGNAL_PORT}/`);
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

/** Opens the page in `home` with `params`, recording every RTCPeerConnection (see `recordPeerConnections`). */
export async function openInHome(world: World, home: Home, params: Record<string, string>): Promise<HomePage> {
  const browser = await world.browser(home);
  const context = await browser.newContext();
  await context.addInitScript(recordPeerConnections);
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
  await page.goto(`${world.pageOrigin}/?${new URLSearchParams(params)}`);
  return { home, context, page, log };
}

/**
 * Init script (test-only): keeps every RTCPeerConnection the page makes in `window.__labPcs`, so the test can
 * read each link's selected candidate pair from `getStats()`.
 */
function recordPeerConnections(): void {
  const w = window as unknown as { __labPcs: RTCPeerConnection[]; RTCPeerConnection: typeof RTCPeerConnection };
  w.__labPcs = [];
  const Original = w.RTCPeerConnection;
  const Recording = function (this: unknown, ...args: ConstructorParameters<typeof RTCPeerConnection>) {
    const pc = new Original(...args);
    w.__labPcs.push(pc);
    return pc;
  } as unknown as typeof RTCPeerConnection;
  Recording.prototype = Original.prototype;
  Object.setPrototypeOf(Recording, Original);
  w.RTCPeerConnection = Recording;
}

/** One end of a selected candidate pair. */
export interface PathEnd {
  candidateType: string;
  protocol: string;
  relayProtocol?: string;
  address: string;
  port: number;
}

/** The selected candidate pair of every connected RTCPeerConnection in `page`. */
export async function selectedPaths(page: Page): Promise<{ local: PathEnd; remote: PathEnd }[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __labPcs?: RTCPeerConnection[] }).__labPcs ?? [];
    const out: { local: PathEnd; remote: PathEnd }[] = [];
    for (const pc of pcs) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => byId.set(s['id'] as string, s));
      const transport = [...byId.values()].find((s) => s['type'] === 'transport');
      const pair = byId.get(String(transport?.['selectedCandidatePairId']));
      if (!pair) continue;
      const end = (id: unknown): PathEnd => {
        const c = byId.get(String(id)) ?? {};
        return {
          candidateType: String(c['candidateType']),
          protocol: String(c['protocol']),
          ...(c['relayProtocol'] ? { relayProtocol: String(c['relayProtocol']) } : {}),
          address: String(c['address']),
          port: Number(c['port']),
        };
      };
      out.push({ local: end(pair['localCandidateId']), remote: end(pair['remoteCandidateId']) });
    }
    return out;
  });
}
