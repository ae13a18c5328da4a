/**
 * `npm run test:package`: the package as a user meets it. Packs starmesh (`npm pack`, which builds it), installs
 * the tarball with Vite, TypeScript and Playwright into a fresh app made from test/package-consumer/, then checks
 * `tsc --noEmit` (bundler and NodeNext resolution), `vite build`, and a Playwright test with the exported fixture
 * (3 tabs, a binary message) inside the private network namespace. Prints two sizes: the node_modules of a
 * browser app that installs only starmesh, and the gzip size of the built app's JavaScript (the library entry with
 * its dependencies). Installs need the npm registry or its cache (`--prefer-offline`), outside the namespace.
 * Env: STARMESH_KEEP_CONSUMER=1 keeps the temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const repo = resolve(import.meta.dirname, '..');
const startedMs = performance.now();
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

function step(text: string): void {
  console.log(`[test:package ${((performance.now() - startedMs) / 1000).toFixed(1)} s] ${text}`);
}

/** Runs a command; its output is shown only when it fails (then the script stops). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    console.log(result.stdout, result.stderr);
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${result.status ?? result.signal}`);
  }
  return result.stdout;
}

/** The version installed in the repo, so the app's install is served from the npm cache. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The first ```ts block after `heading` in a Markdown text. */
function docBlock(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  const block = start < 0 ? null : /```ts\n([\s\S]*?)```/.exec(markdown.slice(start));
  if (!block?.[1]) throw new Error(`no ts block after "${heading}"`);
  return block[1];
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function duKib(dir: string): number {
  return Number(run('du', ['-sk', dir], dir).split('\t')[0]);
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'starmesh-package-'));
  try {
    step('npm run build');
    run('npm', ['run', 'build'], repo);
    step(`npm pack into ${work}`);
    // The build just ran: prepack would repeat it (and write its log into the JSON answer).
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], repo)) as Array<{ filename: string; entryCount: number }>;
    const tarball = join(work, packed[0]!.filename);
    step(`packed ${packed[0]!.filename}: ${packed[0]!.entryCount} files`);

    const app = join(work, 'app');
    cpSync(join(repo, 'test/package-consumer'), app, { recursive: true });
    // The examples of docs/playwright.md are compiled (and the test run) with the app's own files.
    const guide = readFileSync(join(repo, 'docs/playwright.md'), 'utf8');
    writeFileSync(join(app, 'src/docs-page.ts'), docBlock(guide, '## What your page must do'));
    writeFileSync(join(app, 'tests/docs-example.spec.ts'), docBlock(guide, '## A test'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'starmesh-consumer', private: true, type: 'module' }, null, 2));
    const tools = ['vite', 'typescript', '@playwright/test', '@types/node'].map((n) => `${n}@${installedVersion(n)}`);
    step(`npm install the tarball + ${tools.join(' ')}`);
    run('npm', ['install', ...NPM_FLAGS, tarball, ...tools], app);

    step('tsc --noEmit (moduleResolution bundler)');
    run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], app);
    step('tsc --noEmit (moduleResolution NodeNext)');
    run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.nodenext.json'], app);

    step('vite build');
    run('npx', ['vite', 'build', '--logLevel', 'warn'], app);
    const assets = join(app, 'dist/assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f)));
    const rawBytes = js.reduce((sum, b) => sum + b.length, 0);
    const gzipBytes = js.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0);

    step('playwright test (3 tabs, binary message; the docs example) in the private network namespace');
    const out = run('bash', [join(repo, 'scripts/netns-run.sh'), 'npx', 'playwright', 'test'], app);
    console.log(out.trim().split('\n').filter((l) => /passed|failed|✓|✘/.test(l)).join('\n'));

    const browserOnly = join(work, 'browser-app');
    mkdirSync(browserOnly);
    writeFileSync(join(browserOnly, 'package.json'), JSON.stringify({ name: 'browser-app', private: true }, null, 2));
    step('npm install only the tarball (a browser app without dev tools)');
    run('npm', ['install', ...NPM_FLAGS, '--omit=optional', '--omit=peer', tarball], browserOnly);
    const modulesKib = duKib(join(browserOnly, 'node_modules'));
    const packages = readdirSync(join(browserOnly, 'node_modules')).filter((n) => !n.startsWith('.')).length;

    step('sizes');
    console.log(`  browser app node_modules (starmesh alone): ${(modulesKib / 1024).toFixed(1)} MiB, ${packages} top-level packages`);
    console.log(`  built app JavaScript (joinMesh with its dependencies): ${kib(rawBytes)}, ${kib(gzipBytes)} gzip`);
    step('ok');
  } finally {
    if (process.env['STARMESH_KEEP_CONSUMER']) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main();
