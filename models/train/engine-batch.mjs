// Builds the engine's input batch (src/inference SliceBatcher) for the volume check_preprocessing.py wrote, so
// the training preprocessing can be compared with what Overread feeds the model. Run through tsx.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelManifestSchema } from '../../src/inference/model-manifest.ts';
import { SliceBatcher } from '../../src/inference/slice-batcher.ts';

const dir = process.argv[2];
const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
const bytes = readFileSync(join(dir, 'hu.f32'));
const voxels = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const input = modelManifestSchema.shape.input.parse(spec.input);
const geometry = {
  size: spec.size,
  spacing: spec.spacing,
  origin: [0, 0, 0],
  direction: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};
const batch = new SliceBatcher({ geometry, voxels }, input).batch(0, spec.size[2]);
writeFileSync(join(dir, 'batch.f32'), Buffer.from(batch.data.buffer));
writeFileSync(join(dir, 'dims.json'), JSON.stringify(batch.dims));
