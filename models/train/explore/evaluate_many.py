"""Float held-out evaluation of several checkpoints at once, on this machine's CPU (each held-out study loaded and
prepared once, every network run on it): the evaluation the device could not finish (run.sh).
    /usr/bin/python3 models/train/explore/evaluate_many.py A.pt B.pt …   (one JSON line per checkpoint)
SETS="8001,16,256 8002,8,512" evaluates on those (seed, studies, size) sets instead of train.py's HELDOUT_SETS:
a validation set, for choosing among networks without looking at the held-out studies."""
import sys, os, json, time, numpy as np, torch
from scipy import ndimage
TRAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, TRAIN)
from train import CFG, HELDOUT_SETS, load_sets
from evaluate import predict_volume, candidates, match, shown_at, summary
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
sets = [tuple(int(v) for v in spec.split(',')) for spec in os.environ['SETS'].split()] if os.environ.get('SETS') \
    else HELDOUT_SETS
studies = load_sets(sets, os.path.join(TRAIN, 'out', 'data'))
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
    figures = summary(a['per_scan'], a['scores'], positives, a['tp'], a['fp'])
    print(json.dumps(dict(name=n, **figures,
                          inside01=sum(x >= 0.1 for x in a['inside']), inside05=sum(x >= 0.5 for x in a['inside']),
                          components=len(a['inside']))), flush=True)
