// `npm start`: the Electron app when Electron's binary is installed; otherwise (an offline install made with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1) one line saying so, then the same app through `overread serve --open`.
// The binary is looked for the way the electron package does (path.txt + dist/), without require('electron'):
// from version 45 that require tries to download the binary when it is missing, which offline means a hang
// and a stack trace instead of one line.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function electronBinary() {
  let packageDir;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined; // electron is not installed at all (a production install)
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist');
  const binary = join(dist, relative);
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const extra = process.argv.slice(2);
let child;
if (binary) {
  // Electron runs the compiled main process and bundled renderer; build them first.
  const built = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
  child = spawn(binary, ['.', ...extra], { stdio: 'inherit' });
} else {
  console.error(
    'Electron binary not installed; opening Overread in your browser via `overread serve --open`.',
  );
  // The page served is the bundled renderer; build it (seconds) so a fresh checkout shows the current app.
  const built = spawnSync(process.execPath, ['scripts/build-renderer.js'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  child = spawn(process.execPath, ['bin/overread.js', 'serve', '--open', ...extra], { stdio: 'inherit' });
}
// Ctrl+C reaches the child through the terminal's process group; its exit code is ours.
child.on('exit', (code) => process.exit(code ?? 1));
