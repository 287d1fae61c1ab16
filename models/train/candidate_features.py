"""Per-candidate measurements for a false-positive reduction stage: what a second look at each connected component
of the probability map can use beyond its peak probability (which is all the FROC ranks by today). Every
feature is in physical units or a probability, so it means the same on the model grid (here) as at a series'
own resolution (the app).

    features(prob, image, grid, study, threshold) -> (rows [n, len(NAMES)], candidates [(peak, lps)])

`image` is the model-grid image normalised to the window [0, 1]; `prob` the map on the same grid."""
import numpy as np
from scipy import ndimage

from evaluate import model_to_lps

NAMES = [
    'peak', 'mean_p', 'frac_p05', 'log_vol_mm3', 'log_vol05_mm3', 'extent_z_mm', 'extent_xy_mm',
    'axis1_mm', 'axis2_mm', 'axis3_mm', 'elongation', 'flatness', 'slices05', 'hu_mean', 'hu_max', 'hu_std',
    'hu_ring', 'contrast', 'z_fraction', 'peak_fill',
]
S26 = np.ones((3, 3, 3))
MAX_CANDIDATES = 300
RING_MM = 3.0  # a candidate's surround: below the threshold, within this in its own planes (second-look.ts's RING_MM)


def voxel_mm(study, grid):
    return np.array([study.spacing[2], study.spacing[1] * grid.scale_row, study.spacing[0] * grid.scale_col])


def shape_features(p, voxels, mm, slices):
    """The SHAPE_NAMES measurements of one component from its probabilities alone: p [n] at voxels [n, 3] (k, row,
    column), voxel size mm (slice, row, column) and the series' slice count — what src/inference/second-look.ts
    computes in the app (a test runs both on the same map)."""
    p = np.asarray(p, np.float64)
    voxels = np.asarray(voxels)
    voxel_volume = float(np.prod(mm))
    idx = voxels.astype(np.float64) * mm
    cov = np.cov(idx.T) if len(idx) > 1 else np.zeros((3, 3))
    axes = np.sqrt(np.clip(np.sort(np.linalg.eigvalsh(cov))[::-1], 0, None)) + min(mm) / np.sqrt(12)
    ks = voxels[:, 0]
    above = p >= 0.5
    peak = float(p.max())
    return dict(
        peak=peak, mean_p=p.mean(), frac_p05=above.mean(), log_vol_mm3=np.log1p(len(p) * voxel_volume),
        log_vol05_mm3=np.log1p(above.sum() * voxel_volume), extent_z_mm=(ks.max() - ks.min() + 1) * mm[0],
        extent_xy_mm=max((np.ptp(voxels[:, 1]) + 1) * mm[1], (np.ptp(voxels[:, 2]) + 1) * mm[2]),
        axis1_mm=axes[0], axis2_mm=axes[1], axis3_mm=axes[2], elongation=axes[0] / axes[2],
        flatness=axes[1] / axes[2], slices05=len(np.unique(ks[above])) if above.any() else 0,
        z_fraction=voxels[:, 0].mean() / max(1, slices - 1), peak_fill=(p >= 0.9 * peak).mean())


SHAPE_NAMES = [n for n in NAMES if not n.startswith('hu_') and n != 'contrast']
IMAGE_NAMES = [n for n in NAMES if n not in SHAPE_NAMES]


def ring_footprint(mm):
    """The in-plane square within RING_MM of a voxel (half-widths rounded half up, at least 1), as the app takes it."""
    half = [max(1, int(np.floor(RING_MM / mm[a] + 0.5))) for a in (1, 2)]
    return np.ones((1, 2 * half[0] + 1, 2 * half[1] + 1), bool), max(half)


def image_features(hu, hu_around):
    """The IMAGE_NAMES measurements from a candidate's modality values (clamped to what the model sees) and its
    surround's (empty: the candidate's own)."""
    hu = np.asarray(hu, np.float64)
    hu_around = np.asarray(hu_around, np.float64) if len(hu_around) else hu
    return dict(hu_mean=hu.mean(), hu_max=hu.max(), hu_std=hu.std(), hu_ring=hu_around.mean(),
                contrast=hu.mean() - hu_around.mean())


