// `overread render`: .f32 output is the modality values pydicom reads; .png output is windowed (MONOCHROME1
// inverted, colour kept); a bad file exits non-zero with one line naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { decodeFixtures } from './decode-fixtures.ts';

const fixtures = decodeFixtures();
const work = mkdtempSync(join(os.tmpdir(), 'overread-render-'));
const bin = new URL('../../../bin/overread.js', import.meta.url).pathname;

function render(...args: string[]) {
  return spawnSync(process.execPath, [bin, 'render', ...args], { encoding: 'utf8' });
}

test('.f32 writes the modality values of the asked frame', () => {
  const out = join(work, 'frame2.f32');
  const result = render(join(fixtures.dir, 'jpegls-multiframe.dcm'), '--frame', '2', '--out', out);
  assert.equal(result.status, 0, result.stderr);
  const bytes = readFileSync(out);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const frame = 32 * 32;
  assert.deepEqual(values, fixtures.expected('multiframe').subarray(2 * frame, 3 * frame));
});

test('.png windows grey with --window and shows MONOCHROME1 inverted', () => {
  const out = join(work, 'mono1.png');
  assert.equal(render(join(fixtures.dir, 'mono1.dcm'), '--window', '127.5,255', '--out', out).status, 0);
  const image = PNG.sync.read(readFileSync(out));
  const source = fixtures.expected('mono1');
  assert.equal(image.width, 64);
  // pngjs hands back RGBA; a grey PNG has R = G = B.
  for (const i of [0, 100, 2000, 4095]) assert.equal(image.data[4 * i], 255 - source[i]);
});

test('.png of a colour image keeps its RGB', () => {
  const out = join(work, 'rgb.png');
  assert.equal(render(join(fixtures.dir, 'rle-rgb-planar1.dcm'), '--out', out).status, 0);
  const image = PNG.sync.read(readFileSync(out));
  const source = fixtures.expected('rgb-planar1');
  for (const i of [0, 77, 1000])
    for (const c of [0, 1, 2]) assert.equal(image.data[4 * i + c], source[3 * i + c]);
});

test('a file we cannot decode exits non-zero with one line naming it and the syntax', () => {
  const path = join(fixtures.dir, 'jpeg-extended12-gray12.dcm');
  const result = render(path, '--out', join(work, 'x.png'));
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /jpeg-extended12-gray12\.dcm: .*1\.2\.840\.10008\.1\.2\.4\.51/);
});
