/**
 * Gives the relative imports of the emitted declarations (dist/lib/types) the extensions Node's ESM resolution
 * needs: `./mesh` becomes `./mesh.js`, `./dir` becomes `./dir/index.js`. The sources import without extensions
 * (Vite's bundler resolution), which a consumer with `moduleResolution: "NodeNext"` would reject (TS2834).
 * Usage: tsx scripts/dts-extensions.ts [dir]; run by `npm run build` after `tsc -p tsconfig.build.json`.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `from '…'`, `import('…')` and `import '…'` with a relative specifier. */
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;

/** The specifier with the extension the declaration file beside it answers to; unchanged when none matches. */
export function withExtension(specifier: string, fromDir: string): string {
  if (/\.(m|c)?js$/.test(specifier)) return specifier;
  const target = resolve(fromDir, specifier);
  if (existsSync(`${target}.d.ts`)) return `${specifier}.js`;
  if (existsSync(join(target, 'index.d.ts'))) return `${specifier.replace(/\/$/, '')}/index.js`;
  return specifier;
}

/** Rewrites one declaration file's text; returns it and the specifiers nothing answered to. */
export function rewriteDeclaration(text: string, fromDir: string): { text: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const out = text.replace(RELATIVE_SPECIFIER, (whole, lead: string, quote: string, specifier: string) => {
    const fixed = withExtension(specifier, fromDir);
    if (fixed === specifier && !/\.(m|c)?js$/.test(specifier)) unresolved.push(specifier);
    return `${lead}${quote}${fixed}${quote}`;
  });
  return { text: out, unresolved };
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return declarationFiles(path);
    return name.endsWith('.d.ts') ? [path] : [];
  });
}

function main(dir: string): void {
  let changed = 0;
  const problems: string[] = [];
  for (const file of declarationFiles(dir)) {
    const before = readFileSync(file, 'utf8');
    const { text, unresolved } = rewriteDeclaration(before, dirname(file));
    problems.push(...unresolved.map((s) => `${file}: ${s}`));
    if (text !== before) {
      writeFileSync(file, text);
      changed++;
    }
  }
  if (problems.length > 0) {
    console.error(`dts-extensions: no declaration for\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`dts-extensions: ${changed} declaration files rewritten in ${dir}`);
}

// Run as a script, not when a test imports the functions above.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv[2] ?? 'dist/lib/types');
