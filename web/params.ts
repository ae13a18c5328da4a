/**
 * Reads the page's configuration from its URL: signaling server, room, ICE servers and interval overrides. Invalid
 * values are ignored (the default applies) and reported as notes for the page to show; nothing here throws.
 */
import { resolveOptions, type MembershipOptions } from '../src/core';
import type { BrowserNodeConfig } from '../src/browser/start-browser-node';
import { isIceTransportPolicy, parseIceServersJson, type IceServer, type IceTransportPolicy } from '../src/transport/ice-servers';

/** URL parameter → membership option it overrides. */
export const INTERVAL_PARAMS = {
  gossipMs: 'gossipIntervalMs',
  pingMs: 'pingIntervalMs',
  pingTimeoutMs: 'pingTimeoutMs',
  suspicionMs: 'suspicionTimeoutMs',
  cleanupMs: 'cleanupIntervalMs',
  staleMs: 'staleAfterMs',
  heartbeatMs: 'heartbeatIntervalMs',
  connectTimeoutMs: 'connectTimeoutMs',
} as const satisfies Record<string, keyof MembershipOptions>;

/** Largest accepted interval override: one day. */
const MAX_INTERVAL_MS = 86_400_000;
const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const DEFAULT_ROOM = 'lobby';
const DEFAULT_SIGNAL_PORT = 8787;

/** What the page starts with. */
export interface PageConfig {
  signalUrl: string;
  room: string;
  membership: Partial<MembershipOptions>;
  /** ICE servers from `ice` (JSON of an RTCIceServer[]); undefined when not given or invalid (then: none). */
  iceServers?: IceServer[];
  /** From `iceTransportPolicy` (`all` or `relay`). */
  iceTransportPolicy?: IceTransportPolicy;
  /** Why `ice` was refused (also one of `notes`): a widget does not start with it, the page shows it. */
  iceError?: string;
  /** Human-readable notes about ignored parameters. */
  notes: string[];
}

/** Default signaling URL: the page's host, port 8787, ws or wss to match the page. */
export function defaultSignalUrl(location: Pick<Location, 'hostname' | 'protocol'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname || '127.0.0.1';
  return `${scheme}://${host}:${DEFAULT_SIGNAL_PORT}`;
}

function parseSignal(value: string | null, fallback: string, notes: string[]): string {
  if (value === null) return fallback;
  try {
    const url = new URL(value);
    if (url.protocol === 'ws:' || url.protocol === 'wss:') return value;
  } catch {
    // Reported below.
  }
  notes.push(`signal=${value} ignored: not a ws:// or wss:// URL`);
  return fallback;
}

function parseRoom(value: string | null, notes: string[]): string {
  if (value === null) return DEFAULT_ROOM;
  if (ROOM_PATTERN.test(value)) return value;
  notes.push(`room=${value} ignored: use 1–64 characters of A–Z a–z 0–9 _ . -`);
  return DEFAULT_ROOM;
}

function parseIntervals(params: URLSearchParams, notes: string[]): Partial<MembershipOptions> {
  const membership: Partial<MembershipOptions> = {};
  for (const [param, option] of Object.entries(INTERVAL_PARAMS)) {
    const text = params.get(param);
    if (text === null) continue;
    const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_INTERVAL_MS) {
      notes.push(`${param}=${text} ignored: expected whole milliseconds between 1 and ${MAX_INTERVAL_MS}`);
      continue;
    }
    // Each override must also fit with the ones before it (e.g. staleMs within the tombstone lifetime).
    try {
      resolveOptions({ ...membership, [option]: value });
      membership[option] = value;
    } catch (error) {
      notes.push(`${param}=${text} ignored: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return membership;
}

/** Shortens an echoed value so a long parameter does not flood the page. */
function shown(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}

function parseIce(params: URLSearchParams, notes: string[]): Pick<PageConfig, 'iceServers' | 'iceTransportPolicy' | 'iceError'> {
  const result: Pick<PageConfig, 'iceServers' | 'iceTransportPolicy' | 'iceError'> = {};
  const text = params.get('ice');
  if (text !== null) {
    const parsed = parseIceServersJson(text);
    if (parsed.ok) result.iceServers = parsed.servers;
    else {
      result.iceError = `ice=${shown(text)} refused: ${parsed.error}`;
      notes.push(`error: ${result.iceError}; no ICE server is used`);
    }
  }
  const policy = params.get('iceTransportPolicy');
  if (policy !== null) {
    if (isIceTransportPolicy(policy)) result.iceTransportPolicy = policy;
    else notes.push(`iceTransportPolicy=${shown(policy)} ignored: use all or relay`);
  }
  return result;
}

/** Reads `signal`, `room`, `ice`, `iceTransportPolicy` and the interval overrides from `search` (a `location.search` string). */
export function readPageConfig(search: string, location: Pick<Location, 'hostname' | 'protocol'>): PageConfig {
  const params = new URLSearchParams(search);
  const notes: string[] = [];
  return {
    signalUrl: parseSignal(params.get('signal'), defaultSignalUrl(location), notes),
    room: parseRoom(params.get('room'), notes),
    membership: parseIntervals(params, notes),
    ...parseIce(params, notes),
    notes,
  };
}

/** What `startBrowserNode` takes, from a page configuration. */
export function browserNodeConfig(config: PageConfig): BrowserNodeConfig {
  return {
    signalUrl: config.signalUrl,
    room: config.room,
    membership: config.membership,
    ...(config.iceServers !== undefined ? { iceServers: config.iceServers } : {}),
    ...(config.iceTransportPolicy !== undefined ? { iceTransportPolicy: config.iceTransportPolicy } : {}),
  };
}
