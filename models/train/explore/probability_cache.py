"""Runs the shipped int8 model (models/overread-nodule-2d5/model.onnx, by quantize.py's interpreter, as train.py
evaluates it) once on each study of some sets and keeps its model-grid probability map, so that candidate
extraction and scoring can be compared without running the network again (candidates.py reads the cache).
    /usr/bin/python3 models/train/explore/probability_cache.py OUT_DIR        (train.py's held-out sets)
    SETS="8001,16,256 8002,8,512" /usr/bin/python3 models/train/explore/probability_cache.py OUT_DIR
Each study: OUT_DIR/<set>-<study>.npz with prob (float16 [k, R, C]) and the truth labels on the model grid, and
OUT_DIR/<set>-<study>.pkl with the study's geometry and nodules (no pixels)."""
import os
import pickle
import sys
import time

import numpy as np
import onnx
import torch

TRAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, TRAIN)
from evaluate import predict_volume  # noqa: E402
from sample_data import channel_offsets, prepare  # noqa: E402
from train import CFG, HELDOUT_SETS, QuantizedNetwork, load_sets  # noqa: E402

torch.set_num_threads(2)
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
model = QuantizedNetwork(onnx.load(os.path.join(TRAIN, '..', 'overread-nodule-2d5', 'model.onnx')))
sets = [tuple(int(v) for v in spec.split(',')) for spec in os.environ['SETS'].split()] if os.environ.get('SETS') \
    else HELDOUT_SETS
studies = load_sets(sets, os.path.join(TRAIN, 'out', 'data'))
t0 = time.time()
for i, st in enumerate(studies):
    key = st.name.replace('/', '-')
    if os.path.exists(os.path.join(out, key + '.pkl')):
        continue
    image, labels, grid = prepare(st, CFG['target_mm'], CFG['multiple'], CFG['window'])
    prob = predict_volume(model, image, channel_offsets(CFG, st.spacing[2]))
    np.savez_compressed(os.path.join(out, key + '.npz'), prob=prob.astype(np.float16), labels=labels > 0.5)
    geometry = dict(name=st.name, spacing=st.spacing, origin=st.origin, direction=st.direction, nodules=st.nodules,
                    grid=grid)
    pickle.dump(geometry, open(os.path.join(out, key + '.pkl'), 'wb'))
    print(f'{i + 1}/{len(studies)} {st.name} {time.time() - t0:.0f} s', file=sys.stderr, flush=True)
