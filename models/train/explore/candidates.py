"""Candidate extraction compared on cached probability maps (probability_cache.py): which nodules the held-out
FROC misses, and why — no probability near them, or a candidate whose centre lands outside the match radius
because the nodule merged with neighbouring tissue at p >= 0.1 — and the FROC of other ways to turn a map into
candidates.
    /usr/bin/python3 models/train/explore/candidates.py CACHE_DIR"""
import glob
import os
import pickle
import sys

import numpy as np
from scipy import ndimage

TRAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, TRAIN)
from evaluate import froc, match, model_to_lps, nodule_at  # noqa: E402

S26 = np.ones((3, 3, 3))


class Geometry:
    def __init__(self, g):
        self.spacing, self.origin, self.direction, self.nodules = g['spacing'], g['origin'], g['direction'], g['nodules']


def lps(geo, grid, point):
    return model_to_lps(geo, grid, *point)


def baseline(prob, geo, grid, t=0.1):
    labels, count = ndimage.label(prob >= t, structure=S26)
    if not count:
        return []
    index = np.arange(1, count + 1)
    return [(float(s), lps(geo, grid, c)) for s, c in
            zip(ndimage.maximum(prob, labels, index), ndimage.center_of_mass(prob, labels, index))]


def split_tree(prob, geo, grid, levels=(0.1, 0.3, 0.5, 0.7, 0.9), centre='weighted'):
    """Component tree: a component at one level is a candidate unless it holds two or more components at the next
    level, in which case those stand in its place (recursively)."""
    out = []

    def visit(mask_box, offset, li):
        sub = prob[mask_box]
        t = levels[li]
        labels, count = ndimage.label(sub >= t, structure=S26)
        for n, box in enumerate(ndimage.find_objects(labels), start=1):
            region = labels[box] == n
            p = sub[box] * region
            if li + 1 < len(levels):
                inner, inner_count = ndimage.label(p >= levels[li + 1], structure=S26)
                if inner_count >= 2:
                    abs_box = tuple(slice(o + b.start, o + b.stop) for o, b in zip(offset, box))
                    # only the region's own voxels: zero the rest for the recursion
                    visit_region(abs_box, region, li + 1)
                    continue
            peak = float(p.max())
            if centre == 'weighted':
                c = ndimage.center_of_mass(p)
            elif centre == 'core':
                c = ndimage.center_of_mass(p * (p >= max(0.5 * peak, t)))
            else:
                c = np.unravel_index(np.argmax(p), p.shape)
            c = np.array(c) + np.array([o + b.start for o, b in zip(offset, box)])
            out.append((peak, lps(geo, grid, c)))

    def visit_region(abs_box, region, li):
        saved = prob[abs_box].copy()
        prob[abs_box] = saved * region
        visit(abs_box, [b.start for b in abs_box], li)
        prob[abs_box] = saved

    visit(tuple(slice(0, s) for s in prob.shape), [0, 0, 0], 0)
    return out


def at_level(prob, geo, grid, t, centre='weighted'):
    return split_tree(prob, geo, grid, levels=(t,), centre=centre)


def diagnose(prob, truth, geo, grid, found):
    """For each counted nodule the candidates miss: its highest probability inside the truth mask, and the
    distance from its centre to the candidate holding that voxel."""
    rows = []
    matched = {h for _, h in match(found, geo.nodules) if h >= 0}
    comps, count = ndimage.label(truth)
    at01, _ = ndimage.label(prob >= 0.1, structure=S26)
    for n in range(1, count + 1):
        vox = np.argwhere(comps == n)
        nod = nodule_at(geo, grid, vox)
        idx = geo.nodules.index(nod)
        if nod['diameterMm'] < 4 or idx in matched:
            continue
        p = prob[comps == n]
        peak_vox = vox[np.argmax(p)]
        lab = at01[tuple(peak_vox)]
        dist = None
        if lab:
            c = ndimage.center_of_mass(prob * (at01 == lab))
            dist = float(np.linalg.norm(lps(geo, grid, c) - np.array(nod['centre'])))
            size = int((at01 == lab).sum())
        rows.append(dict(d=nod['diameterMm'], type=nod['type'], att=nod['attached'], pmax=round(float(p.max()), 3),
                         dist=None if dist is None else round(dist, 1), blob=size if lab else 0))
    return rows


def main():
    cache = sys.argv[1]
    strategies = {
        'baseline@0.1': baseline,
        'level0.5': lambda p, g, gr: at_level(p, g, gr, 0.5),
        'level0.3': lambda p, g, gr: at_level(p, g, gr, 0.3),
        'tree weighted': lambda p, g, gr: split_tree(p, g, gr),
        'tree core': lambda p, g, gr: split_tree(p, g, gr, centre='core'),
        'tree peak': lambda p, g, gr: split_tree(p, g, gr, centre='peak'),
        'tree fine core': lambda p, g, gr: split_tree(p, g, gr, levels=tuple(np.round(np.arange(0.1, 1.0, 0.1), 2)),
                                                      centre='core'),
    }
    per = {k: [] for k in strategies}
    missed = []
    for pkl in sorted(glob.glob(os.path.join(cache, '*.pkl'))):
        g = pickle.load(open(pkl, 'rb'))
        z = np.load(pkl[:-4] + '.npz')
        prob, truth = z['prob'].astype(np.float32), z['labels']
        geo, grid = Geometry(g), g['grid']
        for k, f in strategies.items():
            found = f(prob, geo, grid)
            per[k].append((match(found, geo.nodules), geo.nodules))
            if k == 'baseline@0.1':
                missed += [dict(scan=g['name'], **r) for r in diagnose(prob, truth, geo, grid, found)]
    print(f'{len(per["baseline@0.1"])} scans')
    for k, ps in per.items():
        sens, cpm, total, _ = froc(ps)
        print(f'{k:16s} sens@1 {sens["1"]:.3f}  sens@0.25 {sens["0.25"]:.3f}  sens@8 {sens["8"]:.3f}  CPM {cpm:.3f}  '
              f'({total} nodules, {sum(len(m) for m, _ in ps)} candidates)')
    print('missed by baseline:')
    for r in missed:
        print(' ', r)


if __name__ == '__main__':
    main()
