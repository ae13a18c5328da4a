/**
 * Parsing of the CLI settings, kept apart from `cli.ts` so it can be tested without starting a server.
 * It receives argv and env as arguments; only `cli.ts` reads the real ones.
 *
 * Every limit of `limits.ts` has a flag and an env variable named after it: `maxSocketsPerAddress` is
 * `--max-sockets-per-address` and `STARMESH_SIGNAL_MAX_SOCKETS_PER_ADDRESS` (flags win over env).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, LIMIT_NAMES, resolveLimits, type SignalLimits } from './limits';
import { DEFAULT_SIGNAL_HOST, DEFAULT_SIGNAL_PORT } from './server';
import { DEFAULT_TURN_TTL_SEC, MAX_TURN_TTL_SEC, type IceIssuerOptions } from './ice-issuer';

/** Settings read from argv and env. */
export interface CliSettings {
  port: number;
  host: string;
  allowedOrigins: string[] | undefined;
  /** Count clients by the last X-Forwarded-For entry (only behind a reverse proxy). */
  trustProxy: boolean;
  /** The limits given on the command line or in env (the others keep their defaults). */
  limits: Partial<SignalLimits>;
  /** STUN/TURN handed to members (`--stun-url`, `--turn-url`, `--turn-secret`, `--turn-ttl-sec`, `--turn-realm`). */
  ice: IceIssuerOptions;
  /** PEM files for `wss://` served directly (`--cert`, `--key`: both or neither); read by `cli.ts`. */
  tls?: { certPath: string; keyPath: string };
}

/** Older, shorter names kept working. */
const ALIASES: Partial<Record<keyof SignalLimits, { flag: string; env: string }>> = {
  maxIntroducersPerRoom: { flag: 'max-introducers', env: 'STARMESH_SIGNAL_MAX_INTRODUCERS' },
};

/** `maxSocketsPerAddress` → `max-sockets-per-address`. */
export function limitFlag(name: keyof SignalLimits): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `maxSocketsPerAddress` → `STARMESH_SIGNAL_MAX_SOCKETS_PER_ADDRESS`. */
export function limitEnv(name: keyof SignalLimits): string {
  return `STARMESH_SIGNAL_${limitFlag(name).replace(/-/g, '_').toUpperCase()}`;
}

/** Parses argv (without node and script) and env; throws an Error with a usage message on bad input. */
export function parseCliSettings(argv: readonly string[], env: Record<string, string | undefined>): CliSettings {
  const limitOptions: Record<string, { type: 'string' }> = {};
  for (const name of LIMIT_NAMES) limitOptions[limitFlag(name)] = { type: 'string' };
  for (const alias of Object.values(ALIASES)) limitOptions[alias.flag] = { type: 'string' };
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      origins: { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'stun-url': { type: 'string', multiple: true },
      'turn-url': { type: 'string', multiple: true },
      'turn-secret': { type: 'string' },
      'turn-ttl-sec': { type: 'string' },
      'turn-realm': { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ...limitOptions,
    },
    strict: true,
  });
  const text = values as Record<string, string | boolean | undefined>;
  const port = parseInteger('port', values.port ?? env['STARMESH_SIGNAL_PORT'], DEFAULT_SIGNAL_PORT, 0, 65535);
  const host = values.host ?? env['STARMESH_SIGNAL_HOST'] ?? DEFAULT_SIGNAL_HOST;
  const originsText = values.origins ?? env['STARMESH_ALLOWED_ORIGINS'];
  const allowedOrigins = originsText
    ?.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  const trustProxy = values['trust-proxy'] === true || env['STARMESH_SIGNAL_TRUST_PROXY'] === '1';
  const limits: Partial<SignalLimits> = {};
  for (const name of LIMIT_NAMES) {
    const alias = ALIASES[name];
    const given =
      text[limitFlag(name)] ?? (alias && text[alias.flag]) ?? env[limitEnv(name)] ?? (alias && env[alias.env]);
    if (typeof given === 'string') limits[name] = parseInteger(limitFlag(name), given, DEFAULT_LIMITS[name], 1, Number.MAX_SAFE_INTEGER);
  }
  try {
    resolveLimits(limits);
  } catch (error) {
    throw new Error(error instanceof Error ? error.message : String(error));
  }
  const settings: CliSettings = { port, host, allowedOrigins, trustProxy, limits, ice: readIce(values, env) };
  const tls = readTls(values.cert ?? env['STARMESH_SIGNAL_CERT'], values.key ?? env['STARMESH_SIGNAL_KEY']);
  if (tls) settings.tls = tls;
  return settings;
}

