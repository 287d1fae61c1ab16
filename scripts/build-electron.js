// Bundles the Electron preload to CommonJS (a sandboxed preload cannot load ES modules) next to the compiled
// main process in dist/src/main/. The main process itself is compiled by `tsc -p tsconfig.build.json`.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main/preload.ts'],
  outfile: 'dist/src/main/preload.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});
