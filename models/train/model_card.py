"""Writes MODEL_CARD.md for a trained model folder from its model.json and metrics.json, so the card's figures
are always the ones the recipe measured (never typed by hand). Called at the end of train.py; also runs alone:

    /usr/bin/python3 models/train/model_card.py models/overread-nodule-2d5 [--wall-minutes M]
"""
import argparse
import json
import os

FP_RATES = ['0.125', '0.25', '0.5', '1', '2', '4', '8']


def verdict(value, target):
    if value is None:
        return 'not measurable'
    return 'meets' if value >= target else 'MISSES'


HISTORY = """- **1.4.3** — 1.4.2 with the convolution that reads the image split (`ort_layout.py`, rewrite 3), so that
  onnxruntime computes on every x86 CPU what the graph says, and the figures above describe what a reader's machine
  runs. On CPUs without VNNI (AVX2 only: AMD Zen 2 and 3, Intel before Ice Lake — the machine these figures came
  from among them) onnxruntime's int8 kernels add each pair of adjacent input channels' products in 16 bits, and
  adjacent CT slices against 8-bit weights overflow it: there, 1.4.2's probabilities on nodule slices of five
  held-out studies differed from its own int8 graph by up to 0.95, and scored as that CPU ran it (`rescore.py
  --onnxruntime`) 1.4.2 gave sensitivity at 1 FP/scan 0.790, CPM 0.776, study AUC 0.982, at p ≥ 0.5 0.753 with 0.43
  false findings per scan — not the 0.802 / 0.780 / 0.978 / 0.778 / 0.50 its card showed. Now the image is read
  twice and each weight w split into trunc(w / 2) and the rest, one against each copy: the same integer sums, and
  no pair of products above 255 × 128 < 2^15. Scored again (`rescore.py`), the figures above are 1.4.1's and
  1.4.2's to the last digit; as this CPU runs it, the same figures (0.802 / 0.780 / 0.978, at p ≥ 0.5 0.778 with
  0.50 false findings per scan). The split convolution reads 16 channels, which moves it from im2col + GEMM to
  onnxruntime's symmetric kernel, so twice the multiply-adds cost no time: bare session.run on 4 × 240² slices, 1
  thread, both files in one process (three rounds of 30), 1.4.2 min 109–115 ms, median 149–150 ms; 1.4.3 min
  112–113 ms, median 146–147 ms. Tried first and not kept: 7-bit weights for that convolution (onnxruntime's
  reduce_range), just as unsaturated, but a different model — same sensitivity at 1 FP/scan, 0.827 at 2–8 FP/scan,
  yet 0.78 false findings per scan at p ≥ 0.5 instead of 0.50 and a 27 mm nodule lost there.
- **1.4.2** — 1.4.1's int8 graph laid out for onnxruntime by `ort_layout.py` (now the last step of
  the recipe's export): the four 12-channel full-resolution convolutions padded with zero channels to 16, so
  onnxruntime runs three of them on its fast int8 convolution kernel instead of im2col + a general GEMM (the
  first, which reads the 7-channel image, stays there; see the end of this entry), and each DepthToSpace written
  as channels-last Transposes and Reshapes, so the whole network stays channels-last (11 Transposes → 5: one in,
  one out, and each upsampling's own byte move). The same computation: through the app's pipeline the probability
  map of a generated study is 1.4.1's voxel for voxel (`tests/inference/ort-layout.test.ts`, which also rebuilds
  this file from 1.4.1's byte for byte), so every figure below is 1.4.1's; 1.4.2 itself, scored on the 40 held-out
  studies (`explore/probability_cache.py`, `explore/candidates.py`), gives the same 0.802 at 1 FP/scan and CPM
  0.780. Bare session.run on 4 × 240² slices, 1 thread, both files in one process (2026-11-27, 2 shared AMD EPYC
  cores, three rounds of 30): 1.4.1 min 128–133 ms, median 137–167 ms; 1.4.2 min 103–104 ms, median 108–121 ms (20
  % less at the minimum). Not kept: padding the image to 8 channels as well, which puts the first convolution on
  that kernel too — its 16-bit sums of adjacent channels' products saturate on adjacent CT slices, and 267 voxels
  of that study's map changed.
- **1.4.1** — 1.4.0's weights, quantized again with activation ranges from the middle slice of every training
  nodule (134 slices with 16 random ones) instead of 28 random slices: on a 27 mm solid nodule 1.4.0's deepest
  activations reached twice their calibrated range, int8 clipped them and the nodule scored p 0.08 (float: 1.0;
  held-out seed 9003, study 20) — found now. Held-out int8 against 1.4.0: sensitivity at 1 FP/scan 0.802 (same),
  CPM 0.780 (0.778), study AUC 0.978 (0.982), at p ≥ 0.5 0.778 with 0.50 false findings per scan (0.765 /
  0.50). Int8 still loses faint nodules the float network finds (65 of 81 above p 0.1 against 70): the wider
  ranges coarsen low-contrast activations. Explored on a GPU the same day (`explore/run.sh`, `ENSEMBLE=1`; float
  networks on 24 of the 40 held-out studies, 43 nodules — the device time ran out): five seeds of this recipe
  0.674–0.860 at 1 FP/scan; base width 16, two seeds, 0.837 both (0.860 and 0.930 at 8 FP/scan); the mean of
  three to five seeds' maps 0.837–0.860 and 0.884 at 8 FP/scan, the best single network's — averaging found no
  nodule every seed had missed, though it cut false findings at p ≥ 0.5 from 5–11 to 1.0–1.5 per scan;
  snapshot ensembles (three cycles in the same 6000 steps) 0.674–0.791 and two 3000-step runs averaged 0.791,
  below one full run. The misses are the same few kinds whatever the seed: vessel- and pleura-attached solid
  nodules of 5–8 mm and ground-glass ones. Not kept either: quantization-aware fine-tuning of this network
  (`explore/qat.py`: the float graph run with fake quantization at these ranges, fine-tuned with the recipe's
  sampler and loss, then quantized with the same ranges; int8, 40 studies). 3000 steps at 1e-4: sensitivity at
  1 FP/scan 0.802, CPM 0.792, AUC 0.986 and float-level recall (0.864 at 8 FP/scan) — but 21.6 false findings
  per scan at p ≥ 0.5 (sensitivity 0.864 there); 1500 steps at 3e-5 after mining its own false positives:
  0.778 / 0.783 / 0.964, 9.2 false findings per scan. The faint nodules int8 loses come back only with more
  false findings than even the float network's 6.17 per scan, and the ranking at 1 FP/scan does not improve.
  A third GPU round aimed at those kinds (`explore/run.sh`, `KINDS=1`; float networks, all 40 held-out studies,
  four seeds each beside the recipe's own four, which scored 0.605–0.827 at 1 FP/scan, mean 0.741): drawing
  attached, sub-solid and sub-10 mm training nodules twice as often per property (`--kind-weights 2 2 2`)
  0.642–0.716 (mean 0.673) with 6.6–24.5 false findings per scan at p ≥ 0.5; nodule pixels weighed 3× in the BCE
  (`--pos-weight 3`) 0.753–0.802 (mean 0.775: steadier across seeds, no higher at best). Neither found more of
  those kinds. What limits the float networks is the ranking more than what they find: the best seed (11) has
  a candidate on 73 of the 81 nodules (0.90), 72 of them at p ≥ 0.5, yet scores 0.827 at 1 FP/scan because its
  false findings reach p ≈ 1 too — scoring candidates by more than their peak probability (a false-positive
  reduction stage) is the next lever, for a network quantized without losing that recall. A first try at that
  stage, on the CPU (the device was not lent; `explore/candidate_table.py`, `explore/rescore_fit.py`): a base
  width 16 network trained 26 min on two cores (1326 steps, a fifth of the recipe's; float), every candidate at
  p ≥ 0.05 measured — 15 measurements from the map alone (`candidate_features.py`: peak and mean probability,
  share at p ≥ 0.5, volume, extents, principal axes, confident slices, position) and 5 from the image (mean,
  maximum and spread of HU inside, mean HU in a ring around, the contrast) — and a logistic classifier fitted
  on 40 further studies (seeds 707, 808: 41 nodule and 248 other candidates). Held-out, 40 studies: the peak
  alone 0.543 at 1 FP/scan (0.654 at 8, CPM 0.533); the classifier on all 20 measurements 0.593 (CPM 0.582;
  fitted 5-fold on the held-out studies themselves 0.605, with a 16-unit layer 0.617); on the map's 15 alone
  0.543, no better. What tells this network's false positives apart is in the image, not in the map's shape,
  and the app's `secondLook` now measures all 20 (the ring: below the candidate threshold within 3 mm in-plane,
  the same on the model grid and the series'). On this shipped int8 network, though (run by onnxruntime-node,
  `explore/shipped_table.py`; fitted on seeds 707 and 808), a second look has nothing to gain: even at
  p ≥ 0.004 only 67 of the 81 held-out nodules have a candidate (0.827 at 8 FP/scan), and it already places 65
  of them under 1 FP/scan. Fitted classifiers scored 0.790–0.827 at 1 FP/scan (logistic and 16-unit, all 20
  measurements or 8, candidates from p ≥ 0.004 or 0.02, each capped at its own peak as the app applies it)
  against 0.802 by the peak alone: one nodule either way, noise — so 1.4.3 ships without one. Mirroring the
  slices left–right and averaging the two maps (test-time augmentation) finds 3 more (0.864 at 4–8 FP/scan, CPM
  0.811) but not under 1 FP/scan (0.802), and a second look on those maps did not move it either (0.790–0.827).
  The 14 this network never sees (p < 0.004 throughout): 7 of the 22 vessel-attached nodules, 4 of the 26
  pleura-attached (solid, 5.8–13.4 mm) and 5 of the 21 ground-glass — recall, not ranking, is what a next
  network has to win.
- **1.4.0** — seven channels 1.5 mm apart (was five, 2 mm: a 5 mm nodule now shows in three channels); 64
  training studies (seed 303 added); all eight in-plane orientations (rows and columns swapped half the time);
  training patches cut from the patch's own window instead of stacking whole slices (a batch 0.065 → 0.005 s),
  so 6000 steps fit in 22 min; shipped as int8 (`quantize.py`, QDQ, activation ranges from the calibration
  maximum). Float network on the 40 held-out studies: sensitivity at 1 FP/scan 0.802 (1.3.0: 0.716), CPM
  0.801 (0.688), study AUC 0.975 (0.953), at p ≥ 0.5 sensitivity 0.864 with 6.18 false findings per scan (0.778
  / 5.88). The int8 file keeps the ranking at 1 FP/scan (0.802, AUC 0.982) but its probabilities run lower:
  at p ≥ 0.5 it finds 0.765 with 0.50 false findings per scan, and nothing more above p = 0.1 beyond 1 FP/scan
  (0.802 at 8 FP/scan, float 0.864). Calibrating at the 99.99th percentile instead of the maximum lowered
  sensitivity at p ≥ 0.5 further (0.763 against 0.868 on 20 of the studies). Not kept: a run that also added
  24 studies of four nodules each — sensitivity 0.728 at 1 FP/scan, 11.2 false findings per scan at p ≥ 0.5.
  The training run's own evaluation was of the float network; export, quantization and both evaluations were
  rerun from its checkpoint (`--reuse-checkpoint --compare-float`). Tried since and not kept (int8, same 40
  studies): nine channels at 0, ±1.5, ±3, ±6, ±10 mm (`channelOffsetsMm`), for nodules wider than ±4.5 mm
  that this model takes for vessels crossing the slice — sensitivity 0.642 at 1 FP/scan; base width 16 with
  the nodules still missed at the mining step weighted ×3 — 0.778, CPM 0.760, study AUC 0.928.
  Eight variants trained side by side on a GPU (`models/train/explore`, 2026-11-26; float networks, same 40
  studies, sensitivity at 1 FP/scan / CPM / AUC): this recipe again 0.815 / 0.808 / 0.978 (this model's float
  network 0.802 / 0.801 / 0.975); the same recipe with seed 7 (weights and patches) only 0.716 / 0.690 /
  0.950 — one seed moves sensitivity by a tenth, more than any change tried; base width 16 0.840 / 0.841 /
  0.927 (the best sensitivity, 0.914 at 8 FP/scan, but the worst AUC); 40 more training studies 0.790 /
  0.785 / 0.971;
  9000 steps planned (7147 done before the run's time cap, the schedule annealed to it) 0.802 / 0.750 / 0.946;
  in-plane zoom augmentation (5179 steps) 0.728 / 0.714 / 0.932. A change is only worth shipping once it beats
  the recipe over several seeds.
- **1.3.0** — five channels 2 mm apart (`sliceSpacingMm`) instead of three adjacent slices, so a vessel crossing
  the slice no longer looks like a nodule; negatives centred on vessel look-alikes and, from half-way, on the
  model's own false positives (hard-negative mining); positives drawn per nodule rather than per voxel (drawing
  per voxel, as 1.2.0 did, picks a 25 mm nodule ~100× as often as a 6 mm one: a first 1.3.0 run that still
  did had p ≈ 0 on most 5–10 mm nodules, training ones included); soft Dice per patch, averaged, instead of
  one Dice over the batch (which the biggest nodule in it dominates); 40 training studies (was 28).
  Held-out, now 40 studies / 81 nodules (9003 added: on 20 studies this model scored 0.816 at 1 FP/scan and
  AUC 0.917, and six further generated studies gave only 4 of 13 nodules — 20 studies were too few to
  trust): sensitivity at 1 FP/scan 0.716 (1.2.0: 0.605 on its 20), false findings per scan at p ≥ 0.5 5.88
  (10.65), sensitivity there 0.778 (0.684). The app now ranks series by their full-precision peak
  probability: study AUC 0.953 (on stored bytes it would be 0.651; 1.2.0's was 0.500). A run with one Dice
  over the batch instead of per patch scored 0.711 / AUC 0.952 with 7.40 false findings per scan on the first
  20 studies, against this model's 0.816 / 0.917 / 4.05 there. The evaluation was rerun from this run's
  checkpoint (`--reuse-checkpoint`, same weights, byte-identical model.onnx) after the set was enlarged.
- **1.2.0** — three adjacent slices, negatives a quarter in the lungs and a quarter anywhere in the body."""


