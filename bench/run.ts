/**
 * `npm run bench [-- --quick] [-- --only NAME[,NAME]]`: runs the simulator's standard matrix and prints one JSON
 * object per line on stdout (progress goes to stderr). Every figure comes from the real membership core driven
 * by the deterministic simulator; rerunning gives the same numbers.
 */
import * as s from './scenarios';

interface Plan {
  name: string;
  run: () => s.Row;
}

function plans(quick: boolean): Plan[] {
  const list: Plan[] = [];
  const add = (name: string, run: () => s.Row): void => void list.push({ name, run });
  for (const n of quick ? [100, 1_000] : [100, 1_000, 10_000]) add('rumor-baseline', () => s.rumorBaseline(n, n >= 10_000 ? 100 : 200));
  add('join', () => s.join(100, quick ? 2 : 5, 10));
  add('join', () => s.join(1_000, 1, quick ? 3 : 10));
  add('coldstart', () => s.coldstart(100, quick ? 5 : 20));
  add('coldstart', () => s.coldstart(1_000, quick ? 1 : 3));
  add('crash', () => s.crash(100, quick ? 1 : 3, quick ? 3 : 5));
  if (!quick) add('crash', () => s.crash(1_000, 1, 3));
  add('loss', () => s.loss(100, 0.01, quick ? 1 : 24, 1));
  add('loss', () => s.loss(100, 0.1, quick ? 1 : 24, 1));
  add('traffic', () => s.traffic(100, 10 * 60_000));
  add('traffic', () => s.traffic(1_000, quick ? 60_000 : 10 * 60_000));
  add('partition', () => s.partition(100, quick ? 1 : 3));
  if (!quick) add('partition', () => s.partition(1_000, 1));
  for (const fraction of [0.5, 0.8]) add('massfailure', () => s.massfailure(100, fraction, 9));
  if (!quick) for (const fraction of [0.5, 0.8]) add('massfailure', () => s.massfailure(1_000, fraction, 9));
  return list;
}

function main(argv: string[]): void {
  const quick = argv.includes('--quick');
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((argv[onlyIndex + 1] ?? '').split(',')) : null;
  const selected = plans(quick).filter((plan) => only === null || only.has(plan.name));
  if (selected.length === 0) {
    process.stderr.write('bench: nothing selected; names: rumor-baseline join coldstart crash loss traffic partition massfailure\n');
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  selected.forEach((plan, i) => {
    process.stderr.write(`[${i + 1}/${selected.length}] ${plan.name} ...`);
    const t0 = Date.now();
    const row = plan.run();
    const wallMs = Date.now() - t0;
    process.stderr.write(` ${(wallMs / 1_000).toFixed(1)} s\n`);
    process.stdout.write(`${JSON.stringify({ ...row, wallMs })}\n`);
  });
  process.stderr.write(`bench: ${selected.length} rows in ${((Date.now() - started) / 1_000).toFixed(1)} s\n`);
}

main(process.argv.slice(2));
