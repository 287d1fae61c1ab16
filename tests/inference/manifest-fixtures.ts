// Manifests for tests: a valid base and a helper to vary it.
import {
  parseModelManifest,
  type ModelManifest,
  type ModelManifestInput,
} from '../../src/inference/model-manifest.ts';

export function manifestInput(overrides: Partial<ModelManifestInput> = {}): ModelManifestInput {
  return {
    id: 'test-model',
    version: '0.0.1',
    sha256: '0'.repeat(64),
    modality: 'CT',
    bodyPart: 'CHEST',
    input: {
      name: 'image',
      channels: 3,
      pixelSpacingMm: 1,
      sizeMultiple: 16,
      normalization: { kind: 'window', window: [-1000, 400] },
    },
    output: { name: 'probability', labels: ['nodule'], activation: 'none', activationInGraph: false },
    defaultThreshold: 0.5,
    trainingRanges: { pixelSpacingMm: [0.5, 1], sliceThicknessMm: [0.6, 2.5], intensity: [-1024, 3071] },
    ...overrides,
  };
}

export function manifest(overrides: Partial<ModelManifestInput> = {}): ModelManifest {
  return parseModelManifest(manifestInput(overrides), 'test manifest');
}
