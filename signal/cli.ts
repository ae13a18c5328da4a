/**
 * Command-line entry of the signaling server (`npm run signal`). The only place that reads argv and env:
 *   --port N        (env STARMESH_SIGNAL_PORT, default 8787)
 *   --host H        (env STARMESH_SIGNAL_HOST, default 127.0.0.1)
 *   --origins a,b   (env STARMESH_ALLOWED_ORIGINS, default: allow all)
 *   --max-introducers N   (env STARMESH_SIGNAL_MAX_INTRODUCERS, default 8): introducer pool per room
 *   --guest-lease-ms MS   (env STARMESH_SIGNAL_GUEST_LEASE_MS, default 60000): how long a guest stays connected
 */
import { parseCliSettings, type CliSettings } from './cli-settings';
import { startSignalServer, type SignalServerOptions } from './server';

async function main(): Promise<void> {
  let settings: CliSettings;
  try {
    settings = parseCliSettings(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`starmesh signal: ${error instanceof Error ? error.message : String(error)}`);
    console.error(
      'usage: npm run signal -- [--port 8787] [--host 127.0.0.1] [--origins https://a,https://b]' +
        ' [--max-introducers 8] [--guest-lease-ms 60000]',
    );
    process.exitCode = 2;
    return;
  }
  const options: SignalServerOptions = {
    port: settings.port,
    host: settings.host,
    maxIntroducersPerRoom: settings.maxIntroducersPerRoom,
    guestLeaseMs: settings.guestLeaseMs,
    log: (event, details) => console.log(JSON.stringify({ event, ...details })),
  };
  if (settings.allowedOrigins) options.allowedOrigins = settings.allowedOrigins;
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

main().catch((error: unknown) => {
  console.error(`starmesh signal: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
