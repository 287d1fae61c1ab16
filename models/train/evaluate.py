"""Held-out evaluation: per-scan probability maps → 3D candidates → FROC / CPM, and study-level AUC.

Candidates: threshold the model-grid probability volume, 3D connected components (scipy.ndimage.label, 26-
connected), score = max probability, centre = probability-weighted centroid mapped back to patient (LPS) mm.
A candidate hits a truth nodule when its centre lies within max(radius, 5 mm) of the nodule's centre.
Nodules under 4 mm are "ignored" (LUNA16 style): candidates on them count neither as hits nor as false positives.
"""
import numpy as np
import torch
from scipy import ndimage

from sample_data import channel_offsets, model_to_series_index, prepare, stack_channels

FP_RATES = [0.125, 0.25, 0.5, 1, 2, 4, 8]


@torch.no_grad()
def predict_volume(model, image, offsets, batch=8, slices=None):
    """Probability for each slice in `slices` (default: all), stacked in that order."""
    model.eval()
    slices = np.arange(image.shape[0]) if slices is None else np.asarray(slices)
    out = np.zeros((len(slices),) + image.shape[1:], dtype=np.float32)
    for start in range(0, len(slices), batch):
        ks = slices[start:start + batch]
        x = torch.from_numpy(np.stack([stack_channels(image, k, offsets) for k in ks]))
        out[start:start + len(ks)] = model(x)[:, 0].numpy()
    return out


def candidates(prob, grid, study, threshold):
    labels, count = ndimage.label(prob >= threshold, structure=np.ones((3, 3, 3)))
    found = []
    if count == 0:
        return found
    index = np.arange(1, count + 1)
    scores = ndimage.maximum(prob, labels, index)
    centres = ndimage.center_of_mass(prob, labels, index)
    for score, (k, r, c) in zip(scores, centres):
        found.append((float(score), model_to_lps(study, grid, k, r, c)))
    return found


def model_to_lps(study, grid, k, r, c):
    """Patient (LPS, mm) position of model-grid point (slice k, row r, column c)."""
    sx, sy, sz = study.spacing
    i = model_to_series_index(c, grid.scale_col)
    j = model_to_series_index(r, grid.scale_row)
    return study.origin + i * sx * study.direction[0] + j * sy * study.direction[1] + k * sz * study.direction[2]


def nodule_at(study, grid, voxels):
    """The truth nodule a label component (model-grid voxels, [n, 3]) draws: the one whose centre is nearest the
    component's centroid."""
    lps = model_to_lps(study, grid, *np.asarray(voxels, np.float64).mean(axis=0))
    return min(study.nodules, key=lambda n: float(np.linalg.norm(lps - np.array(n['centre']))))


def match(found, nodules, min_mm=4.0, radius_floor_mm=5.0):
    """Per candidate: index of the counted nodule it hits, -1 for a false positive, -2 for an ignored hit."""
    result = []
    for score, lps in found:
        best, best_d = None, None
        for n, nodule in enumerate(nodules):
            d = float(np.linalg.norm(lps - np.array(nodule['centre'])))
            if d <= max(nodule['diameterMm'] / 2, radius_floor_mm) and (best_d is None or d < best_d):
                best, best_d = n, d
        if best is None:
            result.append((score, -1))
        elif nodules[best]['diameterMm'] < min_mm:
            result.append((score, -2))
        else:
            result.append((score, best))
    return result


def shown_at(prob, grid, study, threshold):
    """What the app shows at `threshold` (components of p ≥ it): the counted nodules hit, and the false findings."""
    shown = match(candidates(prob, grid, study, threshold), study.nodules)
    return {h for _, h in shown if h >= 0}, sum(1 for _, h in shown if h == -1)


