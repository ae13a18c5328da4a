/**
 * `npm run peer -- --signal ws://127.0.0.1:8787 --room lobby [--gossip-ms N ...]`: one Node mesh peer on real
 * WebRTC. Prints its ID, then one line per membership change as it happens. Ctrl-C (or SIGTERM) leaves cleanly.
 * The only reader of argv in the Node peer.
 */
import { parseArgs } from 'node:util';
import type { MembershipOptions } from '../src/core';
import { startNodePeer } from '../src/node/node-peer';

/** Flags that set a membership option (all integers >= 0). */
const OPTION_FLAGS = {
  'gossip-ms': 'gossipIntervalMs',
  'ping-ms': 'pingIntervalMs',
  'ping-timeout-ms': 'pingTimeoutMs',
  'suspicion-ms': 'suspicionTimeoutMs',
  'cleanup-ms': 'cleanupIntervalMs',
  'heartbeat-ms': 'heartbeatIntervalMs',
  'stale-ms': 'staleAfterMs',
  'connect-timeout-ms': 'connectTimeoutMs',
  'target-degree': 'targetDegree',
  'max-degree': 'maxDegree',
} as const satisfies Record<string, keyof MembershipOptions>;

const USAGE = `usage: npm run peer -- --signal ws://HOST:PORT --room NAME [${Object.keys(OPTION_FLAGS).map((f) => `--${f} N`).join('] [')}]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function readConfig(): { signalUrl: string; room: string; membership: Partial<MembershipOptions> } {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(
      ['signal', 'room', ...Object.keys(OPTION_FLAGS)].map((name) => [name, { type: 'string' as const }]),
    );
    values = parseArgs({ options, strict: true }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const signalUrl = values['signal'];
  const room = values['room'];
  if (typeof signalUrl !== 'string' || !/^wss?:\/\//.test(signalUrl)) fail('--signal ws://HOST:PORT is required');
  if (typeof room !== 'string' || room === '') fail('--room NAME is required');
  const membership: Partial<MembershipOptions> = {};
  for (const [flag, key] of Object.entries(OPTION_FLAGS)) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    if (!/^\d{1,9}$/.test(text)) fail(`--${flag} must be a non-negative integer`);
    membership[key] = Number(text);
  }
  return { signalUrl, room, membership };
}

async function main(): Promise<void> {
  const config = readConfig();
  const stamp = (): string => new Date().toISOString().slice(11, 23);
  const node = await startNodePeer(config).catch((error: unknown) => fail(`cannot start: ${String(error)}`));
  process.stdout.write(`${stamp()} id ${node.id} room ${config.room} state ${node.state}\n`);
  node.on('membership', (event) => {
    const detail = event.type === 'self:refute' ? `counter ${event.counter}` : event.type === 'self:late' ? `${event.lateMs} ms late` : event.id;
    const reason = event.type === 'peer:remove' ? ` (${event.reason})` : '';
    process.stdout.write(`${stamp()} ${event.type} ${detail}${reason} members=${node.members().length} links=${node.neighbours().length}\n`);
  });
  node.on('state', ({ state, detail }) => {
    process.stdout.write(`${stamp()} state ${state}${detail !== undefined ? ` (${detail})` : ''}\n`);
  });
  const shutdown = (signal: string): void => {
    process.stdout.write(`${stamp()} ${signal}: leaving\n`);
    node.stop();
    // Give the goodbye frames a moment on the wire before the process ends.
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
