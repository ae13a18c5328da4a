#!/usr/bin/env node
/**
 * Command-line entry of the signaling server (`npm run signal`). The only place that reads argv, env and
 * /proc/self/limits:
 *   --port N        (env STARMESH_SIGNAL_PORT, default 8787)
 *   --host H        (env STARMESH_SIGNAL_HOST, default 127.0.0.1)
 *   --origins a,b   (env STARMESH_ALLOWED_ORIGINS, default: allow all)
 *   --trust-proxy   (env STARMESH_SIGNAL_TRUST_PROXY=1): count clients by the proxy's X-Forwarded-For entry
 *   --cert F --key F (env STARMESH_SIGNAL_CERT, STARMESH_SIGNAL_KEY): serve wss:// with these PEM files
 *   --stun-url U    (repeatable or a comma list; env STARMESH_STUN_URL): STUN handed to members in the welcome
 *   --turn-url U    (repeatable or a comma list; env STARMESH_TURN_URL): TURN, with REST credentials from
 *   --turn-secret S (env STARMESH_TURN_SECRET, preferred: a flag shows in `ps`; never logged), valid for
 *   --turn-ttl-sec N (env STARMESH_TURN_TTL_SEC, default 3600); --turn-realm R (env STARMESH_TURN_REALM; logged only)
 *   --<limit> N     every limit of limits.ts, e.g. --max-sockets-per-address 64 (env STARMESH_SIGNAL_<LIMIT>);
 *                   --max-introducers is short for --max-introducers-per-room
 */
import { readFileSync } from 'node:fs';
import { fitToDescriptors, parseCliSettings, type CliSettings } from './cli-settings';
import { resolveLimits } from './limits';
import { startSignalServer, type SignalServerOptions } from './server';

/** Log lines per event name per second; beyond, lines are counted and summed up once a second. */
const LOG_LINES_PER_EVENT_PER_SEC = 50;

async function main(): Promise<void> {
  let settings: CliSettings;
  try {
    settings = parseCliSettings(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`starmesh signal: ${error instanceof Error ? error.message : String(error)}`);
    console.error(
      'usage: npm run signal -- [--port 8787] [--host 127.0.0.1] [--origins https://a,https://b] [--trust-proxy]' +
        ' [--cert cert.pem --key key.pem] [--stun-url stun:H:P] [--turn-url turn:H:P] [--turn-secret S] [--turn-ttl-sec 3600] [--turn-realm R]' +
        ' [--max-introducers 8] [--guest-lease-ms 60000] [--<limit> N ...] (see signal/README.md, Limits)',
    );
    process.exitCode = 2;
    return;
  }
  const fitted = fitToDescriptors(resolveLimits(settings.limits), openFilesLimit());
  if (fitted.note) console.log(`starmesh signal: ${fitted.note}`);
  const options: SignalServerOptions = {
    ...fitted.limits,
    port: settings.port,
    host: settings.host,
    trustProxy: settings.trustProxy,
    ice: settings.ice,
    log: createRateLimitedLog(),
  };
  if (settings.allowedOrigins) options.allowedOrigins = settings.allowedOrigins;
  if (settings.tls) {
    try {
      options.tls = { cert: readFileSync(settings.tls.certPath), key: readFileSync(settings.tls.keyPath) };
    } catch (error) {
      console.error(`starmesh signal: cannot read --cert/--key: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 2;
      return;
    }
  }
  const server = await startSignalServer(options);
  console.log(`starmesh signal listening on ${server.url}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`starmesh signal: ${signal}, closing`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The soft open-files limit (Linux); Infinity where it cannot be read. */
function openFilesLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isSafeInteger(soft) && soft > 0 ? soft : Infinity;
  } catch {
    return Infinity;
  }
}

/** JSON lines on stdout, at most LOG_LINES_PER_EVENT_PER_SEC per event name: a flood of one kind stays readable. */
function createRateLimitedLog(): (event: string, details?: Record<string, unknown>) => void {
  let windowStart = Date.now();
  const lines = new Map<string, number>();
  return (event, details) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      for (const [name, count] of lines) {
        if (count > LOG_LINES_PER_EVENT_PER_SEC) {
          console.log(JSON.stringify({ event: 'log-suppressed', of: name, lines: count - LOG_LINES_PER_EVENT_PER_SEC }));
        }
      }
      lines.clear();
      windowStart = now;
    }
    const count = (lines.get(event) ?? 0) + 1;
    lines.set(event, count);
    if (count <= LOG_LINES_PER_EVENT_PER_SEC) console.log(JSON.stringify({ event, ...details }));
  };
}

main().catch((error: unknown) => {
  console.error(`starmesh signal: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
