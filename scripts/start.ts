/**
 * `npm start`: runs the signaling server (in process) and the Vite dev server
 * for the page, then prints the URLs to open. Ctrl-C stops both.
 *
 * Flags (or env): --port (STARMESH_PORT, 5173), --signal-port
 * (STARMESH_SIGNAL_PORT, 8787), --host (STARMESH_HOST, 127.0.0.1; 0.0.0.0
 * prints and allows every LAN address), --room (STARMESH_ROOM, lobby),
 * --widget-port (STARMESH_WIDGET_PORT, 5174: the widget example's origin,
 * allowed too).
 */
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer, type ViteDevServer } from 'vite';
import { startSignalServer, type SignalServer } from '../signal/server';
import { startAddresses, urlHost } from './start-origins';

const rootDir = fileURLToPath(new URL('..', import.meta.url));

interface StartOptions {
  host: string;
  pagePort: number;
  signalPort: number;
  widgetPort: number;
  room: string;
}

function readOptions(): StartOptions {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'signal-port': { type: 'string' },
      host: { type: 'string' },
      room: { type: 'string' },
      'widget-port': { type: 'string' },
    },
  });
  const env = process.env;
  return {
    host: values.host ?? env['STARMESH_HOST'] ?? '127.0.0.1',
    pagePort: toPort('--port', values.port ?? env['STARMESH_PORT'] ?? '5173'),
    signalPort: toPort('--signal-port', values['signal-port'] ?? env['STARMESH_SIGNAL_PORT'] ?? '8787'),
    widgetPort: toPort('--widget-port', values['widget-port'] ?? env['STARMESH_WIDGET_PORT'] ?? '5174'),
    room: values.room ?? env['STARMESH_ROOM'] ?? 'lobby',
  };
}

function toPort(name: string, text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name}: not a port: ${text}`);
  return port;
}

async function main(): Promise<void> {
  const opts = readOptions();
  const addresses = startAddresses(opts.host, opts.pagePort, opts.widgetPort, networkInterfaces());
  let signal: SignalServer | undefined;
  let vite: ViteDevServer | undefined;
  let stopping = false;

  const stop = async (code: number): Promise<never> => {
    if (stopping) process.exit(1); // second Ctrl-C: do not wait
    stopping = true;
    await Promise.allSettled([vite?.close(), signal?.close()]);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    signal = await startSignalServer({
      port: opts.signalPort,
      host: opts.host,
      allowedOrigins: addresses.origins,
    });
    vite = await createServer({
      root: rootDir,
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      logLevel: 'warn',
      server: { host: opts.host, port: opts.pagePort, strictPort: true },
    });
    await vite.listen();
  } catch (error) {
    console.error(`starmesh: could not start: ${error instanceof Error ? error.message : String(error)}`);
    return stop(1);
  }

  const room = encodeURIComponent(opts.room);
  const urls = addresses.hosts.map((host) => `http://${urlHost(host)}:${opts.pagePort}/?room=${room}&signal=ws://${urlHost(host)}:${signal.port}`);
  console.log(`Starmesh is running: open ${urls[0]}`);
  for (const url of urls.slice(1)) console.log(`  on the LAN: ${url}`);
  console.log(`(the signaling server also allows the widget example on port ${opts.widgetPort}: npm run build:widget, then npx vite preview --mode widget)`);
  console.log('(Ctrl-C to stop)');
}

void main();
