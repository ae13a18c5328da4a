/**
 * The docs' code blocks are the compiled examples: each ```ts block of docs/api.md and of the README's quick start
 * must be, after its leading doc comment, exactly one file of docs/examples/ (which `npm run typecheck` compiles
 * against the package's types), so a renamed method breaks the build instead of silently rotting the docs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const docsDir = new URL('.', import.meta.url).pathname;
const examplesDir = join(docsDir, 'examples');

/** The file's code without its leading `/** … *\/` comment. */
function exampleBody(file: string): string {
  return readFileSync(join(examplesDir, file), 'utf8').replace(/^\/\*\*[\s\S]*?\*\/\n/, '').trim();
}

function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => (match[1] ?? '').trim());
}

const examples = new Map(readdirSync(examplesDir).filter((f) => f.endsWith('.ts')).map((f) => [exampleBody(f), f]));

describe.each([
  ['docs/api.md', join(docsDir, 'api.md')],
  ['README.md', join(docsDir, '..', 'README.md')],
])('%s', (_name, path) => {
  const blocks = tsBlocks(readFileSync(path, 'utf8'));

  it('has code blocks', () => expect(blocks.length).toBeGreaterThan(0));

  it.each(blocks.map((block, i) => [i, block] as const))('block %i is a compiled example', (_i, block) => {
    expect([...examples.keys()], `a block of ${path} matches no file of docs/examples/:\n${block}`).toContain(block);
  });
});

it('every example is shown somewhere', () => {
  const shown = new Set([...tsBlocks(readFileSync(join(docsDir, 'api.md'), 'utf8')), ...tsBlocks(readFileSync(join(docsDir, '..', 'README.md'), 'utf8'))]);
  const unshown = [...examples].filter(([body]) => !shown.has(body)).map(([, file]) => file);
  expect(unshown).toEqual([]);
});
