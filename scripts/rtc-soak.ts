/**
 * `npm run soak:rtc -- --impl werift|wrtc --cycles N [--parallel P] [--idle-links K] [--idle-ms T] [--gdb]`:
 * opens and closes N link pairs (real WebRTC on loopback, the project's link adapter) in a child process, in the
 * close orders the driver produces (scripts/rtc-soak-child.ts lists them), P at a time, and prints one JSON line:
 * cycles completed, crashes (the child killed by a signal; a new child carries on with the cycles left), link
 * set-up p50/p99, remote-close detection, and the CPU of K idle links. `--gdb` runs each child under gdb and keeps
 * the native backtrace of a crash (function names in the JSON, whole output in `--crash-log`). The only reader of
 * argv for the soak.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile, round } from '../bench/mesh-common';
import type { ChildLine } from './rtc-soak-child';

const CHILD = fileURLToPath(new URL('./rtc-soak-child.ts', import.meta.url));
/** After this many crashes the soak stops: the figure is made, more would only cost time. */
const MAX_CRASHES = 20;

/** What one child run left behind. */
interface ChildOutcome {
  lines: ChildLine[];
  signal: string | null;
  code: number | null;
  /** Non-`@soak` output (gdb's, or the child's stderr). */
  other: string[];
}

function runChild(args: string[], gdb: boolean): Promise<ChildOutcome> {
  const node = [process.execPath, '--expose-gc', '--import', 'tsx', CHILD, ...args];
  const [command, ...rest] = gdb
    ? ['gdb', '-q', '-batch', '-ex', 'set print thread-events off', '-ex', 'handle SIGPIPE nostop noprint pass',
      '-ex', 'run', '-ex', 'bt 40', '-ex', 'info sharedlibrary wrtc', '--args', ...node]
    : node;
  return new Promise((resolve) => {
    const child = spawn(command as string, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    const outcome: ChildOutcome = { lines: [], signal: null, code: null, other: [] };
    const read = (stream: NodeJS.ReadableStream) => createInterface({ input: stream }).on('line', (line) => {
      // gdb shares the child's stdout and may write in the middle of a line: take the JSON wherever it starts.
      const at = line.indexOf('@soak {');
      const parsed = at < 0 ? undefined : parseLine(line.slice(at + 6));
      if (parsed !== undefined) outcome.lines.push(parsed);
      else outcome.other.push(line);
    });
    read(child.stdout);
    read(child.stderr);
    child.on('close', (code, signal) => {
      outcome.code = code;
      outcome.signal = signal;
      // Under gdb the child's signal shows only in gdb's words; gdb itself exits normally.
      const caught = outcome.other.find((line) => /received signal SIG\w+/.test(line));
      if (gdb && caught !== undefined && !outcome.lines.some((l) => l.t === 'done')) {
        outcome.signal = /received signal (SIG\w+)/.exec(caught)?.[1] ?? 'SIG?';
      }
      resolve(outcome);
    });
  });
}

function parseLine(text: string): ChildLine | undefined {
  try {
    return JSON.parse(text) as ChildLine;
  } catch {
    return undefined; // cut by gdb's output: kept with the rest of it in `other`
  }
}

/** Function names of the backtrace frames (`#3  0x… in name (args) from lib`), demangled by gdb. */
function backtraceFunctions(other: readonly string[]): string[] {
  return other.flatMap((line) => {
    const match = /^#\d+\s+(?:0x[0-9a-f]+ in )?(.+?) \(/.exec(line);
    return match?.[1] === undefined ? [] : [match[1]];
  });
}

interface CrashRecord {
  signal: string;
  atCycle: number;
  /** Cycles begun and not ended when the child died. */
  inFlight: string[];
  backtrace?: string[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      impl: { type: 'string', default: 'werift' }, cycles: { type: 'string', default: '1000' },
      parallel: { type: 'string', default: '8' }, 'idle-links': { type: 'string', default: '20' },
      'idle-ms': { type: 'string', default: '10000' }, 'gc-every': { type: 'string', default: '50' },
      gdb: { type: 'boolean', default: false }, 'crash-log': { type: 'string', default: 'rtc-soak-crashes.log' },
    },
    strict: true,
  });
  const impl = values.impl;
  const total = Number(values.cycles);
  const parallel = values.parallel;
  const startMs = Date.now();
  const setup: number[] = [];
  const remoteClose: number[] = [];
  const crashes: CrashRecord[] = [];
  let completed = 0;
  const stuck: Record<string, number> = {};
  let remoteCloseMissed = 0;
  let first = 0;
  while (completed < total && crashes.length < MAX_CRASHES) {
    const args = ['--impl', impl, '--first', String(first), '--cycles', String(total - completed), '--parallel', parallel, '--gc-every', values['gc-every']];
    const outcome = await runChild(args, values.gdb);
    const begun = new Map<number, string>();
    for (const line of outcome.lines) {
      if (line.t === 'begin') begun.set(line.index, line.scenario);
      if (line.t !== 'end') continue;
      begun.delete(line.index);
      completed++;
      if (line.setupMs !== undefined) setup.push(line.setupMs);
      if (line.remoteCloseMs !== undefined) remoteClose.push(line.remoteCloseMs);
      if (line.stuck === true) stuck[line.scenario] = (stuck[line.scenario] ?? 0) + 1;
      if (line.remoteCloseMissed === true) remoteCloseMissed++;
    }
    first += outcome.lines.filter((line) => line.t === 'begin').length;
    if (outcome.signal !== null) {
      const record: CrashRecord = { signal: outcome.signal, atCycle: completed, inFlight: [...begun.values()] };
      if (values.gdb) {
        record.backtrace = backtraceFunctions(outcome.other);
        appendFileSync(values['crash-log'], `=== ${impl} crash ${crashes.length + 1} at cycle ${completed}\n${outcome.other.join('\n')}\n`);
      }
      crashes.push(record);
      process.stderr.write(`rtc-soak: child killed by ${outcome.signal} after ${completed} cycles (in flight: ${record.inFlight.join(', ')})\n`);
    } else if (!outcome.lines.some((line) => line.t === 'done')) {
      process.stderr.write(`rtc-soak: child exited with code ${outcome.code}:\n${outcome.other.slice(-20).join('\n')}\n`);
      process.exit(1);
    }
  }
  const idle = await measureIdle(impl, Number(values['idle-links']), values['idle-ms'], parallel, values.gdb);
  process.stdout.write(`${JSON.stringify({
    impl, cycles: completed, cyclesAsked: total, crashes: crashes.length, parallel: Number(parallel),
    setupMsP50: round(percentile(setup, 50) ?? NaN), setupMsP99: round(percentile(setup, 99) ?? NaN), setupSamples: setup.length,
    remoteCloseMsP50: round(percentile(remoteClose, 50) ?? NaN), remoteCloseMsP99: round(percentile(remoteClose, 99) ?? NaN),
    remoteCloseMissed, stuck, ...idle, wallS: round((Date.now() - startMs) / 1000), crashList: crashes,
  })}\n`);
}

/** CPU of idle links: a fresh child opens K pairs (2K peer connections, both ends in one process) and sits still. */
async function measureIdle(impl: string, links: number, idleMs: string, parallel: string, gdb: boolean): Promise<Record<string, unknown>> {
  if (links <= 0) return {};
  const outcome = await runChild(['--impl', impl, '--idle', String(links), '--idle-ms', idleMs, '--parallel', parallel], gdb);
  const line = outcome.lines.find((l): l is Extract<ChildLine, { t: 'idle' }> => l.t === 'idle');
  if (line === undefined) return { idleError: outcome.signal ?? `exit ${outcome.code}` };
  const pct = ((line.cpuMs - line.baselineCpuMs) / line.wallMs) * 100;
  return {
    idleLinks: line.opened, idleMs: round(line.wallMs, 0),
    cpuPctPerIdleConnection: round(pct / (2 * Math.max(1, line.opened)), 3),
    cpuPctIdleProcess: round((line.cpuMs / line.wallMs) * 100, 2), cpuPctBaseline: round((line.baselineCpuMs / line.wallMs) * 100, 2),
  };
}

void main();
