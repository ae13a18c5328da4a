/**
 * ICE server configuration: its type and the one validator every entry point uses (page URL, widget attribute,
 * Node peer flag, browser and Node start options, the signaling server's join answer). Pure: no I/O.
 *
 * The default everywhere is no ICE server at all: host candidates only, so peers on one host or LAN connect and no
 * outside server learns that this node exists. STUN and TURN are used only when someone configures them.
 */

/** One ICE server, the shape of the DOM's `RTCIceServer` (so an `RTCIceServer[]` can be passed as is). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** `all`: every candidate type; `relay`: TURN relay candidates only (tests of TURN, privacy). */
export type IceTransportPolicy = 'all' | 'relay';

/** What the WebRTC adapter needs to build a peer connection's ICE settings. */
export interface IceConfig {
  iceServers: IceServer[];
  iceTransportPolicy?: IceTransportPolicy;
}

/** Most ICE servers accepted in one configuration (browsers slow down gathering with many). */
export const MAX_ICE_SERVERS = 8;
/** Most URLs accepted per ICE server. */
export const MAX_ICE_URLS_PER_SERVER = 8;
/** Longest accepted URL, username or credential. */
export const MAX_ICE_FIELD_CHARS = 512;
/** Longest accepted JSON text of a whole configuration. */
export const MAX_ICE_JSON_CHARS = 16_384;

const ICE_URL_PATTERN = /^(stun|turn|turns):/;

/** A validated list of ICE servers, or why the input is not one. */
export type IceServersResult = { ok: true; servers: IceServer[] } | { ok: false; error: string };

function checkString(value: unknown, what: string): string | undefined {
  if (typeof value !== 'string') return `${what} must be a string`;
  if (value.length > MAX_ICE_FIELD_CHARS) return `${what} is longer than ${MAX_ICE_FIELD_CHARS} characters`;
  return undefined;
}

function checkUrl(value: unknown, what: string): string | undefined {
  const problem = checkString(value, what);
  if (problem !== undefined) return problem;
  return ICE_URL_PATTERN.test(value as string) ? undefined : `${what} must start with stun:, turn: or turns:`;
}

function parseServer(value: unknown, index: number): IceServer | string {
  const what = `ice server ${index}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${what} must be an object`;
  const { urls, username, credential } = value as Record<string, unknown>;
  const list = Array.isArray(urls) ? urls : [urls];
  if (list.length === 0 || list.length > MAX_ICE_URLS_PER_SERVER) return `${what}: urls must hold 1–${MAX_ICE_URLS_PER_SERVER} URLs`;
  for (const [i, url] of list.entries()) {
    const problem = checkUrl(url, Array.isArray(urls) ? `${what} urls[${i}]` : `${what} urls`);
    if (problem !== undefined) return problem;
  }
  // Only the known fields are copied: nothing else from an untrusted source reaches RTCPeerConnection.
  const server: IceServer = { urls: Array.isArray(urls) ? [...(urls as string[])] : (urls as string) };
  if (username !== undefined) {
    const problem = checkString(username, `${what} username`);
    if (problem !== undefined) return problem;
    server.username = username as string;
  }
  if (credential !== undefined) {
    const problem = checkString(credential, `${what} credential`);
    if (problem !== undefined) return problem;
    server.credential = credential as string;
  }
  return server;
}

/** Validates an untrusted value as a list of ICE servers (a copy holding only the known fields). Never throws. */
export function parseIceServers(value: unknown): IceServersResult {
  if (!Array.isArray(value)) return { ok: false, error: 'expected a JSON array of ICE servers' };
  if (value.length > MAX_ICE_SERVERS) return { ok: false, error: `at most ${MAX_ICE_SERVERS} ICE servers` };
  const servers: IceServer[] = [];
  for (const [index, entry] of value.entries()) {
    const server = parseServer(entry, index);
    if (typeof server === 'string') return { ok: false, error: server };
    servers.push(server);
  }
  return { ok: true, servers };
}

/** Validates JSON text (a URL parameter, an attribute, a CLI flag) as a list of ICE servers. Never throws. */
export function parseIceServersJson(text: string): IceServersResult {
  if (text.length > MAX_ICE_JSON_CHARS) return { ok: false, error: `longer than ${MAX_ICE_JSON_CHARS} characters` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not valid JSON' };
  }
  return parseIceServers(value);
}

/** True for `all` or `relay`. */
export function isIceTransportPolicy(value: unknown): value is IceTransportPolicy {
  return value === 'all' || value === 'relay';
}

function hasUrl(servers: readonly IceServer[], schemes: readonly string[]): boolean {
  return servers.some((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => schemes.some((scheme) => url.startsWith(scheme))));
}

/** True when some server of `servers` has a STUN URL. */
export function hasStunServer(servers: readonly IceServer[]): boolean {
  return hasUrl(servers, ['stun:']);
}

/** True when `ice` names a TURN server (`turn:` or `turns:`). */
export function hasTurn(ice: IceConfig | undefined): boolean {
  return ice !== undefined && hasUrl(ice.iceServers, ['turn:', 'turns:']);
}

/**
 * The RTCConfiguration of one peer connection: `base` (platform settings) with the ICE fields of `ice` on top, and
 * no ICE server when none is given, which also overrides simple-peer's built-in public STUN servers.
 */
export function rtcConfigWithIce(base: object | undefined, ice: IceConfig | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = { iceServers: [], ...(base ?? {}) };
  if (ice === undefined) return config;
  config['iceServers'] = ice.iceServers.map((server) => ({ ...server, urls: Array.isArray(server.urls) ? [...server.urls] : server.urls }));
  if (ice.iceTransportPolicy !== undefined) config['iceTransportPolicy'] = ice.iceTransportPolicy;
  return config;
}

/**
 * The ICE settings of a start option pair (`iceServers`, `iceTransportPolicy`), validated; undefined when neither
 * is set. Throws a TypeError for an invalid one: a programming error of the caller, to be seen at start.
 */
export function iceConfigFromOptions(iceServers: unknown, iceTransportPolicy: unknown): IceConfig | undefined {
  if (iceServers === undefined && iceTransportPolicy === undefined) return undefined;
  const parsed = parseIceServers(iceServers ?? []);
  if (!parsed.ok) throw new TypeError(`starmesh: invalid iceServers: ${parsed.error}`);
  if (iceTransportPolicy !== undefined && !isIceTransportPolicy(iceTransportPolicy)) {
    throw new TypeError(`starmesh: invalid iceTransportPolicy: ${String(iceTransportPolicy)} (use all or relay)`);
  }
  return { iceServers: parsed.servers, ...(iceTransportPolicy !== undefined ? { iceTransportPolicy } : {}) };
}
