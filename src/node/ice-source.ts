/**
 * Which ICE servers the next link uses: the ones configured explicitly (start option, page URL, widget attribute,
 * Node flag) win; without them, the ones the signaling server handed out in its latest welcome; without those,
 * none. Server-issued TURN credentials expire: past their lifetime (less a margin, so a link started just before
 * still gets its allocation) they are left out until the next welcome brings fresh ones.
 */
import type { SignalingClient } from '../adapters/signaling-client';
import type { WelcomeIce } from '../signaling/protocol';
import { iceConfigFromOptions, type IceConfig, type IceServer, type IceTransportPolicy } from '../transport/ice-servers';

/** Options of `createIceSource`. */
export interface IceSourceOptions {
  /** Explicit ICE servers (validated by the caller); when set, server-issued ones are never used. */
  iceServers?: IceServer[];
  /** Applies to whichever servers are used. */
  iceTransportPolicy?: IceTransportPolicy;
  /** Monotonic clock in ms (credential lifetimes are relative to the welcome's arrival). */
  nowMs: () => number;
}

/** The current ICE settings, fed by the welcomes of the signaling clients it wraps. */
export interface IceSource {
  /** The ICE settings for a link created now; undefined: none (the adapter then uses no ICE server). */
  current(): IceConfig | undefined;
  /** The same client, whose every welcome's `ice` (or its absence) becomes the server-issued settings. */
  capture(client: SignalingClient): SignalingClient;
}

/** Longest margin before expiry at which issued TURN credentials stop being used for new links. */
export const CREDENTIAL_MARGIN_MS = 60_000;

/** Creates the ICE source of one node. */
export function createIceSource(options: IceSourceOptions): IceSource {
  let issued: { servers: IceServer[]; usableUntilMs: number } | undefined;
  const policy = options.iceTransportPolicy !== undefined ? { iceTransportPolicy: options.iceTransportPolicy } : {};

  const take = (ice: WelcomeIce | undefined): void => {
    if (ice === undefined) {
      issued = undefined;
      return;
    }
    const ttlMs = ice.ttlSec === undefined ? Infinity : ice.ttlSec * 1000;
    issued = { servers: ice.iceServers, usableUntilMs: options.nowMs() + ttlMs - Math.min(CREDENTIAL_MARGIN_MS, ttlMs / 10) };
  };

  return {
    current() {
      if (options.iceServers !== undefined) return { iceServers: options.iceServers, ...policy };
      if (issued === undefined) return options.iceTransportPolicy !== undefined ? { iceServers: [], ...policy } : undefined;
      const fresh = options.nowMs() < issued.usableUntilMs;
      // Expired credentials would only be refused by the TURN server: keep the servers that need none.
      const servers = fresh ? issued.servers : issued.servers.filter((server) => server.credential === undefined);
      return { iceServers: servers, ...policy };
    },
    capture(client) {
      return {
        ...client,
        async connect() {
          const welcome = await client.connect();
          take(welcome.ice);
          return welcome;
        },
      };
    },
  };
}

/**
 * The ICE source of a node started with untrusted `iceServers` / `iceTransportPolicy` options (validated here;
 * throws a TypeError on bad ones): explicit servers win; otherwise the signaling server's, for links made after the
 * join.
 */
export function iceSourceFromOptions(iceServers: unknown, iceTransportPolicy: unknown, nowMs: () => number): IceSource {
  const explicit = iceConfigFromOptions(iceServers, iceTransportPolicy);
  return createIceSource({
    ...(iceServers !== undefined && explicit !== undefined ? { iceServers: explicit.iceServers } : {}),
    ...(explicit?.iceTransportPolicy !== undefined ? { iceTransportPolicy: explicit.iceTransportPolicy } : {}),
    nowMs,
  });
}
