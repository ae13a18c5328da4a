/**
 * coturn (`turnserver`) for the NAT lab: a generated config in a temp dir, run in the foreground in the public
 * namespace, TURN REST credentials (`use-auth-secret`) made with the signaling server's own `turnRestCredential`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns } from './netns';
import { turnRestCredential } from '../../signal/ice-issuer';

/** Where Debian's coturn installs the server. */
export const TURNSERVER = '/usr/bin/turnserver';

/** Whether coturn is installed. */
export function coturnAvailable(): boolean {
  return existsSync(TURNSERVER);
}

/** A running coturn. */
export interface Coturn {
  readonly port: number;
  /** Everything it printed so far (attached to failing tests). */
  readonly log: string[];
  /** Time-limited credentials for `name` (TURN REST: `<expirySec>:<name>`, HMAC-SHA1 of it under the secret). */
  credentials(name: string, nowMs: number, ttlSec?: number): { username: string; credential: string };
  stop(): Promise<void>;
}

export interface CoturnConfig {
  listeningIps: string[];
  relayIp: string;
  /** The shared secret (fresh per run). */
  secret: string;
  /** Peer addresses coturn may relay to (`first-last` ranges); everything else is denied. */
  allowedPeerRanges: string[];
  port?: number;
}

/** The turnserver.conf text for `config`. */
export function coturnConfigText(config: CoturnConfig): string {
  return [
    ...config.listeningIps.map((ip) => `listening-ip=${ip}`),
    `listening-port=${config.port ?? 3478}`,
    `relay-ip=${config.relayIp}`,
    'min-port=49152',
    'max-port=49407',
    'use-auth-secret',
    `static-auth-secret=${config.secret}`,
    'realm=starmesh.lab',
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    // Deny every peer, then allow the lab's public range: coturn relays only inside the lab.
    'denied-peer-ip=0.0.0.0-255.255.255.255',
    ...config.allowedPeerRanges.map((r) => `allowed-peer-ip=${r}`),
    'log-file=stdout',
    'simple-log',
    'no-software-attribute',
    'pidfile=',
    '',
  ].join('\n');
}

/** Starts coturn inside `ns`; resolves once it listens (its log says so). */
export async function startCoturn(ns: Netns, config: CoturnConfig): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'starmesh-coturn-'));
  const confPath = join(dir, 'turnserver.conf');
  writeFileSync(confPath, coturnConfigText(config));
  const child: ChildProcess = ns.spawn(TURNSERVER, ['-c', confPath, '--no-stdout-log', '--log-file', 'stdout'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const port = config.port ?? 3478;
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      for (const line of d.toString('utf8').split('\n')) if (line) log.push(line);
      if (log.some((l) => /Total (UDP|General) servers: [1-9]/.test(l) || /IPv4\. UDP listener opened on/.test(l))) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`turnserver exited (${code}) before it listened:\n${log.slice(-20).join('\n')}`)));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`turnserver not listening in 20 s:\n${log.slice(-20).join('\n')}`)), 20_000).unref());
  await Promise.race([ready, timeout]);
  return {
    port,
    log,
    credentials(name, nowMs, ttlSec = 3600) {
      const username = `${Math.floor(nowMs / 1000) + ttlSec}:${name}`;
      // The signaling server's own function: coturn accepting it is what a deployment relies on.
      return { username, credential: turnRestCredential(config.secret, username) };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
