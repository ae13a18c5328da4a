/**
 * Parsing of the CLI settings, kept apart from `cli.ts` so it can be tested without starting a server.
 * It receives argv and env as arguments; only `cli.ts` reads the real ones.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_GUEST_LEASE_MS,
  DEFAULT_MAX_INTRODUCERS_PER_ROOM,
  DEFAULT_SIGNAL_HOST,
  DEFAULT_SIGNAL_PORT,
  MAX_GUEST_LEASE_MS,
} from './server';

/** Settings read from argv and env. */
export interface CliSettings {
  port: number;
  host: string;
  allowedOrigins: string[] | undefined;
  /** Size of each room's introducer pool. */
  maxIntroducersPerRoom: number;
  /** Lease of a guest socket, in milliseconds. */
  guestLeaseMs: number;
}

/** Parses argv (without node and script) and env; throws an Error with a usage message on bad input. */
export function parseCliSettings(argv: readonly string[], env: Record<string, string | undefined>): CliSettings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      origins: { type: 'string' },
      'max-introducers': { type: 'string' },
      'guest-lease-ms': { type: 'string' },
    },
    strict: true,
  });
  const port = parseInteger('port', values.port ?? env['STARMESH_SIGNAL_PORT'], DEFAULT_SIGNAL_PORT, 0, 65535);
  const host = values.host ?? env['STARMESH_SIGNAL_HOST'] ?? DEFAULT_SIGNAL_HOST;
  const originsText = values.origins ?? env['STARMESH_ALLOWED_ORIGINS'];
  const allowedOrigins = originsText
    ?.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  const maxIntroducersPerRoom = parseInteger(
    'max-introducers',
    values['max-introducers'] ?? env['STARMESH_SIGNAL_MAX_INTRODUCERS'],
    DEFAULT_MAX_INTRODUCERS_PER_ROOM,
    1,
    65535,
  );
  const guestLeaseMs = parseInteger(
    'guest-lease-ms',
    values['guest-lease-ms'] ?? env['STARMESH_SIGNAL_GUEST_LEASE_MS'],
    DEFAULT_GUEST_LEASE_MS,
    1,
    MAX_GUEST_LEASE_MS,
  );
  return { port, host, allowedOrigins, maxIntroducersPerRoom, guestLeaseMs };
}

/** Decimal digits only (no sign, exponent or fraction), within [min, max]. */
function parseInteger(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d{1,10}$/.test(text) || value < min || value > max) throw new Error(`invalid ${name} ${JSON.stringify(text)}`);
  return value;
}