/** `--cert` and `--key` go together: one without the other is a mistake, not a plain-ws server. */
function readTls(certPath: string | undefined, keyPath: string | undefined): CliSettings['tls'] {
  const cert = certPath === '' ? undefined : certPath;
  const key = keyPath === '' ? undefined : keyPath;
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new Error('--cert and --key must be given together (PEM files)');
  return { certPath: cert, keyPath: key };
}

/** Repeated flags and comma lists alike: `--stun-url a --stun-url b,c` → [a, b, c]. */
function urlList(given: readonly string[] | undefined, envText: string | undefined): string[] {
  const parts = given ?? (envText !== undefined ? [envText] : []);
  return parts.flatMap((part) => part.split(',')).map((url) => url.trim()).filter((url) => url.length > 0);
}

function readIce(values: Record<string, unknown>, env: Record<string, string | undefined>): IceIssuerOptions {
  const ice: IceIssuerOptions = {
    stunUrls: urlList(values['stun-url'] as string[] | undefined, env['STARMESH_STUN_URL']),
    turnUrls: urlList(values['turn-url'] as string[] | undefined, env['STARMESH_TURN_URL']),
    turnTtlSec: parseInteger('turn-ttl-sec', (values['turn-ttl-sec'] as string | undefined) ?? env['STARMESH_TURN_TTL_SEC'], DEFAULT_TURN_TTL_SEC, 60, MAX_TURN_TTL_SEC),
  };
  // The env variable is the better place for the secret: a flag shows in `ps` to every user of the machine.
  const secret = (values['turn-secret'] as string | undefined) ?? env['STARMESH_TURN_SECRET'];
  if (secret !== undefined && secret !== '') ice.turnSecret = secret;
  const realm = (values['turn-realm'] as string | undefined) ?? env['STARMESH_TURN_REALM'];
  if (realm !== undefined && realm !== '') ice.turnRealm = realm;
  return ice;
}

/** Descriptors kept free for everything but client connections (log files, DNS, the listening socket). */
const RESERVED_DESCRIPTORS = 64;

/**
 * Shrinks the socket caps so that the server cannot run out of file descriptors (`openFiles`, the soft
 * RLIMIT_NOFILE): past it every accept fails, and joins with it, instead of a clear `server-full`. Returns the
 * limits unchanged when they fit, else the fitted ones and a sentence for the log.
 */
export function fitToDescriptors(limits: SignalLimits, openFiles: number): { limits: SignalLimits; note?: string } {
  const needed = limits.maxSockets + limits.maxPendingConnections + RESERVED_DESCRIPTORS;
  if (!Number.isFinite(openFiles) || needed <= openFiles) return { limits };
  const room = Math.max(2, openFiles - RESERVED_DESCRIPTORS);
  const maxPendingConnections = Math.max(1, Math.min(limits.maxPendingConnections, Math.floor(room / 8)));
  const maxSockets = Math.max(1, room - maxPendingConnections);
  return {
    limits: { ...limits, maxSockets, maxPendingConnections },
    note: `open-files limit ${openFiles}: maxSockets ${limits.maxSockets} → ${maxSockets}, maxPendingConnections ${limits.maxPendingConnections} → ${maxPendingConnections}`,
  };
}

/** Decimal digits only (no sign, exponent or fraction), within [min, max]. */
function parseInteger(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d{1,10}$/.test(text) || value < min || value > max) throw new Error(`invalid ${name} ${JSON.stringify(text)}`);
  return value;
}
