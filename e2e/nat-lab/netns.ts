/**
 * Network namespaces for the NAT lab, held by child processes rather than named with `ip netns add`: a namespace
 * lives exactly as long as the processes in it, and every process the lab starts carries a parent-death signal,
 * so a crashed test leaves nothing behind (no /run/netns entry, no mount, no interface on the host). All of it
 * happens inside the suite's own private namespace (scripts/netns-run.sh).
 */
import { spawn, execFile, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One namespace: its holder process and how to run commands in it. */
export interface Netns {
  readonly name: string;
  /** `/proc/<pid>/ns/net` of the holder: what `nsenter --net=` takes. */
  readonly path: string;
  /** Runs `cmd` inside (stdin `input`), resolves with its stdout, rejects with its stderr. */
  exec(cmd: string, args: string[], input?: string): Promise<string>;
  /** Starts a long-running `cmd` inside; it is killed when this process dies. */
  spawn(cmd: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Kills the holder (the namespace goes once its last process has). */
  close(): void;
}

/** The argv prefix that runs a command inside `path` and kills it when its parent dies. */
export function enterArgs(path: string): string[] {
  return [`--net=${path}`, 'setpriv', '--pdeathsig', 'KILL', '--'];
}

/** Creates a new, empty network namespace (loopback up). */
export async function createNetns(name: string): Promise<Netns> {
  // The holder reads stdin until EOF: when this process dies its pipe closes and the holder ends too.
  const holder = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'unshare', '-n', 'cat'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const pid = holder.pid;
  if (pid === undefined) throw new Error(`netns ${name}: could not start its holder`);
  const path = `/proc/${pid}/ns/net`;
  // unshare execs cat once the namespace exists: wait until the holder's namespace differs from ours.
  await waitFor(async () => existsSync(path) && (await run('readlink', [path])).stdout !== (await run('readlink', ['/proc/self/ns/net'])).stdout, `netns ${name}`);
  const ns: Netns = {
    name,
    path,
    async exec(cmd, args, input) {
      const child = execFile('nsenter', [...enterArgs(path), cmd, ...args], { encoding: 'utf8' });
      if (input !== undefined) child.stdin?.end(input);
      else child.stdin?.end();
      return new Promise((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout?.on('data', (d: string) => (out += d));
        child.stderr?.on('data', (d: string) => (err += d));
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`[${name}] ${cmd} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
      });
    },
    spawn: (cmd, args, options = {}) => spawn('nsenter', [...enterArgs(path), cmd, ...args], options),
    close: () => {
      holder.stdin?.end();
      holder.kill('SIGKILL');
    },
  };
  await ns.exec('ip', ['link', 'set', 'lo', 'up']);
  return ns;
}

/** Polls `check` every 50 ms until it holds, for at most 10 s. */
async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready in 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `ip` here (the suite's namespace), for veth pairs before they move into a lab namespace. */
export async function ipHere(args: string[]): Promise<void> {
  await run('ip', args);
}
