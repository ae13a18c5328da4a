/**
 * Parsing of the CLI settings, kept apart from `cli.ts` so it can be tested without starting a server.
 * It receives argv and env as arguments; only `cli.ts` reads the real ones.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SIGNAL_HOST, DEFAULT_SIGNAL_PORT } from './server';

/** Settings read from argv and env. */
export interface CliSettings {
  port: number;
  host: string;
  allowedOrigins: string[] | undefined;
}

/** Parses argv (without node and script) and env; throws an Error with a usage message on bad input. */
export function parseCliSettings(argv: readonly string[], env: Record<string, string | undefined>): CliSettings {
  const { values } = parseArgs({
    args: [...argv],
    options: { port: { type: 'string' }, host: { type: 'string' }, origins: { type: 'string' } },
    strict: true,
  });
  const portText = values.port ?? env['STARMESH_SIGNAL_PORT'] ?? String(DEFAULT_SIGNAL_PORT);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) throw new Error(`invalid port ${JSON.stringify(portText)}`);
  const host = values.host ?? env['STARMESH_SIGNAL_HOST'] ?? DEFAULT_SIGNAL_HOST;
  const originsText = values.origins ?? env['STARMESH_ALLOWED_ORIGINS'];
  const allowedOrigins = originsText
    ?.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  return { port, host, allowedOrigins };
}
