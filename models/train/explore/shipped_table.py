"""candidate_table.py's table for the shipped int8 model (models/overread-nodule-2d5/model.onnx, run by
onnxruntime-node as the app runs it — rescore.py's OnnxruntimeNetwork, ~9 s a study here; INTERPRETER=1: by
quantize.py's interpreter, as probability_cache.py runs it, 2.5× slower) — on the CPU, for fitting its second look
with rescore_fit.py:
every candidate of its map at p ≥ CANDIDATE_THRESHOLD (default 0.02) on the held-out sets and the fitting sets
707 and 808 (studies no network trained on), measured (candidate_features.py) and matched to the truth.
    /usr/bin/python3 models/train/explore/shipped_table.py OUT.pkl [CACHE_DIR]
Maps are kept in CACHE_DIR (float16 .npy per study), so another threshold costs no network run. PROCS (default
2) studies at a time, one thread each. TTA="lr ud" adds the runs on mirrored slices (columns, rows), mirrored
back, and tables the mean of the maps (TTA_MAX=1: their maximum); SET_COUNT=3 keeps the held-out sets only."""
import os
import pickle
import sys
import time
from multiprocessing import Pool

import numpy as np

TRAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, TRAIN)
SETS = [(9001, 10, 512), (9002, 10, 256), (9003, 20, 256), (707, 24, 256), (808, 16, 512)]
THRESHOLD = float(os.environ.get('CANDIDATE_THRESHOLD', '0.02'))
CACHE = sys.argv[2] if len(sys.argv) > 2 else '/tmp/shipped-maps'
MODEL = None


def init():
    global MODEL
    import onnx
    import torch
    from train import QuantizedNetwork
    from rescore import OnnxruntimeNetwork
    torch.set_num_threads(1)
    path = os.path.join(TRAIN, '..', 'overread-nodule-2d5', 'model.onnx')
    MODEL = QuantizedNetwork(onnx.load(path)) if os.environ.get('INTERPRETER') else OnnxruntimeNetwork(path)


def one(study_dir):
    from candidate_features import NAMES, features
    from evaluate import match, predict_volume
    from sample_data import channel_offsets, load_study, prepare
    from train import CFG
    st = load_study(study_dir)
    tag = st.name.replace('/', '_')
    image, _, grid = prepare(st, CFG['target_mm'], CFG['multiple'], CFG['window'])
    def predicted(flip):
        # flip: '' (as is), 'lr' (columns mirrored) or 'ud' (rows mirrored), mirrored back after the run.
        cached = os.path.join(CACHE, tag + (f'-{flip}' if flip else '') + '.npy')
        if os.path.exists(cached):
            return np.load(cached).astype(np.float32)
        axis = {'': None, 'lr': 2, 'ud': 1}[flip]
        seen = image if axis is None else np.ascontiguousarray(np.flip(image, axis))
        prob = predict_volume(MODEL, seen, channel_offsets(CFG, st.spacing[2]))
        prob = prob if axis is None else np.ascontiguousarray(np.flip(prob, axis))
        np.save(cached, prob.astype(np.float16))
        return prob
    # TTA="lr ud": the mean of the map and its mirrored runs' (test-time augmentation).
    maps = [predicted('')] + [predicted(f) for f in os.environ.get('TTA', '').split()]
    prob = np.mean(maps, axis=0) if os.environ.get('TTA_MAX') is None else np.max(maps, axis=0)
    rows, found = features(prob, image, grid, st, THRESHOLD)
    return tag, st.nodules, {'shipped': (rows, match(found, st.nodules), float(prob.max()))}, NAMES


def main():
    from sample_data import generate
    os.makedirs(CACHE, exist_ok=True)
    dirs = []
    for seed, count, size in SETS[:int(os.environ.get('SET_COUNT', len(SETS)))]:
        d = os.path.join(TRAIN, 'out', 'data', f'seed{seed}-n{count}-s{size}')
        generate(d, count, seed, size)
        dirs += [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.startswith('study-')]
    t0, scans, names = time.time(), [], None
    with Pool(int(os.environ.get('PROCS', '2')), initializer=init) as pool:
        for i, (tag, nodules, nets, names) in enumerate(pool.imap_unordered(one, dirs)):
            scans.append((tag, nodules, nets))
            print(f'{i + 1}/{len(dirs)} {tag} {time.time() - t0:.0f} s', file=sys.stderr, flush=True)
    pickle.dump(dict(names=names, threshold=THRESHOLD, scans=sorted(scans, key=lambda s: s[0])),
                open(sys.argv[1], 'wb'))


if __name__ == '__main__':
    main()
