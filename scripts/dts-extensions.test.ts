import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rewriteDeclaration } from './dts-extensions';

describe('dts-extensions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dts-ext-'));
  mkdirSync(join(dir, 'api'));
  mkdirSync(join(dir, 'core'));
  writeFileSync(join(dir, 'api', 'mesh.d.ts'), '');
  writeFileSync(join(dir, 'core', 'index.d.ts'), '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds .js to files and /index.js to folders, in from, import() and bare import', () => {
    const text = [
      "import type { Mesh } from './api/mesh';",
      "export * from './core';",
      'declare const x: import("./api/mesh").Mesh;',
      "import './api/mesh';",
      "import { test } from '@playwright/test';",
      "export { y } from './api/mesh.js';",
    ].join('\n');
    const { text: out, unresolved } = rewriteDeclaration(text, dir);
    expect(out.split('\n')).toEqual([
      "import type { Mesh } from './api/mesh.js';",
      "export * from './core/index.js';",
      'declare const x: import("./api/mesh.js").Mesh;',
      "import './api/mesh.js';",
      "import { test } from '@playwright/test';",
      "export { y } from './api/mesh.js';",
    ]);
    expect(unresolved).toEqual([]);
  });

  it('reports a relative import with no declaration beside it', () => {
    expect(rewriteDeclaration("export * from './missing';", dir).unresolved).toEqual(['./missing']);
  });
});
