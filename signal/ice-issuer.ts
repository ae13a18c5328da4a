/**
 * The ICE configuration the server hands each admitted member in its welcome: the configured STUN URLs as they
 * are, and TURN URLs with time-limited credentials by the TURN REST scheme that coturn's `use-auth-secret` checks
 * (draft-uberti-behave-turn-rest): username `<expiryUnixSec>:<nodeId>`, credential
 * `base64(HMAC-SHA1(secret, username))`. The TURN server recomputes the credential from the shared secret and
 * refuses it after the expiry, so the server never stores or sends the secret. The wall clock is injected
 * (`wallNowMs`): the TURN server compares the expiry with its own wall clock.
 */
import { createHmac } from 'node:crypto';
import type { NodeId } from '../src/identity/keys';
import type { WelcomeIce } from '../src/signaling/protocol';
import { MAX_ICE_FIELD_CHARS, MAX_ICE_URLS_PER_SERVER, type IceServer } from '../src/transport/ice-servers';

/** ICE settings of a signaling server (`--stun-url`, `--turn-url`, `--turn-secret`, `--turn-ttl-sec`, `--turn-realm`). */
export interface IceIssuerOptions {
  /** STUN URLs (`stun:host:port`) handed out as they are. */
  stunUrls?: readonly string[];
  /** TURN URLs (`turn:host:port?transport=udp`, `turns:host:5349`); need `turnSecret`. */
  turnUrls?: readonly string[];
  /** The TURN server's `static-auth-secret`. Never logged, never sent. */
  turnSecret?: string;
  /** How long issued credentials are valid. Default 3 600 s. */
  turnTtlSec?: number;
  /**
   * The TURN server's realm, for the start log only: TURN REST credentials do not depend on it (the TURN client
   * learns the realm from the TURN server's challenge), but a mismatch with coturn's `realm` is a usual mistake.
   */
  turnRealm?: string;
}

/** Default lifetime of issued TURN credentials, in seconds. */
export const DEFAULT_TURN_TTL_SEC = 3_600;
/** Longest credential lifetime accepted: one week. */
export const MAX_TURN_TTL_SEC = 7 * 86_400;

const STUN_URL = /^stun:[^\s]+$/;
const TURN_URL = /^turns?:[^\s]+$/;

/** Hands out one member's ICE configuration; undefined when the server has none configured. */
export type IceIssuer = (id: NodeId) => WelcomeIce | undefined;

/** `base64(HMAC-SHA1(secret, username))`: the TURN REST credential of `username`. */
export function turnRestCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

function checkUrls(urls: readonly string[], pattern: RegExp, flag: string): void {
  if (urls.length > MAX_ICE_URLS_PER_SERVER) throw new Error(`at most ${MAX_ICE_URLS_PER_SERVER} ${flag} URLs`);
  for (const url of urls) {
    if (url.length > MAX_ICE_FIELD_CHARS || !pattern.test(url)) throw new Error(`invalid ${flag} ${JSON.stringify(url.slice(0, 80))}`);
  }
}

/**
 * Checks the options (throws an Error naming the flag) and returns the issuer. `wallNowMs` is the wall clock in
 * milliseconds since the Unix epoch (`Date.now` in production, a fixed value in tests).
 */
export function createIceIssuer(options: IceIssuerOptions, wallNowMs: () => number): IceIssuer {
  const stunUrls = [...(options.stunUrls ?? [])];
  const turnUrls = [...(options.turnUrls ?? [])];
  checkUrls(stunUrls, STUN_URL, '--stun-url');
  checkUrls(turnUrls, TURN_URL, '--turn-url');
  const secret = options.turnSecret;
  if (turnUrls.length > 0 && (secret === undefined || secret.length === 0)) throw new Error('--turn-url needs --turn-secret (or STARMESH_TURN_SECRET)');
  const ttlSec = options.turnTtlSec ?? DEFAULT_TURN_TTL_SEC;
  if (!Number.isSafeInteger(ttlSec) || ttlSec < 60 || ttlSec > MAX_TURN_TTL_SEC) throw new Error(`--turn-ttl-sec must be 60–${MAX_TURN_TTL_SEC}`);
  if (stunUrls.length === 0 && turnUrls.length === 0) return () => undefined;
  return (id) => {
    const iceServers: IceServer[] = stunUrls.length > 0 ? [{ urls: [...stunUrls] }] : [];
    if (turnUrls.length === 0 || secret === undefined) return { iceServers };
    const username = `${Math.floor(wallNowMs() / 1000) + ttlSec}:${id}`;
    iceServers.push({ urls: [...turnUrls], username, credential: turnRestCredential(secret, username) });
    return { iceServers, ttlSec };
  };
}

/** What the start log may say about the ICE settings (never the secret). */
export function describeIce(options: IceIssuerOptions): Record<string, unknown> | undefined {
  const stun = options.stunUrls ?? [];
  const turn = options.turnUrls ?? [];
  if (stun.length === 0 && turn.length === 0) return undefined;
  return {
    stunUrls: [...stun],
    turnUrls: [...turn],
    ...(turn.length > 0 ? { turnTtlSec: options.turnTtlSec ?? DEFAULT_TURN_TTL_SEC } : {}),
    ...(options.turnRealm !== undefined ? { turnRealm: options.turnRealm } : {}),
  };
}
