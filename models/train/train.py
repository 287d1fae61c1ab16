"""Trains, exports, checks and evaluates Overread's default lung-nodule model in one command:

    /usr/bin/python3 models/train/train.py --out models/overread-nodule-2d5

1. writes synthetic studies with `overread sample` (fixed seeds; held-out seeds never used for training),
2. trains the 2.5D U-Net (unet.py) on model-grid patches, nodule slices sampled more often,
3. exports ONNX (opset 17, dynamic batch/rows/cols), checks it with onnx.checker and with onnxruntime-node
   (check-onnx.mjs) against PyTorch's output,
4. evaluates on the held-out studies (evaluate.py) and writes model.onnx, model.json, metrics.json and
   MODEL_CARD.md (model_card.py, figures taken from metrics.json).
Everything runs on CPU; seeds are fixed (data, torch, numpy), so the team can retrain the same model. On a
busy machine pass --max-minutes: training then stops at the cap (the steps done are recorded in model.json
and the card) and the learning-rate schedule follows the cap, so a capped run still anneals; a capped run is
reproducible only up to where the cap fell. --reuse-checkpoint exports and evaluates the last run again;
--checkpoint PATH --trained-on WHERE does the same for weights trained elsewhere (a lent GPU running
explore/variant.py, which is this sampler, loss and schedule), recording where in model.json and the card.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import evaluate  # noqa: E402
from model_card import write_card  # noqa: E402
from sample_data import REPO, channel_offsets, generate, load_study, prepare, stack_channels  # noqa: E402
from unet import UNet25D  # noqa: E402
from ort_layout import LAYOUT, ort_layout  # noqa: E402
from quantize import calibrate, quantize, run_graph, transpose_as_depth_to_space  # noqa: E402

# Seven channels 1.5 mm apart (sliceSpacingMm in the manifest): ±4.5 mm of through-plane context whatever the
# series' spacing, sampled finely enough that a 5 mm nodule shows in three channels. v1.2.0 stacked three adjacent
# slices — 1.6 mm of context on a 0.8 mm series — and could not tell a vessel crossing the slice from a nodule
# (its false positives were single-slice vessel cross-sections at p ≈ 1); 1.3.0 had five channels 2 mm apart.
# Tried and not kept: nine channels at 0, ±1.5, ±3, ±6 and ±10 mm (channelOffsetsMm), meant for nodules wider than
# ±4.5 mm that 1.4.0 took for vessels crossing the slice: float network 64 of 81 held-out nodules with a candidate
# at p ≥ 0.1 (1.4.0: 70), int8 sensitivity 0.642 at 1 FP/scan (0.802). Nor a run with base width 16 (as fast as
# 12 in int8, and in PyTorch's training) that also gave the training nodules the model still missed at the mining
# step three times the others' share of positive patches: int8 sensitivity 0.778 at 1 FP/scan, CPM 0.760, study
# AUC 0.928 (1.4.0: 0.802 / 0.778 / 0.982). Eight variants trained on a GPU (models/train/explore, float networks,
# held-out sensitivity at 1 FP/scan): this recipe 0.815, the same with seed 7 0.716, base 16 0.840 (AUC 0.927
# against 0.978), 40 more studies 0.790, 7147 steps 0.802, zoom augmentation 0.728 — the seed moves the result
# more than any of the changes, so compare changes over several seeds before taking one. A second GPU round (24
# held-out studies): averaging three to five seeds' maps found no nodule the best seed missed (0.884 at 8 FP/scan
# either way) but cut false findings at p ≥ 0.5 from 5–11 to 1–1.5 per scan; snapshot ensembles and short pairs
# within the same 6000 steps scored below one full run. A third (all 40 held-out studies, four seeds per variant
# against this recipe's four, 0.605–0.827, mean 0.741): attached, sub-solid and small training nodules drawn
# 2× per property (variant.py --kind-weights 2 2 2) mean 0.673 with far more false findings; nodule pixels
# weighed 3× in the BCE (--pos-weight 3) mean 0.775, 0.753–0.802 — steadier, no higher at best. The best seed
# finds 73 of 81 nodules but its false findings reach p ≈ 1 too: the ranking, not the recall, holds it at 0.827.
CFG = {
    'channels': 7, 'slice_spacing_mm': 1.5, 'target_mm': 1.5, 'multiple': UNet25D.STRIDE, 'window': [-1000, 400],
    'default_threshold': 0.5, 'candidate_threshold': 0.1,
}
# (seed, studies, size): 256 gives ~1.3–1.6 mm pixels, 512 ~0.6–0.8 mm; both resample to 1.5 mm.
# 1.4.0 added seed 303 (64 studies, was 40). A run that also added 24 studies of four nodules each (seed 404)
# scored worse on the held-out set (sensitivity 0.73 at 1 FP/scan against 0.80, 11 false findings per scan at
# p ≥ 0.5 against 6) and was not kept.
TRAIN_SETS = [(101, 24, 256), (202, 16, 512), (303, 24, 256)]
HELDOUT_SETS = [(9001, 10, 512), (9002, 10, 256), (9003, 20, 256)]


def log(*a):
    print(time.strftime('%H:%M:%S'), *a, flush=True)


def load_sets(sets, data_dir):
    studies = []
    for seed, count, size in sets:
        d = os.path.join(data_dir, f'seed{seed}-n{count}-s{size}')
        generate(d, count, seed, size)
        for name in sorted(n for n in os.listdir(d) if n.startswith('study-')):
            studies.append(load_study(os.path.join(d, name)))
    return studies


def vessel_voxels(image, labels, rng, keep=20000):
    """Bright voxels (HU above about -370) whose 11×11 in-plane neighbourhood is mostly lung: vessel cross-sections
    and branch points — the look-alikes v1.2.0 flagged at p ≈ 1 — away from any nodule (label dilated 3 voxels)."""
    img = image.astype(np.float32)
    lungish = ndimage.uniform_filter((img < 0.3).astype(np.float32), size=(1, 11, 11)) >= 0.5
    near_nodule = ndimage.binary_dilation(labels > 0.5, iterations=3)
    found = np.argwhere((img > 0.45) & lungish & ~near_nodule)
    if len(found) > keep:
        found = found[rng.choice(len(found), keep, replace=False)]
    return found


# Each batch slot's kind, in order; a batch of 16 takes the list once (smaller batches a prefix, larger repeat it).
# Positives: centred near a nodule voxel. 'vessel': a vessel look-alike (above). 'mined': a false positive of
# the model itself, found half-way through training (hard-negative mining; 'vessel' until then). 'lung': any
# lung voxel. 'body': anywhere in the body (chest wall, mediastinum, bone — v1.0.0 never saw those).
SLOTS = ['nodule', 'vessel', 'nodule', 'lung', 'nodule', 'mined', 'nodule', 'body',
         'nodule', 'vessel', 'nodule', 'mined', 'nodule', 'lung', 'vessel', 'body']


class PatchSampler:
    """Random 2.5D patches of the kinds in SLOTS."""

    def __init__(self, prepared, patch, rng):
        self.prepared, self.patch, self.rng = prepared, patch, rng
        # One entry per nodule, each picked equally often: picking a voxel of a study (v1.2.0, 1.3.0 in
        # development) drew a 25 mm nodule ~100× as often as a 6 mm one, and the model never learned small
        # nodules — p ≈ 0 on most 5–10 mm nodules, in training studies too.
        self.positives = []
        for s, (_, lab, _) in enumerate(prepared):
            components, count = ndimage.label(lab > 0.5)
            for voxels in ndimage.value_indices(components, ignore_value=0).values():
                self.positives.append((s, np.stack(voxels, axis=1)))
        self.vessels = [(s, vessel_voxels(img, lab, rng)) for s, (img, lab, _) in enumerate(prepared)]
        self.vessels = [(s, v) for s, v in self.vessels if len(v)]
        self.mined = []  # (study, k, r, c) of the model's own false positives, once mine() has run
        self.positive_p = None  # how often each entry of self.positives is drawn (None: equally)

    def crop(self, s, k, r, c):
        """The patch centred on (r, c) of slice k; outside the slice is 0 (the window's low end) in x and y."""
        image, labels, offsets = self.prepared[s]
        size, (rows, cols) = self.patch, image.shape[1:]
        r0, c0 = r - size // 2, c - size // 2
        rs, cs = slice(max(r0, 0), min(r0 + size, rows)), slice(max(c0, 0), min(c0 + size, cols))
        x = np.zeros((CFG['channels'], size, size), np.float32)
        y = np.zeros((1, size, size), np.float32)
        inside = (slice(None), slice(rs.start - r0, rs.stop - r0), slice(cs.start - c0, cs.stop - c0))
        x[inside] = stack_channels(image, k, offsets, (rs, cs))
        y[inside] = labels[k, rs, cs] > 0.5
        return x, y

    def pick(self, pool):
        s, voxels = pool[self.rng.integers(len(pool))]
        return (s, *voxels[self.rng.integers(len(voxels))])

    def mine(self, model, every=4, threshold=0.5, keep=4000):
        """Runs the model on every `every`-th slice of each training study and keeps voxels of p ≥ threshold away
        from any nodule: the negatives it currently gets most wrong."""
        from evaluate import predict_volume
        found = []
        for s, (image, labels, offsets) in enumerate(self.prepared):
            ks = np.arange(0, image.shape[0], every)
            prob = predict_volume(model, image, offsets, slices=ks)
            near = ndimage.binary_dilation(labels[ks] > 0.5, iterations=3)
            for i, r, c in np.argwhere((prob >= threshold) & ~near):
                found.append((s, int(ks[i]), int(r), int(c)))
        model.train()
        if len(found) > keep:
            found = [found[i] for i in self.rng.choice(len(found), keep, replace=False)]
        self.mined = found
        return len(found)

    def batch(self, size):
        xs, ys = [], []
        for b in range(size):
            kind = SLOTS[b % len(SLOTS)]
            if kind == 'mined' and self.mined:
                s, k, r, c = self.mined[self.rng.integers(len(self.mined))]
                jitter = self.rng.integers(-4, 5, size=2)
                r, c = r + jitter[0], c + jitter[1]
            elif kind in ('vessel', 'mined') and self.vessels:
                s, k, r, c = self.pick(self.vessels)
            elif kind == 'nodule' and self.positives:
                if self.positive_p is None:
                    s, k, r, c = self.pick(self.positives)
                else:
                    s, voxels = self.positives[self.rng.choice(len(self.positives), p=self.positive_p)]
                    k, r, c = voxels[self.rng.integers(len(voxels))]
                jitter = self.rng.integers(-self.patch // 3, self.patch // 3 + 1, size=2)
                r, c = r + jitter[0], c + jitter[1]
            else:
                s = self.rng.integers(len(self.prepared))
                image = self.prepared[s][0]
                lo, hi = (0.02, 0.3) if kind == 'lung' else (0.02, 1.01)
                for _ in range(10):
                    k, r, c = (self.rng.integers(n) for n in image.shape)
                    if lo < image[k, r, c] < hi:
                        break
            x, y = self.crop(s, k, r, c)
            if self.rng.random() < 0.5:  # left-right flip
                x, y = x[:, :, ::-1], y[:, :, ::-1]
            if self.rng.random() < 0.5:  # swap rows and columns: with the flips, all eight in-plane orientations
                x, y = x.transpose(0, 2, 1), y.transpose(0, 2, 1)
            if self.rng.random() < 0.5:  # reverse slice order (head-feet flip of the neighbours)
                x = x[::-1]
            xs.append(np.ascontiguousarray(x))
            ys.append(np.ascontiguousarray(y))
        return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys))