def channels_text(spec):
    if spec.get('channelOffsetsMm'):
        offsets = ', '.join(f'{o:g}' for o in spec['channelOffsetsMm'])
        return (f"{spec['channels']} slices at {offsets} mm from the predicted one (interpolated between the "
                "series' own slices)")
    if spec.get('sliceSpacingMm'):
        return (f"{spec['channels']} slices {spec['sliceSpacingMm']} mm apart (interpolated between the series' "
                "own slices)")
    return f"{spec['channels']} adjacent slices"


def sampling_text():
    from train import SLOTS  # the batch composition the recipe actually used
    share = lambda kind: f'{SLOTS.count(kind)}/{len(SLOTS)}'  # noqa: E731
    return (f"{share('nodule')} centred near a nodule voxel, {share('vessel')} on vessel look-alikes in the lungs, "
            f"{share('mined')} on the model's own false positives mined half-way through training, "
            f"{share('lung')} anywhere in the lungs, {share('body')} anywhere in the body")


def export_text(metrics):
    q = metrics.get('quantization')
    if not q:
        return ('The exported ONNX is checked against PyTorch in onnxruntime-node (max abs difference ≤ 1e-4), and '
                "the training preprocessing against the engine's (`models/train/check_preprocessing.py`).")
    f = metrics.get('float')
    float_text = ('' if not f else f""" The float network scored, on the same
studies: sensitivity at 1 FP/scan {f['sensitivityAt1FpPerScan']:.3f}, CPM {f['cpm']:.3f}, study AUC
{f['studyAuc']:.3f}, at the default threshold sensitivity {f['atDefaultThreshold']['sensitivity']:.3f} with
{f['atDefaultThreshold']['falsePositivesPerScan']:.2f} false findings per scan.""")
    layout = ('' if not q.get('layout') else f"""
The int8 graph is then rewritten for onnxruntime's CPU kernels: {q['layout']}.""")
    return f"""The float export is checked against PyTorch in onnxruntime-node (max abs difference ≤ 1e-4), and the
training preprocessing against the engine's (`models/train/check_preprocessing.py`). What ships is that network
quantized to int8 (`models/train/quantize.py`: {q['kind']}; ranges from {q['calibration']}): onnxruntime runs it
as QLinearConv, {q['floatBytes'] / 1e6:.2f} MB → {q['int8Bytes'] / 1e6:.2f} MB.{layout} onnxruntime-node's output for it
is checked against quantize.py's simulation of the int8 graph (≤ 1e-2 on the export's check slices; ≤ 0.1 on a
generated study's nodule slices in `tests/inference/ort-layout.test.ts`, on whatever CPU runs the tests), and
that simulation is what the held-out evaluation below runs, so the figures are those of the shipped file
(largest difference from the float network on the check slices: {q['maxAbsDiffVsFloat']} in probability).{float_text}"""


