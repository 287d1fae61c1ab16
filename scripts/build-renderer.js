// Bundles the renderer (renderer/app.ts → renderer/dist/app.js, cornerstone-core included) and copies the
// page and stylesheet beside it; the API serves renderer/dist to both transports. Plain ES module output,
// no eval and no inline code, so the page runs under the strict CSP.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'renderer', 'dist');

const options = {
  entryPoints: [join(root, 'renderer', 'app.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120'],
  sourcemap: true,
  minify: process.argv.includes('--minify'),
  logLevel: 'warning',
};

export async function buildRenderer() {
  await mkdir(out, { recursive: true });
  await build(options);
  await copyFile(join(root, 'renderer', 'index.html'), join(out, 'index.html'));
  await copyFile(join(root, 'renderer', 'styles.css'), join(out, 'styles.css'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildRenderer();
}