def froc(per_scan, min_mm=4.0):
    """per_scan: list of (matched candidates, nodules). Returns sensitivity at each FP rate and the CPM."""
    scans = len(per_scan)
    counted = [(s, n) for s, (_, nodules) in enumerate(per_scan) for n, x in enumerate(nodules)
               if x['diameterMm'] >= min_mm]
    total = len(counted)
    # Every candidate, best first; a nodule counts as found at the score of its best candidate.
    events = sorted(((score, s, hit) for s, (matched, _) in enumerate(per_scan) for score, hit in matched
                     if hit != -2), key=lambda e: -e[0])
    found, fps, curve = set(), 0, [(0.0, 0.0, 1.0)]
    for score, s, hit in events:
        if hit == -1:
            fps += 1
        else:
            found.add((s, hit))
        curve.append((fps / scans, len(found) / max(total, 1), score))
    sens = {}
    for rate in FP_RATES:
        ok = [c for c in curve if c[0] <= rate]
        sens[str(rate)] = ok[-1][1] if ok else 0.0
    return sens, float(np.mean(list(sens.values()))), total, curve


def auc(scores, positives):
    pos = [s for s, p in zip(scores, positives) if p]
    neg = [s for s, p in zip(scores, positives) if not p]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def summary(per_scan, tops, positives, tp, fp):
    """One network's held-out figures, rounded for a report line: sensitivity at 1 and 8 FP/scan, CPM, study AUC
    of `tops` (each scan's highest probability), and the hits / false findings shown at the default threshold."""
    sens, cpm, total, _ = froc(per_scan)
    return dict(sens1=round(sens['1'], 3), sens8=round(sens['8'], 3), cpm=round(cpm, 3),
                auc=round(auc(tops, positives), 3), at05=round(tp / total, 3), fp05=round(fp / len(per_scan), 2))


def evaluate(model, studies, cfg, log=print, second_look=None):
    """Held-out figures of `model`; with `second_look` (a manifest's), of its map after the app's second look."""
    per_scan, scores, positives, at_default, default_hits = [], [], [], {'tp': 0, 'fp': 0}, []
    for study in studies:
        image, _, grid = prepare(study, cfg['target_mm'], cfg['multiple'], cfg['window'])
        prob = predict_volume(model, image, channel_offsets(cfg, study.spacing[2]))
        if second_look:
            from candidate_features import apply_second_look  # it imports this module
            prob = apply_second_look(prob, image, grid, study, second_look, cfg['window'])
        found = candidates(prob, grid, study, cfg['candidate_threshold'])
        matched = match(found, study.nodules)
        per_scan.append((matched, study.nodules))
        # The app scores a series by its highest probability at full precision (the model process reports it;
        # the stored map is bytes, p × 255, where 0.998 and 1.0 tie): that is the worklist's AUC. The AUC of the
        # bytes' maximum is kept beside (ties count half), as v1.2.0 was scored.
        scores.append(float(prob.max()))
        positives.append(len(study.nodules) > 0)
        # What the app shows: components of p ≥ the default threshold (not the p ≥ 0.1 candidates above, which
        # can merge a nodule with neighbouring tissue into one blob whose centre lies elsewhere).
        hits, false_findings = shown_at(prob, grid, study, cfg['default_threshold'])
        at_default['tp'] += len(hits)
        at_default['fp'] += false_findings
        default_hits.append(hits)
        log(f'eval {study.name}: {len(study.nodules)} nodules, {len(found)} candidates, max p {prob.max():.3f}')
    sens, cpm, total, _ = froc(per_scan)
    n_scans = len(studies)
    missed = [dict(scan=studies[s].name, diameterMm=n['diameterMm'], type=n['type'], attached=n['attached'])
              for s, (matched, nodules) in enumerate(per_scan) for i, n in enumerate(nodules)
              if n['diameterMm'] >= 4 and i not in default_hits[s]]
    return {
        'scans': n_scans,
        'scansWithNodules': int(sum(positives)),
        'nodulesAtLeast4mm': total,
        'nodulesUnder4mm': int(sum(1 for _, ns in per_scan for n in ns if n['diameterMm'] < 4)),
        'sensitivityAtFpPerScan': sens,
        'sensitivityAt1FpPerScan': sens['1'],
        'cpm': cpm,
        'studyAuc': auc(scores, positives),
        'studyAucBytes': auc([round(s * 255) / 255 for s in scores], positives),
        'atDefaultThreshold': {
            'threshold': cfg['default_threshold'],
            'method': 'components of p >= threshold',
            'sensitivity': at_default['tp'] / max(total, 1),
            'falsePositivesPerScan': at_default['fp'] / max(n_scans, 1),
            'missedNodulesAtLeast4mm': missed,
        },
    }
