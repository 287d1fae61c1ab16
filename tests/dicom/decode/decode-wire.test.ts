// decodeWireFrame / DecodePool.decodeWire (what the viewer's slice endpoint sends): for every file of the decode
// matrix the values equal decodeFrame's; grey 16-bit frames with slope 1 come back as int16 (the CT sources, in
// every little-endian transfer syntax, native and compressed), anything else — a fractional slope, colour, 8-bit — as float32.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrame, decodeWireFrame } from '../../../src/dicom/decode/decode-frame.ts';
import { DecodePool } from '../../../src/dicom/decode/decode-pool.ts';
import { decodeFixtures } from './decode-fixtures.ts';

const fixtures = decodeFixtures();

test('every matrix file: the wire values equal the float32 values; CT sources come as int16', async () => {
  let int16Files = 0;
  for (const variant of fixtures.variants) {
    if (variant.expectError) continue;
    const path = join(fixtures.dir, variant.file);
    const bytes = readFileSync(path);
    const float = await decodeFrame(path, bytes);
    const wire = await decodeWireFrame(path, bytes);
    assert.deepEqual(Array.from(wire.data), Array.from(float.data), variant.file);
    assert.equal(wire.photometric, float.photometric);
    assert.equal(wire.samplesPerPixel, float.samplesPerPixel);
    assert.equal(wire.windowCenter, float.windowCenter);
    if (wire.data instanceof Int16Array) int16Files++;
    // ct12: signed 12-bit, slope 1, intercept −1024: int16 wherever the samples are 16-bit little endian (big
    // endian, retired and rare, takes the float32 path and the API converts).
    if (variant.source === 'ct12' && !variant.tolerance && variant.syntax !== '1.2.840.10008.1.2.2')
      assert.ok(wire.data instanceof Int16Array, `${variant.file} comes as int16`);
    // multiframe has slope 0.5 (fractional values), rgb and palette are colour: never int16.
    if (['multiframe', 'rgb-planar0', 'rgb-planar1', 'palette', 'gray8'].includes(variant.source))
      assert.ok(wire.data instanceof Float32Array, `${variant.file} comes as float32`);
  }
  assert.ok(int16Files >= 10, `${int16Files} files decoded to int16`);
});

test('DecodePool.decodeWire gives the same, transferred from the worker as int16', async () => {
  const pool = new DecodePool({ size: 1 });
  try {
    const ct = join(fixtures.dir, 'ct12.dcm');
    const wire = await pool.decodeWire(ct);
    assert.ok(wire.data instanceof Int16Array);
    assert.deepEqual(Array.from(wire.data), Array.from((await decodeFrame(ct, readFileSync(ct))).data));
    // The plain decode of the same file right after still gives float32 (the worker's parse cache is shared).
    assert.ok((await pool.decode(ct)).data instanceof Float32Array);
    const multiframe = join(fixtures.dir, 'multiframe.dcm');
    const second = await pool.decodeWire(multiframe, 1);
    assert.ok(second.data instanceof Float32Array);
    assert.deepEqual(second.data, (await decodeFrame(multiframe, readFileSync(multiframe), 1)).data);
  } finally {
    await pool.close();
  }
});
