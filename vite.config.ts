import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

/** Project root: index.html lives here, the page code in web/. */
const rootDir = fileURLToPath(new URL('.', import.meta.url));

const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * Fails loudly when browser code imports a Node built-in (Vite would otherwise
 * replace it with an empty stub and the page would break at run time). The
 * usual culprit is the CommonJS entry of `simple-peer`; the browser must use
 * `simple-peer/simplepeer.min.js`, which bundles its own polyfills.
 */
function noNodeBuiltins(): Plugin {
  return {
    name: 'starmesh:no-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!nodeBuiltins.has(source)) return null;
      this.error(
        `Node built-in "${source}" imported by ${importer ?? '(entry)'}: ` +
          'browser code must not use Node modules (for simple-peer import "simple-peer/simplepeer.min.js").',
      );
    },
  };
}

/** simple-peer's built-in default ICE servers, exactly as its prebuilt bundle spells them. */
const SIMPLE_PEER_DEFAULT_ICE = 'iceServers:[{urls:["stun:stun.l.google.com:19302","stun:global.stun.twilio.com:3478"]}]';

/**
 * Takes simple-peer's public STUN servers out of its bundle. Every link passes its own `iceServers` (none unless
 * configured), so they are never used; removing them also keeps the shipped files free of any server address
 * nobody configured. Fails the build if the text is not found (a new simple-peer must be looked at again).
 * Applies to builds; the dev server's pre-bundled copy keeps them, unused.
 */
function noPublicIceServers(): Plugin {
  return {
    name: 'starmesh:no-public-ice-servers',
    transform(code, id) {
      if (!id.includes('simple-peer/simplepeer.min.js')) return null;
      if (!code.includes(SIMPLE_PEER_DEFAULT_ICE)) this.error(`simple-peer's default ICE servers not found in ${id}: check the new bundle`);
      return { code: code.replace(SIMPLE_PEER_DEFAULT_ICE, 'iceServers:[]'), map: null };
    },
  };
}

/** The page: `vite` (dev server), `vite build` (dist/), `vite preview`. */
const pageConfig: UserConfig = {
  root: rootDir,
  publicDir: false,
  plugins: [noNodeBuiltins(), noPublicIceServers()],
  resolve: {
    // A bare `simple-peer` import would pull readable-stream, buffer, events…
    // Point it at the self-contained browser bundle instead.
    alias: [{ find: /^simple-peer$/, replacement: 'simple-peer/simplepeer.min.js' }],
  },
  // The UMD bundle is CommonJS-shaped: pre-bundle it so `import Peer from …` works.
  optimizeDeps: { include: ['simple-peer/simplepeer.min.js', 'd3-force'] },
  server: {
    host: process.env['STARMESH_HOST'] ?? '127.0.0.1',
    port: Number(process.env['STARMESH_PORT'] ?? 5173),
    strictPort: true,
    // Tests set STARMESH_NO_HMR: an edit in the tree must never reload (and so reset) the nodes under test.
    ...(process.env['STARMESH_NO_HMR'] ? { hmr: false, watch: null } : {}),
  },
  preview: {
    host: process.env['STARMESH_HOST'] ?? '127.0.0.1',
    port: Number(process.env['STARMESH_PORT'] ?? 5173),
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
};

/**
 * The embeddable widget (`npm run build:widget`, i.e. `vite build --mode widget`): library mode, one ES module and
 * one classic script (IIFE) in dist/widget/, every dependency bundled in. The example host pages of
 * web/widget/host/ are copied beside them, so `vite preview --mode widget` serves a ready demo.
 */
const widgetConfig: UserConfig = {
  ...pageConfig,
  publicDir: 'web/widget/host',
  // Library mode leaves `process.env.NODE_ENV` alone; a browser has no `process`.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    minify: true,
    lib: {
      entry: 'web/widget/index.ts',
      name: 'StarmeshWidget',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'starmesh-widget.js' : 'starmesh-widget.iife.js'),
    },
    // Vite leaves whitespace in library ES output (for other bundlers' tree-shaking); this file is served to
    // browsers as is, so the bundler's own minifier compacts it like the classic build.
    rolldownOptions: { output: { minify: true } },
  },
  preview: { ...pageConfig.preview, port: Number(process.env['STARMESH_WIDGET_PORT'] ?? 5174) },
};

export default defineConfig(({ mode }) => (mode === 'widget' ? widgetConfig : pageConfig));
