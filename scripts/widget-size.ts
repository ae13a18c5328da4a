/**
 * Prints the size of the built widget files (dist/widget/*.js): raw bytes and gzip (level 9) in bytes and KiB,
 * against the 60 KiB gzip aim of issue 5, and fails if a file names a public ICE server (simple-peer's defaults, which
 * `vite.config.ts` takes out: no server is contacted unless configured). Run after `vite build --mode widget` (`npm run build:widget` does both).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Gzip size the widget aims to stay under, dependencies included. */
const AIM_GZIP_BYTES = 60 * 1024;
const dir = process.argv[2] ?? 'dist/widget';
/** Public STUN servers that must not ship (simple-peer's built-in defaults). */
const PUBLIC_ICE_HOSTS = ['stun.l.google.com', 'global.stun.twilio.com'];
let failed = false;

let files: string[];
try {
  files = readdirSync(dir).filter((name) => name.endsWith('.js')).sort();
} catch {
  console.error(`widget-size: ${dir} not found; run \`npm run build:widget\` first`);
  process.exit(1);
}
if (files.length === 0) {
  console.error(`widget-size: no .js file in ${dir}`);
  process.exit(1);
}
for (const name of files) {
  const raw = readFileSync(join(dir, name));
  const gzipBytes = gzipSync(raw, { level: 9 }).length;
  const kib = (gzipBytes / 1024).toFixed(1);
  const verdict = gzipBytes <= AIM_GZIP_BYTES ? 'within' : 'over';
  console.log(`${name}: ${raw.length} B raw, ${gzipBytes} B gzip (${kib} KiB; ${verdict} the 60 KiB aim)`);
  const text = raw.toString('utf8');
  for (const host of PUBLIC_ICE_HOSTS.filter((h) => text.includes(h))) {
    console.error(`widget-size: ${name} names the public ICE server ${host}`);
    failed = true;
  }
}
if (failed) process.exit(1);
