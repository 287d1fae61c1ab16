// `npm start`: the Electron app when Electron's binary is installed; otherwise (an offline install made with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1) one line saying so, then the same app through `overread serve --open`.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
let electronBinary;
try {
  const candidate = require('electron');
  if (typeof candidate === 'string' && existsSync(candidate)) electronBinary = candidate;
} catch {
  electronBinary = undefined;
}

const extra = process.argv.slice(2);
if (electronBinary) {
  // Electron runs the compiled main process and bundled renderer; build them first.
  const built = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const child = electronBinary
  ? spawn(electronBinary, ['.', ...extra], { stdio: 'inherit' })
  : (console.error(
      'Electron binary not installed; opening Overread in your browser via `overread serve --open`.',
    ),
    spawn(process.execPath, ['bin/overread.js', 'serve', '--open', ...extra], { stdio: 'inherit' }));
child.on('exit', (code) => process.exit(code ?? 1));