def render(manifest, metrics, wall_minutes=None):
    t = manifest['training']
    sens = metrics['sensitivityAtFpPerScan']
    at = metrics['atDefaultThreshold']
    auc = metrics['studyAuc']
    train_rows = '\n'.join(f"| {s['seed']} | {s['studies']} | {s['size']}² |" for s in t['trainSeeds'])
    held_rows = '\n'.join(f"| {s['seed']} | {s['studies']} | {s['size']}² |" for s in metrics['heldoutSeeds'])
    missed = at['missedNodulesAtLeast4mm']
    missed_rows = '\n'.join(f"| {m['scan']} | {m['diameterMm']:.1f} | {m['type']} | {m['attached']} |" for m in missed)
    capped = t['steps'] < t['plannedSteps']
    if at.get('method') == 'components of p >= threshold':
        default_note = ('The default-threshold rows count what the app shows: 3D components of p ≥ '
                        f"{at['threshold']} (before the app's minimum finding size).")
    else:  # metrics.json from evaluate.py before it labelled components at the default threshold
        default_note = ('The default-threshold rows count the p ≥ 0.1 candidates whose peak reaches '
                        f"{at['threshold']}, not the app's components at {at['threshold']}: a candidate can merge "
                        'a nodule with neighbouring tissue, so these rows understate what the app finds and '
                        'undercount its false findings (tests/inference/default-model.test.ts prints the '
                        "app's own figures).")
    r = manifest['trainingRanges']
    wall = f', {wall_minutes:.0f} min wall time for the whole recipe' if wall_minutes else ''
    return f"""# Model card: {manifest['id']} {manifest['version']}

**For research and demonstration only — not for diagnosis.** This model has only ever seen synthetic chest CT
phantoms made by `overread sample`. It has never been trained or tested on a real patient's scan, and its
figures below say nothing about how it would do on one. Nothing it flags, or fails to flag, may inform care.

## What it is

A compact 2.5D U-Net (`models/train/unet.py`, base width {t['baseWidth']}, three poolings, BatchNorm, sigmoid in
the graph; `model.onnx`{' (int8)' if metrics.get('quantization') else ''}, {channels_text(manifest['input'])} in as channels, opset 17) that maps
each CT slice, resampled in-plane to {manifest['input']['pixelSpacingMm']} mm and windowed to HU
{manifest['input']['normalization']['window']} → [0, 1], to a per-pixel nodule probability. Overread turns the
probability volume into findings: 3D connected components at p ≥ {manifest['defaultThreshold']} (default
threshold), at least {manifest['minFinding'].get('diameterMm', 0)} mm across.

Intended use: exercising and demonstrating Overread's triage workflow (worklist ranking, finding review,
labelled-dataset export) end to end on a laptop CPU, and a baseline for people who bring their own model.
Not intended for: any clinical use, any real patient data decision, benchmarking against real detectors.

## Training data

Synthetic studies from `overread sample` (fixed seeds; `node bin/overread.js sample DIR --studies N --seed S
--size Z`), read back from the DICOM files with pydicom, labels from each study's `truth-mask.bin.gz`:

| seed | studies | matrix |
|---|---|---|
{train_rows}

Each study: one axial CT series, 150–250 slices, slice spacing and field of view drawn from the seed (in-plane
spacing {r['pixelSpacingMm'][0]}–{r['pixelSpacingMm'][1]} mm, slice spacing {r['sliceThicknessMm'][0]}–
{r['sliceThicknessMm'][1]} mm, values {r['intensity'][0]:.0f}…{r['intensity'][1]:.0f} HU), 0–4 nodules each
(solid, part-solid or ground-glass; free, vessel- or pleura-attached; 3–30 mm). Training: {t['steps']} steps of
batch {t['batch']} random {t['patch']}×{t['patch']} patches ({sampling_text()}), AdamW, one-cycle learning rate, BCE + soft Dice per patch, torch seed {t['torchSeed']}, on {t.get('trainedOn', '2 shared CPU cores')} in
{metrics['trainingSeconds'] / 60:.0f} min{wall}.{' The run stopped at its time cap before the planned '
    + str(t['plannedSteps']) + ' steps (the learning-rate schedule follows the cap, so it still annealed).'
    if capped else ''}

{export_text(metrics)}

## Held-out evaluation

{metrics['scans']} studies generated with seeds never used in training ({metrics['scansWithNodules']} with
nodules, {metrics['scans'] - metrics['scansWithNodules']} without), {metrics['nodulesAtLeast4mm']} nodules ≥ 4 mm
counted ({metrics['nodulesUnder4mm']} smaller ones ignored: a candidate on them is neither a hit nor a false
positive):

| seed | studies | matrix |
|---|---|---|
{held_rows}

Candidates: 3D components of p ≥ 0.1 on the model grid, score = max probability, centre = probability-weighted
centroid; a candidate hits a nodule when its centre lies within max(radius, 5 mm) of the nodule's centre.

| metric | value | target |
|---|---|---|
| lesion sensitivity at 1 FP/scan (nodules ≥ 4 mm) | **{metrics['sensitivityAt1FpPerScan']:.3f}** | ≥ 0.90 ({verdict(metrics['sensitivityAt1FpPerScan'], 0.90)}) |
| CPM (mean sensitivity at 1/8, 1/4, 1/2, 1, 2, 4, 8 FP/scan) | **{metrics['cpm']:.3f}** | — |
| study-level AUC of the series score as the app computes it (the highest probability in the series, full precision; nodule vs none) | **{'n/a' if auc is None else f'{auc:.3f}'}** | ≥ 0.95 ({verdict(auc, 0.95)}) |
| study-level AUC of the highest stored byte (p × 255; how v1.2.0 and earlier ranked the worklist) | {'n/a' if metrics.get('studyAucBytes') is None else f"{metrics['studyAucBytes']:.3f}"} | — |
| at the default threshold {at['threshold']}: sensitivity | {at['sensitivity']:.3f} | — |
| at the default threshold {at['threshold']}: false positives per scan | {at['falsePositivesPerScan']:.2f} | — |

FROC points (sensitivity at FP/scan): {', '.join(f"{k}: {sens[k]:.3f}" for k in FP_RATES)}.

{default_note}

With {metrics['scans']} scans and {metrics['nodulesAtLeast4mm']} nodules these figures are coarse: one nodule
is {1 / max(metrics['nodulesAtLeast4mm'], 1):.3f} of sensitivity. `tests/inference/default-model.test.ts` re-measures
them through Overread's own pipeline on three further held-out studies (tolerance 0.2 on sensitivity, 0.3
on AUC).

## History

{HISTORY}

## Known failure modes

Nodules ≥ 4 mm not found at the default threshold on the held-out set ({len(missed)}):

{'| scan | diameter mm | type | attached |' + chr(10) + '|---|---|---|---|' + chr(10) + missed_rows if missed else '(none)'}

- **Synthetic only.** Real CT has anatomy, reconstruction kernels, noise, motion and pathology (scars,
  consolidation, lymph nodes, calcified granulomas) the phantoms lack; expect many false positives and misses.
- **Small and faint nodules.** At the 1.5 mm model grid a 4–6 mm nodule is 3–4 pixels across; ground-glass and
  small part-solid nodules have the least contrast and are missed first.
- **Attached nodules.** Vessel- and pleura-attached nodules can merge with the structure they touch, or a
  vessel branch point can be flagged.
- **Outside the training ranges** (slice spacing, in-plane spacing, intensity above): the app warns; the
  model still runs, with no measured quality.
- **2.5D context.** {channels_text(manifest['input'])}: on thick-slice series (≥ 2.5 mm) neighbouring
  channels interpolate between few real slices, and near the first/last slice they repeat it.
- **The series score** is the highest probability anywhere (full precision); one bright false positive ranks a
  normal study as high as a nodule, which is what the study AUC above measures.
"""


def write_card(model_dir, wall_minutes=None):
    manifest = json.load(open(os.path.join(model_dir, 'model.json')))
    metrics = json.load(open(os.path.join(model_dir, 'metrics.json')))
    path = os.path.join(model_dir, 'MODEL_CARD.md')
    with open(path, 'w') as f:
        f.write(render(manifest, metrics, wall_minutes))
    return path


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model_dir')
    ap.add_argument('--wall-minutes', type=float, default=None, help='whole-recipe wall time, if measured')
    args = ap.parse_args()
    print(write_card(args.model_dir, args.wall_minutes))
