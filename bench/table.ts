/**
 * `npx tsx bench/table.ts < bench.jsonl`: turns `npm run bench` output into the Markdown table of the README,
 * each measured figure beside its target, so the README quotes only what a run printed.
 */
import { readFileSync } from 'node:fs';

type Row = Record<string, unknown> & { scenario: string; n: number; seeds: number };

/** Targets from the foundation issue, per scenario and size. */
function target(row: Row): string {
  const n = row.n;
  switch (row.scenario) {
    case 'rumor-baseline':
      return `roundsP99 within 1 of ${n === 100 ? 8 : n === 1_000 ? 10 : 13}`;
    case 'join':
      return `roundsP99 ≤ ${n === 100 ? 9 : n === 1_000 ? 12 : 15}`;
    case 'coldstart':
      return `roundsP99 ≤ ${n === 100 ? 11 : 13}`;
    case 'crash':
      return 'removedEverywhereP99Ms ≤ 180 000; resurrections 0';
    case 'loss':
      return row['lossRate'] === 0.01 ? '0 false removals' : '≤ 0.01 false removals per node-hour';
    case 'traffic':
      return n === 1_000 ? 'mean ≤ 1 024 B/s; no message > 16 384 B' : 'no message > 16 384 B';
    case 'partition':
      return `healRoundsP99 ≤ ${Math.round((Math.log(n) / Math.log(3) + 6) * 10) / 10}`;
    case 'massfailure':
      return row['killedFraction'] === 0.5 ? '1 survivor component' : 'report';
    case 'routing':
      return 'meshSignaledShare 1.0; serverMessagesPerNodeMinuteSteady 0; meshConnectMsP99 < 1 000; unicastDeliveryRate ≥ 0.999';
    default:
      return '';
  }
}

const SKIP = new Set(['scenario', 'n', 'seeds', 'wallMs', 'bytesPerNodePerSecByType', 'seed']);

function figures(row: Row): string {
  return Object.entries(row)
    .filter(([key]) => !SKIP.has(key))
    .map(([key, value]) => `${key} ${typeof value === 'number' ? value.toLocaleString('en-US').replace(/,/g, ' ') : String(value)}`)
    .join('; ');
}

const rows = readFileSync(0, 'utf8')
  .split('\n')
  .filter((line) => line.trim().startsWith('{'))
  .map((line) => JSON.parse(line) as Row);
process.stdout.write('| scenario | n | seeds | measured | target |\n|---|---|---|---|---|\n');
for (const row of rows) process.stdout.write(`| ${row.scenario} | ${row.n} | ${row.seeds} | ${figures(row)} | ${target(row)} |\n`);
