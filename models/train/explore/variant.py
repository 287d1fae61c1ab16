"""Device exploration (run.sh), stage 2: one training variant — train.py's own loop (train.train: its sampler, loss,
schedule and mining), on the GPU when there is one — from prepare_shared.py's studies, then its float network on the held-out studies:
evaluate.py's FROC/CPM/AUC, the app's operating points (components at each of $THRESHOLDS) and how many nodule
components reach p 0.1 / 0.5. Writes /tmp/res/<name>.json and, when it trained, /tmp/res/<name>.pt.
--zoom Z adds an in-plane zoom augmentation (log-uniform in [1/(1+Z), 1+Z]) that train.py does not have."""
import argparse, json, os, pickle, sys, time
import numpy as np, torch
sys.path.insert(0, os.environ['TRAIN_DIR'])
import train as T
if os.environ.get('TARGET_MM'):  # run.sh RES=1: another in-plane resolution (prepare_shared.py used it too)
    T.CFG['target_mm'] = float(os.environ['TARGET_MM'])
from evaluate import candidates, match, froc, auc, predict_volume, shown_at, nodule_at
from sample_data import channel_offsets
from unet import UNet25D
from scipy import ndimage

DEV = 'cuda' if torch.cuda.is_available() else 'cpu'
SHM = os.environ.get('SHM', '/tmp/or')
ap = argparse.ArgumentParser()
ap.add_argument('--name', required=True)
ap.add_argument('--train', nargs='+', required=True)   # set seeds as prepared: seed101 seed202 …
ap.add_argument('--heldout', nargs='+', required=True)
ap.add_argument('--steps', type=int, default=6000)
ap.add_argument('--base', type=int, default=12)
ap.add_argument('--seed', type=int, default=1234)
ap.add_argument('--zoom', type=float, default=0)        # log-uniform in-plane zoom in [1/(1+z), 1+z]
ap.add_argument('--max-minutes', type=float, default=None)
ap.add_argument('--limit', type=int, default=None)
ap.add_argument('--checkpoint', default=None)
ap.add_argument('--cycles', type=int, default=1)       # N warm-up + cosine cycles, a snapshot saved after each
ap.add_argument('--no-eval', action='store_true')      # train only (ensemble_eval.py evaluates)
# Positives drawn by kind: each training nodule's share × ATTACHED if it touches a vessel or the pleura, × SUBSOLID
# if ground-glass or part-solid, × SMALL if under 10 mm (the kinds every seed misses), e.g. --kind-weights 2 2 2.
ap.add_argument('--kind-weights', type=float, nargs=3, default=None, metavar=('ATTACHED', 'SUBSOLID', 'SMALL'))
ap.add_argument('--pos-weight', type=float, default=None)  # BCE weight of nodule pixels (train.loss_fn)
ap.add_argument('--patch', type=int, default=64)        # training patch side (train.py --patch); not with --zoom
args = ap.parse_args()
torch.set_num_threads(2)
torch.manual_seed(args.seed)
np.random.seed(args.seed)
torch.backends.cudnn.benchmark = True
t0 = time.time()


def load(sets):
    out = []
    for tag in sorted(os.listdir(SHM)):
        if tag.endswith('.pkl') and tag.split('-')[0] in sets:
            base = os.path.join(SHM, tag[:-4])
            pk = pickle.load(open(base + '.pkl', 'rb'))
            out.append((np.load(base + '-img.npy', mmap_mode='r'), np.load(base + '-lab.npy', mmap_mode='r'), pk))
    return out[:args.limit] if args.limit else out


train_data = load(args.train) if not args.checkpoint else []
prepared = [(img, lab, channel_offsets(T.CFG, pk['meta']['spacing'][2])) for img, lab, pk in train_data]
rng = np.random.default_rng(args.seed)
sampler = T.PatchSampler.__new__(T.PatchSampler)
patch = round(64 * (1 + args.zoom)) if args.zoom else args.patch
sampler.prepared, sampler.patch, sampler.rng, sampler.mined = prepared, patch, rng, []
sampler.positives = [(s, p) for s, (_, _, pk) in enumerate(train_data) for p in pk['positives']]
sampler.vessels = [(s, pk['vessels']) for s, (_, _, pk) in enumerate(train_data) if len(pk['vessels'])]
sampler.positive_p = None


class S:  # the Study fields candidates/match/nodule_at read
    def __init__(self, m): self.__dict__.update(m)


