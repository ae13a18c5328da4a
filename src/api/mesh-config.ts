/** The options of `joinMesh`, and their validation (a user's typo is a `MeshError` `bad-config`, never a hang). */
import { DEFAULT_OPTIONS, type MembershipOptions } from '../core/options';
import { isValidRoom } from '../signaling/protocol';
import { MeshError } from './mesh-error';

/** Options of `joinMesh`. */
export interface JoinMeshConfig {
  /** The room: 1–64 characters of `A–Z a–z 0–9 _ . -`. Tabs in one room form one mesh. */
  room: string;
  /** `ws://` or `wss://` URL of a Starmesh signaling server (`starmesh-signal`, or `startSignalServer`). */
  signal: string;
  /** STUN/TURN servers for the peer connections (RTCConfiguration `iceServers`). Default: the WebRTC library's. */
  iceServers?: RTCIceServer[];
  /**
   * A fixed Ed25519 key pair (`crypto.subtle.generateKey('Ed25519', …)`); the node ID derives from it. Default: the
   * browser tab's own identity, kept across reloads, a new one for a duplicated tab.
   */
  identity?: CryptoKeyPair;
  /** `indexeddb` (default): identity and member table survive a reload. `memory`: nothing is stored. */
  persistence?: 'indexeddb' | 'memory';
  /** Protocol intervals and limits (`gossipIntervalMs`, `pingIntervalMs`, … with units in their names). */
  options?: Partial<MembershipOptions>;
}

/** The config checked; throws `MeshError` `bad-config` naming the first thing wrong. */
export function checkJoinConfig(config: JoinMeshConfig): JoinMeshConfig {
  if (typeof config !== 'object' || config === null) throw bad('the config must be an object');
  if (!isValidRoom(config.room)) throw bad('room must be 1–64 characters of A–Z a–z 0–9 _ . -');
  if (!isWebSocketUrl(config.signal)) throw bad('signal must be a ws:// or wss:// URL');
  if (config.iceServers !== undefined && !(Array.isArray(config.iceServers) && config.iceServers.every(isIceServer))) {
    throw bad('iceServers must be an array of { urls: string | string[] }');
  }
  if (config.persistence !== undefined && config.persistence !== 'indexeddb' && config.persistence !== 'memory') {
    throw bad("persistence must be 'indexeddb' or 'memory'");
  }
  if (config.identity !== undefined && !isKeyPair(config.identity)) throw bad('identity must be a CryptoKeyPair');
  if (config.options !== undefined) checkOptions(config.options);
  return config;
}

function checkOptions(options: Partial<MembershipOptions>): void {
  if (typeof options !== 'object' || options === null) throw bad('options must be an object');
  for (const [name, value] of Object.entries(options)) {
    if (!Object.hasOwn(DEFAULT_OPTIONS, name)) throw bad(`unknown option ${name}`);
    if (value === undefined) continue;
    const expected = typeof DEFAULT_OPTIONS[name as keyof MembershipOptions];
    if (typeof value !== expected || (typeof value === 'number' && !(Number.isFinite(value) && value >= 0))) {
      throw bad(`option ${name} must be ${expected === 'number' ? 'a finite number ≥ 0' : `a ${expected}`}`);
    }
  }
}

function isWebSocketUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'ws:' || url.protocol === 'wss:';
  } catch {
    return false;
  }
}

function isIceServer(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const urls = (value as { urls?: unknown }).urls;
  return typeof urls === 'string' || (Array.isArray(urls) && urls.length > 0 && urls.every((u) => typeof u === 'string'));
}

function isKeyPair(value: unknown): value is CryptoKeyPair {
  if (typeof value !== 'object' || value === null) return false;
  const { publicKey, privateKey } = value as Partial<CryptoKeyPair>;
  return typeof CryptoKey === 'function' ? publicKey instanceof CryptoKey && privateKey instanceof CryptoKey : publicKey !== undefined && privateKey !== undefined;
}

function bad(message: string): MeshError {
  return new MeshError('bad-config', message);
}
