import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

/**
 * The npm package's JavaScript (`npm run build`, before `tsc -p tsconfig.build.json` adds the `.d.ts` files), in
 * dist/lib/. Two builds, chosen by `--mode`:
 * - `browser`: the library (`starmesh`) and the widget (`starmesh/widget`) as ES modules with every dependency
 *   bundled in (simple-peer's self-contained browser bundle, idb-keyval), so an app's bundler meets no CommonJS
 *   and no Node built-in, and a browser app installs nothing native.
 * - `node`: the Node peer (`starmesh/node`), the signaling server (`starmesh/server`), its CLI (`starmesh-signal`)
 *   and the Playwright fixture (`starmesh/playwright`), for Node 20+, their packages left to Node to resolve
 *   (`ws`, `simple-peer`, and the optional `@roamhq/wrtc` / `@playwright/test`).
 */
const rootDir = fileURLToPath(new URL('.', import.meta.url));

const browserConfig: UserConfig = {
  root: rootDir,
  publicDir: false,
  resolve: { alias: [{ find: /^simple-peer$/, replacement: 'simple-peer/simplepeer.min.js' }] },
  // Library mode leaves `process.env.NODE_ENV` alone; a browser has no `process`.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist/lib',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
    minify: false,
    lib: {
      entry: { starmesh: 'src/api/index.ts', widget: 'web/widget/index.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
  },
};

const nodeConfig: UserConfig = {
  root: rootDir,
  publicDir: false,
  build: {
    outDir: 'dist/lib',
    emptyOutDir: false,
    target: 'node20',
    sourcemap: false,
    minify: false,
    // An SSR build leaves node_modules packages and Node built-ins as imports.
    ssr: true,
    rolldownOptions: {
      input: {
        node: 'src/api/node.ts',
        server: 'signal/index.ts',
        'signal-cli': 'signal/cli.ts',
        playwright: 'src/playwright/index.ts',
      },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
};

export default defineConfig(({ mode }) => (mode === 'node' ? nodeConfig : browserConfig));
