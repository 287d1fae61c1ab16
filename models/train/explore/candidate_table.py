"""Device exploration (run.sh RESCORE=1), stage 3: every candidate of every network on every study of the named
sets, measured (candidate_features.py) and matched to the truth, for fitting and scoring a false-positive
reduction stage on this machine afterwards (rescore_fit.py). Studies spread over processes as in
ensemble_eval.py; the networks run on the GPU when there is one.
    candidate_table.py OUT.pkl SETS NAME=A.pt …       (SETS: comma-separated set tags, e.g. seed9001,seed707)
OUT.pkl: {'names': feature names, 'threshold': t, 'scans': [(tag, nodules, {net: (rows, matched, top)})]}."""
import os, pickle, sys, time
import numpy as np, torch
import torch.multiprocessing as mp
sys.path.insert(0, os.environ['TRAIN_DIR'])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as T
from candidate_features import NAMES, features
from evaluate import match
from sample_data import channel_offsets, stack_channels
from ensemble_eval import NETS, Study, init  # the networks, loaded in each worker as ensemble_eval.py does

SHM = os.environ.get('SHM', '/tmp/or')
DEV = 'cuda' if torch.cuda.is_available() else 'cpu'
THRESHOLD = float(os.environ.get('CANDIDATE_THRESHOLD', '0.05'))


@torch.no_grad()
def one(tag):
    base = os.path.join(SHM, tag)
    image = np.load(base + '-img.npy').astype(np.float32)
    st = Study(pickle.load(open(base + '.pkl', 'rb'))['meta'])
    offsets = channel_offsets(T.CFG, st.spacing[2])
    x = torch.from_numpy(np.stack([stack_channels(image, k, offsets) for k in range(image.shape[0])]))
    out = {}
    for name, net in NETS.items():
        prob = np.concatenate([net(x[i:i + 32].to(DEV))[:, 0].float().cpu().numpy() for i in range(0, len(x), 32)])
        rows, found = features(prob, image, st.grid, st, THRESHOLD)
        out[name] = (rows, match(found, st.nodules), float(prob.max()))
    return tag, st.nodules, out


def main():
    out_path, sets, specs = sys.argv[1], sys.argv[2].split(','), sys.argv[3:]
    paths = dict(s.split('=', 1) for s in specs)
    tags = sorted(t[:-4] for t in os.listdir(SHM) if t.endswith('.pkl') and t.split('_')[0].split('-')[0] in sets)
    t0, scans = time.time(), []
    with mp.get_context('spawn').Pool(int(os.environ.get('PROCS', '12')), initializer=init,
                                      initargs=(paths, {})) as pool:
        for i, r in enumerate(pool.imap_unordered(one, tags)):
            scans.append(r)
            if i % 8 == 0 or i == len(tags) - 1:  # what is done so far, should the call run out of time
                pickle.dump(dict(names=NAMES, threshold=THRESHOLD, scans=scans), open(out_path, 'wb'))
                print(f'tabled {i + 1}/{len(tags)} ({time.time() - t0:.0f} s)', flush=True)


if __name__ == '__main__':
    main()
