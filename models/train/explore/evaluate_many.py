"""Float held-out evaluation of several checkpoints at once, on this machine's CPU (each held-out study loaded and
prepared once, every network run on it): the evaluation the device could not finish (run.sh).
    /usr/bin/python3 models/train/explore/evaluate_many.py A.pt B.pt …   (one JSON line per checkpoint)"""
import sys, os, json, time, numpy as np, torch
from scipy import ndimage
TRAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, TRAIN)
from train import CFG, HELDOUT_SETS, load_sets
from evaluate import predict_volume, candidates, match, froc, auc, shown_at
from sample_data import prepare, channel_offsets
from unet import UNet25D
torch.set_num_threads(2)
models = {}
for path in sys.argv[1:]:
    saved = torch.load(path)
    base = saved['model']['down.0.0.weight'].shape[0]
    m = UNet25D(CFG['channels'], base); m.load_state_dict(saved['model']); m.eval()
    models[os.path.basename(path)[:-3]] = m
acc = {n: dict(per_scan=[], scores=[], tp=0, fp=0, inside=[]) for n in models}
positives = []
t0 = time.time()
studies = load_sets(HELDOUT_SETS, os.path.join(TRAIN, 'out', 'data'))
for i, st in enumerate(studies):
    image, labels, grid = prepare(st, CFG['target_mm'], CFG['multiple'], CFG['window'])
    offsets = channel_offsets(CFG, st.spacing[2])
    comps, count = ndimage.label(labels > 0.5)
    positives.append(len(st.nodules) > 0)
    for n, m in models.items():
        prob = predict_volume(m, image, offsets)
        a = acc[n]
        a['per_scan'].append((match(candidates(prob, grid, st, 0.1), st.nodules), st.nodules))
        a['scores'].append(float(prob.max()))
        hits, false_findings = shown_at(prob, grid, st, 0.5)
        a['tp'] += len(hits)
        a['fp'] += false_findings
        if count:
            a['inside'].extend(ndimage.maximum(prob, comps, np.arange(1, count + 1)).tolist())
    print(f'{i + 1}/{len(studies)} {time.time() - t0:.0f} s', file=sys.stderr, flush=True)
for n, a in acc.items():
    sens, cpm, total, _ = froc(a['per_scan'])
    print(json.dumps(dict(name=n, sens1=round(sens['1'], 3), sens8=round(sens['8'], 3), cpm=round(cpm, 3),
                          auc=round(auc(a['scores'], positives), 3), at05=round(a['tp'] / total, 3),
                          fp05=round(a['fp'] / len(studies), 2),
                          inside01=sum(x >= 0.1 for x in a['inside']), inside05=sum(x >= 0.5 for x in a['inside']),
                          components=len(a['inside']))), flush=True)
