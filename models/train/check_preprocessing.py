"""Checks that the training preprocessing (sample_data.py) equals the engine's (src/inference SliceBatcher) for
the manifest this recipe writes: a random HU volume with unequal row/column spacing goes through both; the
[batch, channels, rows, cols] tensors must agree to 1e-5. Run: /usr/bin/python3 models/train/check_preprocessing.py
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_data import REPO, channel_offsets, model_grid, normalise, stack_channels, to_model  # noqa: E402
from train import CFG  # noqa: E402

rng = np.random.default_rng(3)
slices, rows, cols = 9, 37, 45
spacing = (0.73, 0.81, 1.25)  # col mm, row mm, slice mm: channels sliceSpacingMm apart fall between slices
hu = rng.uniform(-1200, 600, size=(slices, rows, cols)).astype(np.float32)
# The manifest's input block exactly as train.py writes it.
input_spec = {'name': 'image', 'channels': CFG['channels'], 'pixelSpacingMm': CFG['target_mm'],
              'sizeMultiple': CFG['multiple'], 'normalization': {'kind': 'window', 'window': CFG['window']}}
if CFG.get('channel_offsets_mm'):
    input_spec['channelOffsetsMm'] = CFG['channel_offsets_mm']
elif CFG.get('slice_spacing_mm'):
    input_spec['sliceSpacingMm'] = CFG['slice_spacing_mm']

grid = model_grid(cols, rows, spacing[0], spacing[1], CFG['target_mm'], CFG['multiple'])
image = normalise(to_model(hu, grid, fill=-1e9), CFG['window'])
offsets = channel_offsets(CFG, spacing[2])
expected = np.stack([stack_channels(image, k, offsets) for k in range(slices)])

with tempfile.TemporaryDirectory() as d:
    hu.astype('<f4').tofile(os.path.join(d, 'hu.f32'))
    json.dump({'size': [cols, rows, slices], 'spacing': list(spacing), 'input': input_spec},
              open(os.path.join(d, 'spec.json'), 'w'))
    subprocess.run(['node', '--import', 'tsx', os.path.join(os.path.dirname(__file__), 'engine-batch.mjs'), d],
                   check=True, cwd=REPO)
    dims = json.load(open(os.path.join(d, 'dims.json')))
    actual = np.fromfile(os.path.join(d, 'batch.f32'), dtype='<f4').reshape(dims)

if list(actual.shape) != list(expected.shape):
    sys.exit(f'check_preprocessing: engine batch {actual.shape} != training batch {expected.shape}')
diff = float(np.abs(actual - expected).max())
print(f'check_preprocessing: batch {list(actual.shape)}, max abs diff engine vs training {diff:.2e}')
sys.exit(0 if diff <= 1e-5 else 1)
