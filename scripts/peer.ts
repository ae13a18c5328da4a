/**
 * `npm run peer -- --signal ws://127.0.0.1:8787 --room lobby [--ice JSON] [--ice-transport-policy all|relay]
 * [--gossip-ms N ...]`: one Node mesh peer on real WebRTC. `--ice` takes the page's `ice` parameter's JSON (an
 * RTCIceServer[], e.g. '[{"urls":"stun:10.0.0.1:3478"}]'); default: no ICE server. Prints its ID, then one line per membership change as it happens, and for each new link the candidate pair it uses (`path <id> srflx/udp -> srflx/udp`). Ctrl-C (or SIGTERM) leaves cleanly.
 * The only reader of argv in the Node peer.
 */
import { parseArgs } from 'node:util';
import type { MembershipOptions } from '../src/core';
import { startNodePeer, type NodePeerConfig } from '../src/node/node-peer';
import type { MeshNode } from '../src/node/mesh-node';
import type { LinkPathEnd } from '../src/transport/link-path';
import { isIceTransportPolicy, parseIceServersJson } from '../src/transport/ice-servers';

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

const USAGE = `usage: npm run peer -- --signal ws://HOST:PORT --room NAME [--ice JSON] [--ice-transport-policy all|relay] [${Object.keys(OPTION_FLAGS).map((f) => `--${f} N`).join('] [')}]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function readIce(values: Record<string, string | boolean | undefined>): Pick<NodePeerConfig, 'iceServers' | 'iceTransportPolicy'> {
  const result: Pick<NodePeerConfig, 'iceServers' | 'iceTransportPolicy'> = {};
  const ice = values['ice'];
  if (typeof ice === 'string') {
    const parsed = parseIceServersJson(ice);
    if (!parsed.ok) fail(`--ice refused: ${parsed.error}`);
    result.iceServers = parsed.servers;
  }
  const policy = values['ice-transport-policy'];
  if (typeof policy === 'string') {
    if (!isIceTransportPolicy(policy)) fail('--ice-transport-policy must be all or relay');
    result.iceTransportPolicy = policy;
  }
  return result;
}

function readConfig(): NodePeerConfig & { membership: Partial<MembershipOptions> } {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(
      ['signal', 'room', 'ice', 'ice-transport-policy', ...Object.keys(OPTION_FLAGS)].map((name) => [name, { type: 'string' as const }]),
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
  return { signalUrl, room, membership, ...readIce(values) };
}

/** Prints which candidate pair the new link to `peer` uses (`path <id> srflx/udp -> relay/udp`), if its stats tell. */
async function printPath(node: MeshNode, peer: string, stamp: () => string): Promise<void> {
  const path = (await node.linkPaths())[peer];
  if (path === undefined) return;
  const end = (e: LinkPathEnd): string => `${e.candidateType}/${e.protocol}${e.relayProtocol !== undefined ? `(${e.relayProtocol})` : ''}`;
  process.stdout.write(`${stamp()} path ${peer} ${end(path.local)} -> ${end(path.remote)}\n`);
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
    if (event.type === 'neighbour:up') void printPath(node, event.id, stamp);
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
