/**
 * `npm run bench [-- --quick] [-- --only NAME[,NAME]] [-- --jobs N]`: runs the simulator's standard matrix and
 * prints one JSON object per line on stdout, in plan order (progress goes to stderr). Every figure comes from the
 * real membership core driven by the deterministic simulator; rerunning gives the same numbers. Plans run in
 * `--jobs` worker processes (default: 2, this machine's cores).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as s from './scenarios';
import { routing } from './routing';

interface Plan {
  name: string;
  run: () => s.Row[];
}

function plans(quick: boolean): Plan[] {
  const list: Plan[] = [];
  const add = (name: string, run: () => s.Row | s.Row[]): void =>
    void list.push({ name, run: () => ([] as s.Row[]).concat(run()) });
  // Longest first, so that two workers finish close together.
  if (quick) {
    add('join,coldstart,traffic', () => s.sharedLarge(1_000, 60_000, 3));
  } else {
    add('join', () => s.join(1_000, 1, 10));
    add('join', () => ({
      scenario: 'join', n: 10_000, seeds: 0,
      skipped: 'not run: every simulated node holds a full table, so a converged 10 000-node mesh means 10^8 records in one process',
    }));
    add('coldstart', () => s.coldstart(1_000, 3));
    add('traffic', () => s.traffic(1_000, 10 * 60_000));
    add('crash', () => s.crash(1_000, 1, 3));
    add('partition', () => s.partition(1_000, 1));
    for (const fraction of [0.5, 0.8]) add('massfailure', () => s.massfailure(1_000, fraction, 9));
    add('routing', () => routing(1_000, 11));
  }
  for (const n of quick ? [100, 1_000] : [100, 1_000, 10_000]) add('rumor-baseline', () => s.rumorBaseline(n, n >= 10_000 ? 100 : 200));
  add('join', () => s.join(100, quick ? 2 : 5, 10));
  add('coldstart', () => s.coldstart(100, quick ? 5 : 20));
  add('crash', () => s.crash(100, quick ? 1 : 3, quick ? 3 : 5));
  add('loss', () => s.loss(100, 0.01, quick ? 1 : 24, 1));
  add('loss', () => s.loss(100, 0.1, quick ? 1 : 24, 1));
  add('traffic', () => s.traffic(100, 10 * 60_000));
  add('partition', () => s.partition(100, quick ? 1 : 3));
  for (const fraction of [0.5, 0.8]) add('massfailure', () => s.massfailure(100, fraction, 9));
  add('routing', () => routing(100, 11));
  return list;
}

type WorkerMessage = { index: number; rows: s.Row[]; wallMs: number };

function selectPlans(argv: string[]): Plan[] {
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? '').split(',')) : null;
  return plans(argv.includes('--quick')).filter((plan) => only === null || plan.name.split(',').some((name) => only.has(name)));
}

/** Worker: runs the plans with the given indexes and reports each result to the parent. */
function worker(argv: string[], indexes: number[]): void {
  const selected = selectPlans(argv);
  for (const index of indexes) {
    const t0 = Date.now();
    const rows = (selected[index] as Plan).run();
    process.send?.({ index, rows, wallMs: Date.now() - t0 } satisfies WorkerMessage);
  }
}

async function main(argv: string[]): Promise<void> {
  const workerIndex = argv.indexOf('--worker');
  if (workerIndex >= 0) return worker(argv, (argv[workerIndex + 1] ?? '').split(',').map(Number));
  const selected = selectPlans(argv);
  if (selected.length === 0) {
    process.stderr.write('bench: nothing selected; names: rumor-baseline join coldstart crash loss traffic partition massfailure\n');
    process.exitCode = 2;
    return;
  }
  const jobsIndex = argv.indexOf('--jobs');
  const jobs = Math.max(1, Math.min(selected.length, Number(argv[jobsIndex + 1] ?? 2) || 2));
  const started = Date.now();
  const results = new Map<number, WorkerMessage>();
  let printed = 0;
  const flushInOrder = (): void => {
    while (results.has(printed)) {
      const { rows, wallMs } = results.get(printed) as WorkerMessage;
      for (const row of rows) process.stdout.write(`${JSON.stringify({ ...row, wallMs })}\n`);
      printed++;
    }
  };
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    Array.from({ length: jobs }, (_, job) => {
      const indexes = selected.map((_, i) => i).filter((i) => i % jobs === job);
      return new Promise<void>((resolve, reject) => {
        const child = fork(self, [...argv, '--worker', indexes.join(',')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        child.on('message', (message: WorkerMessage) => {
          results.set(message.index, message);
          process.stderr.write(`[${results.size}/${selected.length}] ${selected[message.index]?.name} ${(message.wallMs / 1_000).toFixed(1)} s\n`);
          flushInOrder();
        });
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench worker ${job} exited with ${code}`))));
      });
    }),
  );
  process.stderr.write(`bench: ${selected.length} plans in ${((Date.now() - started) / 1_000).toFixed(1)} s\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