if args.kind_weights:
    attached, subsolid, small = args.kind_weights
    shares = []
    for s, voxels in sampler.positives:
        meta = S(train_data[s][2]['meta'])
        n = nodule_at(meta, meta.grid, voxels)
        shares.append((attached if n['attached'] != 'none' else 1) * (subsolid if n['type'] != 'solid' else 1)
                      * (small if n['diameterMm'] < 10 else 1))
    sampler.positive_p = np.array(shares) / sum(shares)
    print(args.name, 'positive shares', {w: shares.count(w) for w in sorted(set(shares))}, flush=True)


def zoom(x, y):
    out_x, out_y = [], []
    for b in range(x.shape[0]):
        z = float(np.exp(rng.uniform(-np.log(1 + args.zoom), np.log(1 + args.zoom))))
        s = min(x.shape[-1], max(8, round(64 / z)))
        o = (x.shape[-1] - s) // 2
        xb = x[b:b + 1, :, o:o + s, o:o + s]
        yb = y[b:b + 1, :, o:o + s, o:o + s]
        out_x.append(torch.nn.functional.interpolate(xb, size=(64, 64), mode='bilinear', align_corners=False))
        out_y.append((torch.nn.functional.interpolate(yb, size=(64, 64), mode='bilinear', align_corners=False) > 0.5).float())
    return torch.cat(out_x), torch.cat(out_y)


model = UNet25D(T.CFG['channels'], args.base).to(DEV)
dev = T.on_device(model, DEV)
os.makedirs('/tmp/res', exist_ok=True)
started = time.time()


def snapshot(tag, steps):
    torch.save({'model': {k: v.cpu() for k, v in model.state_dict().items()}, 'seconds': time.time() - started,
                'steps': steps}, f'/tmp/res/{args.name}{"-" + tag if tag else ""}.pt')


if args.checkpoint:
    saved = torch.load(args.checkpoint, map_location=DEV)
    model.load_state_dict(saved['model'])
    done, train_s = saved['steps'], 0.0
else:
    # train.py's own loop (sampler, loss, schedule, mining), on DEV, with the optional zoom and snapshot cycles.
    train_s, done = T.train(model, prepared, args.steps, 16, patch, args.seed, args.max_minutes, sampler=sampler,
                            device=DEV, augment=zoom if args.zoom else None, pos_weight=args.pos_weight,
                            cycles=args.cycles, on_cycle=lambda cycle, steps: snapshot(f'c{cycle}', steps),
                            log_every=500)
    snapshot(f'c{args.cycles}' if args.cycles > 1 else '', done)
if args.no_eval:
    print('RESULT', json.dumps(dict(name=args.name, steps=done, trainSeconds=round(train_s))), flush=True)
    sys.exit(0)

# ---- held-out, float -------------------------------------------------------------------------------------
model.eval()


per_scan, scores, positives, ops, inside_max = [], [], [], {}, []
THRESHOLDS = [float(t) for t in os.environ.get('THRESHOLDS', '0.3 0.5 0.7 0.9').split()]
for img, lab, pk in load(args.heldout):
    st = S(pk['meta'])
    prob = predict_volume(dev, img, channel_offsets(T.CFG, st.spacing[2]), batch=32)
    matched = match(candidates(prob, st.grid, st, T.CFG['candidate_threshold']), st.nodules)
    per_scan.append((matched, st.nodules))
    scores.append(float(prob.max()))
    positives.append(len(st.nodules) > 0)
    for t in THRESHOLDS:
        hits, false_findings = shown_at(prob, st.grid, st, t)
        o = ops.setdefault(str(t), {'tp': 0, 'fp': 0})
        o['tp'] += len(hits)
        o['fp'] += false_findings
    comps, count = ndimage.label(np.asarray(lab) > 0.5)
    if count:
        inside_max.extend(ndimage.maximum(prob, comps, np.arange(1, count + 1)).tolist())
sens, cpm, total, _ = froc(per_scan)
scans = len(per_scan)
res = dict(name=args.name, args=vars(args), steps=done, trainSeconds=round(train_s), sens=sens, cpm=cpm,
           sens1=sens['1'], auc=auc(scores, positives), nodules=total,
           ops={t: dict(sens=o['tp'] / total, fpPerScan=o['fp'] / scans) for t, o in ops.items()},
           wall=round(time.time() - t0), device=DEV,
           insideMax={str(t): int(sum(m >= t for m in inside_max)) for t in (0.1, 0.5)}, components=len(inside_max))
json.dump(res, open(f'/tmp/res/{args.name}.json', 'w'), indent=1)
print('RESULT', json.dumps({k: res[k] for k in ('name', 'steps', 'sens1', 'cpm', 'auc', 'wall')}), flush=True)