def features(prob, image, grid, study, threshold, window=(-1000, 400), limit=MAX_CANDIDATES):
    """Each component's measurements, in label order (all of them when `limit` is None)."""
    labels, count = ndimage.label(prob >= threshold, structure=S26)
    if count == 0:
        return np.zeros((0, len(NAMES)), np.float32), []
    limit = count if limit is None else limit
    mm = voxel_mm(study, grid)
    footprint, half = ring_footprint(mm)
    lo, hi = window
    rows, found = [], []
    objects = ndimage.find_objects(labels)
    if count > limit:  # an untrained network's map: measure the highest peaks only
        peaks = ndimage.maximum(prob, labels, np.arange(1, count + 1))
        keep = set((np.argsort(-peaks)[:limit] + 1).tolist())
    for n, box in enumerate(objects, start=1):
        if count > limit and n not in keep:
            continue
        pad = tuple(slice(max(0, s.start - half), s.stop + half) for s in box)
        mask = labels[pad] == n
        p = prob[pad][mask].astype(np.float64)
        hu = image[pad].astype(np.float64) * (hi - lo) + lo
        around = ndimage.binary_dilation(mask, structure=footprint) & (labels[pad] == 0)
        voxels = np.argwhere(mask) + [s.start for s in pad]
        shape = shape_features(p, voxels, mm, prob.shape[0])
        shape.update(image_features(hu[mask], hu[around]))
        rows.append([shape[name] for name in NAMES])
        weights = p / p.sum()
        centre = (voxels * weights[:, None]).sum(axis=0)
        found.append((shape['peak'], model_to_lps(study, grid, *centre)))
    return np.asarray(rows, np.float32), found


def second_look_score(look, row):
    """A manifest's `secondLook` classifier on one candidate's measurements (row: NAMES order), as the app scores."""
    x = np.array([row[NAMES.index(name)] for name in look['features']], np.float64)
    x = (x - np.array(look['mean'])) / np.array(look['std'])
    for layer in look['layers']:
        x = np.array(layer['weights']) @ x + np.array(layer['bias'])
        if layer['activation'] == 'tanh':
            x = np.tanh(x)
    return float(1 / (1 + np.exp(-x[0])))


def apply_second_look(prob, image, grid, study, look, window=(-1000, 400)):
    """What src/inference/second-look.ts does to the map, on the model grid: each candidate (component at p ≥ the
    look's candidate threshold) scaled so its peak is its score, never raised. Returns a new map."""
    threshold = look['candidateThreshold']
    rows, _ = features(prob, image, grid, study, threshold, window, limit=None)
    labels, _ = ndimage.label(prob >= threshold, structure=S26)
    factor = np.ones(len(rows) + 1)
    for n, row in enumerate(rows, start=1):
        peak = float(row[NAMES.index('peak')])
        factor[n] = min(1.0, second_look_score(look, row) / peak)
    return (prob * factor[labels]).astype(prob.dtype)


if __name__ == '__main__':
    # Parity with the app (tests/inference/second-look.test.ts): a uint8 map (probability x 255), slices x rows x
    # columns, in a raw file; prints each component's SHAPE_NAMES measurements at `level` (a stored value), in
    # the order of each component's first voxel (i fastest, then j, then k) — and, given a raw float32 file of
    # modality values on the same grid and the range the model sees, its IMAGE_NAMES measurements too.
    # Given a manifest's secondLook JSON and an output path as well, it writes the map after apply_second_look (the
    # same uint8 layout), for the app's applySecondLook to be held to.
    #   candidate_features.py MAP COLS ROWS SLICES SX SY SZ LEVEL [HU LO HI [LOOK OUT]]
    import json
    import sys
    path, cols, rows, slices, sx, sy, sz, level = sys.argv[1:9]
    shape3 = (int(slices), int(rows), int(cols))
    values = np.fromfile(path, np.uint8).reshape(shape3)
    labels, count = ndimage.label(values >= int(level), structure=S26)
    mm = np.array([float(sz), float(sy), float(sx)])
    if len(sys.argv) > 9:
        hu = np.clip(np.fromfile(sys.argv[9], np.float32).reshape(shape3), float(sys.argv[10]), float(sys.argv[11]))
        footprint, _ = ring_footprint(mm)
    out = []
    for n in range(1, count + 1):
        mask = labels == n
        shape = shape_features(values[mask] / 255.0, np.argwhere(mask), mm, int(slices))
        if len(sys.argv) > 9:
            shape.update(image_features(hu[mask], hu[ndimage.binary_dilation(mask, structure=footprint) & (labels == 0)]))
        out.append({k: float(v) for k, v in shape.items()})
    if len(sys.argv) > 12:
        from types import SimpleNamespace
        look = json.load(open(sys.argv[12]))
        study = SimpleNamespace(spacing=(float(sx), float(sy), float(sz)), origin=np.zeros(3), direction=np.eye(3))
        grid = SimpleNamespace(scale_row=1.0, scale_col=1.0)
        lo, hi = float(sys.argv[10]), float(sys.argv[11])
        looked = apply_second_look(values / 255.0, (hu - lo) / (hi - lo), grid, study, look, (lo, hi))
        np.floor(looked * 255 + 0.5).astype(np.uint8).tofile(sys.argv[13])  # rounded half up, as the app rounds
    print(json.dumps(out))
