// The packaging half of the Electron security checklist, read from the electron-builder.yml that
// `npm run package` uses: the fuses that close Node-style entry points into the packaged app, and the files
// that must be real files outside the asar (native modules, models).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const config = parse(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')) as {
  electronFuses: Record<string, boolean>;
  asarUnpack: string[];
  files: string[];
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
};

test('fuses: no run-as-node, NODE_OPTIONS or inspector flags; asar integrity, asar-only and cookie encryption on', () => {
  assert.deepEqual(config.electronFuses, {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
  });
});

test('native modules and the bundled models are unpacked from the asar; the training recipe is not shipped', () => {
  for (const pattern of [
    '**/*.node',
    '**/node_modules/better-sqlite3/**',
    '**/node_modules/onnxruntime-node/**',
    'models/**',
  ]) {
    assert.ok(config.asarUnpack.includes(pattern), `asarUnpack lacks ${pattern}`);
  }
  assert.ok(config.files.includes('!models/train/**'));
});

test('installers for Linux, Windows and macOS', () => {
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.deepEqual(config.mac.target, ['dmg']);
});
