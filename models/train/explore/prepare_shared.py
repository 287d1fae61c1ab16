"""Device exploration (run.sh), stage 1: loads and prepares every study of the set folders named on the command
line, in parallel, saving each as .npy under $SHM (default /tmp/or) so the variant processes share one copy
through the page cache (np.load mmap), with the sampler's per-study pools (nodule voxels, vessel look-alikes)
and the geometry evaluation needs."""
import os, sys, pickle, numpy as np
from multiprocessing import Pool
sys.path.insert(0, os.environ['TRAIN_DIR'])
from train import CFG, vessel_voxels
if os.environ.get('TARGET_MM'):  # run.sh RES=1: prepare on a finer (or coarser) in-plane grid than the recipe's
    CFG['target_mm'] = float(os.environ['TARGET_MM'])
from sample_data import load_study, prepare
from scipy import ndimage

SHM = os.environ.get('SHM', '/tmp/or')


def one(args):
    study_dir, tag = args
    base = os.path.join(SHM, tag)
    if os.path.exists(base + '.pkl'):  # prepared by an earlier call (written last, so complete)
        return tag
    st = load_study(study_dir)
    image, labels, grid = prepare(st, CFG['target_mm'], CFG['multiple'], CFG['window'])
    np.save(base + '-img.npy', image.astype(np.float16))
    np.save(base + '-lab.npy', labels.astype(np.float16))
    comps, _ = ndimage.label(labels > 0.5)
    positives = [np.stack(v, axis=1) for v in ndimage.value_indices(comps, ignore_value=0).values()]
    # A fixed seed per study (train.py draws these subsamples from its one generator instead).
    vessels = vessel_voxels(image.astype(np.float16), labels, np.random.default_rng(len(tag)))
    meta = dict(name=st.name, spacing=st.spacing, origin=st.origin, direction=st.direction, nodules=st.nodules,
                shape=st.hu.shape, grid=grid, hu=(float(st.hu.min()), float(st.hu.max())))
    pickle.dump(dict(meta=meta, positives=positives, vessels=vessels), open(base + '.pkl', 'wb'))
    return tag


if __name__ == '__main__':
    os.makedirs(SHM, exist_ok=True)
    jobs = []
    for d in sys.argv[1:]:
        for name in sorted(n for n in os.listdir(d) if n.startswith('study-')):
            jobs.append((os.path.join(d, name), os.path.basename(d) + '_' + name))
    with Pool(int(os.environ.get('PROCS', '16'))) as pool:
        for i, tag in enumerate(pool.imap_unordered(one, jobs)):
            if i % 10 == 0:
                print('prepared', i + 1, 'of', len(jobs), flush=True)
    print('prepared all', len(jobs), flush=True)