def loss_fn(logits, target, pos_weight=None):
    """BCE plus soft Dice per patch, averaged: a Dice over the whole batch is dominated by the biggest nodule in
    it, so a 6 mm nodule beside a 25 mm one barely moved it. pos_weight (a number) weighs nodule pixels' BCE."""
    bce = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, target, pos_weight=None if pos_weight is None else torch.tensor(pos_weight, device=logits.device))
    p = torch.sigmoid(logits)
    dims = (1, 2, 3)
    dice = 1 - (2 * (p * target).sum(dims) + 1) / (p.sum(dims) + target.sum(dims) + 1)
    return bce + dice.mean()


MAX_LR = 2e-3
MINE_AT = 0.5  # fraction of the run after which the model's own false positives join the negatives


def learning_rate(progress):
    """One-cycle: linear warm-up over the first 10 % of the run, then cosine annealing to 1 % of the peak."""
    if progress < 0.1:
        return MAX_LR * (0.04 + 0.96 * progress / 0.1)
    t = min(1.0, (progress - 0.1) / 0.9)
    return MAX_LR * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * t)))


def train(model, prepared, steps, batch, patch, seed, max_minutes=None, *, sampler=None, device='cpu',
          augment=None, pos_weight=None, cycles=1, on_cycle=None, log_every=25):
    """The recipe's training loop; returns (seconds, steps done). The keywords are for explore/variant.py, which
    trains variants of this recipe on a lent GPU with this same loop: `sampler` one it built itself (from shared
    prepared studies, perhaps with kind weights), `device` where the network lives (batches are moved there, and
    mining runs it through `on_device`), `augment(x, y)` a further augmentation of each batch, `pos_weight`
    loss_fn's, and `cycles` N one-cycle schedules in a row with `on_cycle(cycle, steps_done)` called as each of
    the first N - 1 ends (snapshot ensembles)."""
    sampler = sampler or PatchSampler(prepared, patch, np.random.default_rng(seed))
    opt = torch.optim.AdamW(model.parameters(), lr=MAX_LR, weight_decay=1e-4)
    model.train()
    started, running = time.time(), 0.0
    done, mined, cycles_ended = 0, False, 0
    for step in range(1, steps + 1):
        elapsed = time.time() - started
        if max_minutes and elapsed > max_minutes * 60:
            log(f'time cap of {max_minutes} min reached after {done} steps — stopping early')
            break
        # The schedule follows whichever runs out first, steps or the time cap, so a run stopped by the cap
        # has still annealed its learning rate instead of ending at the peak of a step-based one-cycle.
        progress = max((step - 1) / steps, elapsed / (max_minutes * 60) if max_minutes else 0.0)
        cycle = min(cycles - 1, int(progress * cycles))
        if cycle > cycles_ended:
            on_cycle(cycle, done)
            cycles_ended = cycle
        for group in opt.param_groups:
            group['lr'] = learning_rate(progress * cycles - cycle)
        if not mined and progress >= MINE_AT:
            log(f'hard-negative mining at step {step}: '
                f'{sampler.mine(on_device(model, device))} false-positive voxels kept ({time.time() - started:.0f} s)')
            mined = True
        x, y = sampler.batch(batch)
        x, y = x.to(device), y.to(device)
        if augment:
            x, y = augment(x, y)
        loss = loss_fn(model.logits(x), y, pos_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        done = step
        running = 0.95 * running + 0.05 * loss.item() if step > 1 else loss.item()
        if step % log_every == 0 or step == steps:
            lr = opt.param_groups[0]['lr']
            log(f'step {step}/{steps} loss {running:.4f} lr {lr:.2e} ({time.time() - started:.0f} s)')
    return time.time() - started, done


class DeviceNetwork:
    """A network on another device behind evaluate.py's model(x) interface: CPU tensors in and out."""

    def __init__(self, model, device):
        self.model, self.device = model, device

    def __call__(self, x):
        return self.model(x.to(self.device)).float().cpu()

    def eval(self):
        self.model.eval()
        return self

    def train(self):
        self.model.train()
        return self


def on_device(model, device):
    return model if device == 'cpu' else DeviceNetwork(model, device)


def check_in_onnxruntime(path, probe, expected, check_dir, tolerance=1e-4):
    """check-onnx.mjs: onnxruntime-node (the runtime Overread ships) on `probe` must give `expected` within
    `tolerance`."""
    os.makedirs(check_dir, exist_ok=True)
    probe.numpy().astype('<f4').tofile(os.path.join(check_dir, 'input.f32'))
    expected.numpy().astype('<f4').tofile(os.path.join(check_dir, 'expected.f32'))
    json.dump({'input': list(probe.shape), 'output': list(expected.shape)},
              open(os.path.join(check_dir, 'shapes.json'), 'w'))
    subprocess.run(['node', os.path.join(os.path.dirname(__file__), 'check-onnx.mjs'), path, check_dir,
                    str(tolerance)], check=True, cwd=REPO)


def calibration_batches(prepared, rng, random_slices=16, size=4):
    """Whole training slices that quantize.calibrate takes activation ranges from: the middle slice of every
    training nodule, then `random_slices` random slices, in batches of `size` (the first batch is the export's
    probe). Every nodule, not a few random slices through some: 1.4.0 calibrated on 28 random slices (half through
    a nodule) and its deepest activations on a 27 mm solid nodule reached twice the calibrated range, where int8
    clips — that nodule scored p 0.08 in int8 against 1.0 in float (held-out seed 9003, study 20)."""
    picks = []
    for s, (image, labels, offsets) in enumerate(prepared):
        components, _ = ndimage.label(labels > 0.5)
        for k, _, _ in ndimage.center_of_mass(labels > 0.5, components, range(1, components.max() + 1)):
            picks.append((s, int(round(k))))
    for _ in range(random_slices):
        s = int(rng.integers(len(prepared)))
        picks.append((s, int(rng.integers(prepared[s][0].shape[0]))))
    order = rng.permutation(len(picks))
    slices = [stack_channels(prepared[picks[i][0]][0], picks[i][1], prepared[picks[i][0]][2]) for i in order]
    # Studies differ in size (256² and 512² series): a batch holds slices of one shape.
    by_shape = {}
    for x in slices:
        by_shape.setdefault(x.shape, []).append(x)
    return [torch.from_numpy(np.stack(group[i:i + size])) for group in by_shape.values()
            for i in range(0, len(group), size)]


def export(model, out_dir, work_dir, calibration):
    """Exports the float network, checks it, quantizes it to int8 (quantize.py) and checks that: writes
    <out_dir>/model.onnx (int8, what ships) and <work_dir>/model-float.onnx. Returns (path, the int8 graph,
    quantization facts)."""
    model.eval()
    os.makedirs(work_dir, exist_ok=True)
    float_path = os.path.join(work_dir, 'model-float.onnx')
    example = torch.rand(2, CFG['channels'], 72, 88)
    torch.onnx.export(model, example, float_path, opset_version=17, input_names=['image'],
                      output_names=['probability'],
                      dynamic_axes={'image': {0: 'batch', 2: 'rows', 3: 'cols'},
                                    'probability': {0: 'batch', 2: 'rows', 3: 'cols'}})
    import onnx
    onnx.checker.check_model(onnx.load(float_path), full_check=True)
    # Real slices (a different shape from the export example, to prove the dynamic axes work in onnxruntime).
    probe = calibration[0][:3]
    with torch.no_grad():
        check_in_onnxruntime(float_path, probe, model(probe), os.path.join(work_dir, 'check-float'))
    graph = transpose_as_depth_to_space(onnx.load(float_path))
    highs = calibrate(graph, calibration[1:])
    # ort_layout: the same computation in the channel counts and layout onnxruntime runs fastest, and on CPUs
    # without VNNI without overflowing its 16-bit pair sums (its docstring).
    quantized = ort_layout(quantize(graph, highs))
    path = os.path.join(out_dir, 'model.onnx')
    onnx.save(quantized, path)
    with torch.no_grad():
        simulated = run_graph(quantized, probe)
        float_out = model(probe)
    # onnxruntime's int8 kernels must compute what the simulation (and so the evaluation) computes, up to an
    # intermediate value landing one level apart now and then (onnxruntime rescales the int32 accumulator with a
    # float multiplier, the simulation dequantizes and quantizes again): 1e-2 on the probability. The probe
    # slices pass through nodules, whose edge pixels sit near p = 0.5 where the sigmoid is steepest, and ranges
    # wide enough for every training nodule make one level a coarser step (1.4.1: 6.8e-3; 1.4.0, calibrated on
    # fewer slices and probed on random ones, kept within 1e-3).
    check_in_onnxruntime(path, probe, simulated, os.path.join(work_dir, 'check-int8'), tolerance=1e-2)
    facts = {'kind': 'static int8 QDQ, s8 weights per output channel, u8 activations',
             'layout': LAYOUT,
             'calibration': f'{sum(len(b) for b in calibration[1:])} training slices, maximum',
             'maxAbsDiffVsFloat': round(float((simulated - float_out).abs().max()), 5),
             'floatBytes': os.path.getsize(float_path), 'int8Bytes': os.path.getsize(path)}
    log(f'quantized: {facts}')
    return path, quantized, facts


class QuantizedNetwork:
    """The shipped int8 graph behind the interface evaluate.py uses (model(x), model.eval()), run by quantize.py's
    interpreter, which check_in_onnxruntime has shown computes what onnxruntime does."""

    def __init__(self, graph):
        self.graph = graph

    def __call__(self, x):
        return run_graph(self.graph, x)

    def eval(self):
        return self

    def train(self):
        return self


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True, help='model folder, e.g. models/overread-nodule-2d5')
    ap.add_argument('--data', default=os.path.join(REPO, 'models', 'train', 'out', 'data'))
    ap.add_argument('--steps', type=int, default=6000)
    ap.add_argument('--max-minutes', type=float, default=None,
                    help='stop training early after this many minutes (the steps done are recorded)')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--patch', type=int, default=64)
    ap.add_argument('--base', type=int, default=12)
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--version', default='1.0.0')
    ap.add_argument('--checkpoint', default=None,
                    help='skip training: export and evaluate this checkpoint instead (e.g. one trained on a lent GPU '
                         'by explore/variant.py, which runs this sampler, loss and schedule); copied to the '
                         "folder's checkpoint so --reuse-checkpoint finds it later")
    ap.add_argument('--trained-on', default='2 shared CPU cores',
                    help='where the weights were trained, for model.json and the card (with --checkpoint)')
    ap.add_argument('--reuse-checkpoint', action='store_true',
                    help='skip training: load models/train/out/checkpoint-<id>.pt (the last run for this --out) '
                         'and export and evaluate it again')
    ap.add_argument('--smoke', action='store_true', help='2 studies per set, for shaking out bugs')
    ap.add_argument('--compare-float', action='store_true',
                    help='also evaluate the float network (the card then shows what quantization cost; ~7 min)')
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)  # the checks run node from the repository root
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    limit = 2 if args.smoke else None
    train_sets = [(seed, min(n, limit or n), size) for seed, n, size in TRAIN_SETS]
    heldout_sets = [(seed, min(n, limit or n), size) for seed, n, size in HELDOUT_SETS]

    t0 = time.time()
    train_studies = load_sets(train_sets, args.data)
    prepared = []
    for st in train_studies:
        image, labels, _ = prepare(st, CFG['target_mm'], CFG['multiple'], CFG['window'])
        prepared.append((image.astype(np.float16), labels.astype(np.float16), channel_offsets(CFG, st.spacing[2])))
    spacing = [st.spacing for st in train_studies]
    hu = [(float(st.hu.min()), float(st.hu.max())) for st in train_studies]
    del train_studies
    log(f'{len(prepared)} training studies ready ({time.time() - t0:.0f} s)')

    model = UNet25D(CFG['channels'], args.base)
    # One checkpoint per model folder (and smoke runs apart), so a smoke run never replaces a real one.
    out_dir = os.path.join(REPO, 'models', 'train', 'out')
    os.makedirs(out_dir, exist_ok=True)
    name = os.path.basename(os.path.normpath(args.out)) + ('-smoke' if args.smoke else '')
    checkpoint = os.path.join(out_dir, f'checkpoint-{name}.pt')
    if args.checkpoint:
        saved = torch.load(args.checkpoint, map_location='cpu')
        args.base = saved['model']['down.0.0.weight'].shape[0]
        model = UNet25D(CFG['channels'], args.base)
        model.load_state_dict(saved['model'])
        seconds, steps_done = saved['seconds'], saved['steps']
        torch.save({'model': model.state_dict(), 'seconds': seconds, 'steps': steps_done}, checkpoint)
    elif args.reuse_checkpoint:  # export/evaluate again without retraining (e.g. after an evaluation fix)
        if not os.path.exists(checkpoint):
            sys.exit(f'--reuse-checkpoint: {checkpoint} does not exist — train once without the flag first')
        saved = torch.load(checkpoint)
        model.load_state_dict(saved['model'])
        seconds, steps_done = saved['seconds'], saved['steps']
    else:
        seconds, steps_done = train(model, prepared, args.steps, args.batch, args.patch, args.seed,
                                    args.max_minutes)
        torch.save({'model': model.state_dict(), 'seconds': seconds, 'steps': steps_done}, checkpoint)
    calibration = calibration_batches(prepared, np.random.default_rng(args.seed + 1))
    del prepared
    # One tolerance for every run: a --smoke run's 30-step network missed 1e-2 (2.2e-2) only while the image's
    # convolution overflowed onnxruntime's 16-bit pair sums on CPUs without VNNI (ort_layout.py, rewrite 3); now
    # 5.6e-3 on such a CPU.
    path, quantized, quantization = export(model, args.out, os.path.join(out_dir, name), calibration)
    sha = hashlib.sha256(open(path, 'rb').read()).hexdigest()

    heldout = load_sets(heldout_sets, args.data)
    # What ships is the int8 graph, so that is what the card's figures measure; the float network's figures are
    # kept beside them to show what quantization cost.
    metrics = evaluate(QuantizedNetwork(quantized), heldout, CFG, log)
    if args.compare_float:
        started = time.time()
        float_metrics = evaluate(model, heldout, CFG, log)
        metrics['float'] = {k: float_metrics[k] for k in ('sensitivityAt1FpPerScan', 'cpm', 'studyAuc')}
        metrics['float']['atDefaultThreshold'] = {k: float_metrics['atDefaultThreshold'][k]
                                                  for k in ('sensitivity', 'falsePositivesPerScan')}
        metrics['float']['evaluationMinutes'] = round((time.time() - started) / 60, 1)
    metrics['quantization'] = quantization
    metrics['trainingSeconds'] = round(seconds)
    metrics['trainingSteps'] = steps_done
    metrics['heldoutSeeds'] = [dict(seed=s, studies=n, size=z) for s, n, z in heldout_sets]
    json.dump(metrics, open(os.path.join(args.out, 'metrics.json'), 'w'), indent=2)
    log(json.dumps({k: v for k, v in metrics.items() if k != 'atDefaultThreshold'}))

    input_spec = {'name': 'image', 'channels': CFG['channels'], 'pixelSpacingMm': CFG['target_mm'],
                  'sizeMultiple': CFG['multiple'], 'normalization': {'kind': 'window', 'window': CFG['window']}}
    for key, name in (('slice_spacing_mm', 'sliceSpacingMm'), ('channel_offsets_mm', 'channelOffsetsMm')):
        if CFG.get(key):
            input_spec[name] = CFG[key]
    manifest = {
        'id': os.path.basename(os.path.normpath(args.out)),
        'version': args.version,
        'sha256': sha,
        'file': 'model.onnx',
        'modality': 'CT',
        'bodyPart': 'CHEST',
        'description': '2.5D U-Net for lung nodules, trained on synthetic `overread sample` phantoms only — '
                       'research and demonstration, not diagnosis',
        'input': input_spec,
        'output': {'name': 'probability', 'labels': ['nodule'], 'activation': 'sigmoid',
                   'activationInGraph': True},
        'defaultThreshold': CFG['default_threshold'],
        'minFinding': {'diameterMm': 3},
        'trainingRanges': {
            'pixelSpacingMm': [round(min(s[0] for s in spacing), 3), round(max(s[0] for s in spacing), 3)],
            'sliceThicknessMm': [round(min(s[2] for s in spacing), 3), round(max(s[2] for s in spacing), 3)],
            'intensity': [min(h[0] for h in hu), max(h[1] for h in hu)],
        },
        'training': {
            'recipe': 'models/train/train.py',
            'data': 'synthetic chest CT from `overread sample`',
            'trainSeeds': [dict(seed=s, studies=n, size=z) for s, n, z in train_sets],
            'heldoutSeeds': metrics['heldoutSeeds'],
            'steps': steps_done, 'plannedSteps': args.steps, 'batch': args.batch, 'patch': args.patch, 'baseWidth': args.base,
            'torchSeed': args.seed, 'trainedOn': args.trained_on, 'smoke': args.smoke,
            'quantization': quantization,
            'heldout': {'sensitivityAt1FpPerScan': metrics['sensitivityAt1FpPerScan'], 'cpm': metrics['cpm'],
                        'studyAuc': metrics['studyAuc']},
        },
    }
    json.dump(manifest, open(os.path.join(args.out, 'model.json'), 'w'), indent=2)
    # A --reuse-checkpoint run did not train, so its wall time says nothing about the recipe.
    card = write_card(args.out, None if args.reuse_checkpoint or args.checkpoint else (time.time() - t0) / 60)
    log(f'wrote {card}')
    log(f'wrote {args.out} (model.onnx {os.path.getsize(path) / 1e6:.2f} MB, sha256 {sha[:12]}…)')


if __name__ == '__main__':
    main()
