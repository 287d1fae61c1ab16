"""Synthetic training/evaluation data for the Overread nodule model.

Owns: generating studies with `overread sample` (fixed seeds), reading them back with pydicom (the DICOM files,
not the generator's internals, so the model sees what the app sees), and the in-plane resampling to the model
grid. The resampling is a line-by-line port of src/inference/model-grid.ts (modelGrid + axisTaps +
resampleSlice): pixel-centre aligned bilinear, edge samples clamped, padding at the end up to sizeMultiple
filled with the window's low end (0 after normalisation). Keeping it identical is what lets the TypeScript
engine reproduce the training preprocessing from model.json alone.
"""
import gzip
import json
import os
import subprocess
from dataclasses import dataclass

import numpy as np
import pydicom

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def generate(outdir, studies, seed, size):
    """Runs `overread sample` unless the folder already holds the requested studies (re-runs reuse them)."""
    marker = os.path.join(outdir, f'.done-{studies}-{seed}-{size}')
    if os.path.exists(marker):
        return
    subprocess.run(['node', os.path.join(REPO, 'bin', 'overread.js'), 'sample', outdir, '--studies', str(studies),
                    '--seed', str(seed), '--size', str(size)], check=True, cwd=REPO)
    open(marker, 'w').close()


@dataclass
class Study:
    name: str
    hu: np.ndarray           # float32 [k, rows, cols] in HU, k ascending in z (patient position)
    mask: np.ndarray         # uint8 [k, rows, cols] nodule labels (0 = background, n = nodules[n-1])
    spacing: tuple           # (col mm, row mm, slice mm)
    origin: np.ndarray       # LPS of voxel (0, 0, 0)
    direction: np.ndarray    # 3x3, rows = i, j, k unit vectors
    nodules: list            # truth.json nodules


def load_study(study_dir):
    """Reads one `overread sample` study: every DICOM file of its series sorted by position along the normal."""
    truth = json.load(open(os.path.join(study_dir, 'truth.json')))
    dicom_dir = os.path.join(study_dir, 'dicom')
    slices = []
    for name in os.listdir(dicom_dir):
        ds = pydicom.dcmread(os.path.join(dicom_dir, name))
        orientation = np.array(ds.ImageOrientationPatient, dtype=np.float64)
        normal = np.cross(orientation[:3], orientation[3:])
        position = np.array(ds.ImagePositionPatient, dtype=np.float64)
        hu = ds.pixel_array.astype(np.float32) * float(getattr(ds, 'RescaleSlope', 1)) + float(
            getattr(ds, 'RescaleIntercept', 0))
        slices.append((float(position @ normal), position, orientation, normal, hu, ds))
    slices.sort(key=lambda s: s[0])
    first = slices[0]
    ds = first[5]
    row_mm, col_mm = (float(v) for v in ds.PixelSpacing)  # PixelSpacing = [between rows, between columns]
    slice_mm = (slices[-1][0] - first[0]) / max(1, len(slices) - 1)
    volume = np.stack([s[4] for s in slices])
    g = truth['geometry']
    size = g['size']
    mask = np.frombuffer(gzip.decompress(open(os.path.join(study_dir, truth['mask']['file']), 'rb').read()),
                         dtype=np.uint8).reshape(size[2], size[1], size[0])
    if volume.shape != mask.shape:
        raise ValueError(f'{study_dir}: DICOM volume {volume.shape} does not match truth mask {mask.shape}')
    direction = np.stack([first[2][:3], first[2][3:], first[3]])
    # '<set folder>/study-NNN': study folders repeat across seeds, so the name carries its set.
    name = os.path.join(os.path.basename(os.path.dirname(study_dir)), os.path.basename(study_dir))
    return Study(name, volume, mask, (col_mm, row_mm, slice_mm), first[1], direction,
                 truth['nodules'])


# ---- model grid: port of src/inference/model-grid.ts -------------------------------------------------------

@dataclass
class Grid:
    rows: int
    cols: int
    inner_rows: int
    inner_cols: int
    scale_row: float
    scale_col: float


def model_grid(cols, rows, spacing_col, spacing_row, target_mm, multiple):
    inner_cols = max(1, round(cols * spacing_col / target_mm))
    inner_rows = max(1, round(rows * spacing_row / target_mm))
    up = lambda n: -(-n // multiple) * multiple  # noqa: E731 — round up to the U-Net's stride multiple
    return Grid(up(inner_rows), up(inner_cols), inner_rows, inner_cols, rows / inner_rows, cols / inner_cols)


def axis_taps(out_count, scale, offset, first, last):
    n = np.arange(out_count, dtype=np.float64)
    x = (n - offset + 0.5) * scale - 0.5
    inside = (x >= first - 0.5 - 1e-9) & (x <= last + 0.5 + 1e-9)
    clamped = np.clip(x, first, last)
    lo = np.floor(clamped).astype(np.int64)
    hi = np.minimum(lo + 1, last)
    weight = (clamped - lo).astype(np.float32)
    return lo, hi, weight, inside


def to_model(volume, grid, fill=0.0):
    """Bilinear resampling of [k, rows, cols] to the model grid, as resampleSlice does (fill outside)."""
    k, rows, cols = volume.shape
    rlo, rhi, rw, rin = axis_taps(grid.rows, grid.scale_row, 0, 0, rows - 1)
    clo, chi, cw, cin = axis_taps(grid.cols, grid.scale_col, 0, 0, cols - 1)
    top = volume[:, rlo, :]
    bottom = volume[:, rhi, :]
    rows_mixed = top + (bottom - top) * rw[None, :, None]
    left = rows_mixed[:, :, clo]
    right = rows_mixed[:, :, chi]
    out = left + (right - left) * cw[None, None, :]
    out[:, ~rin, :] = fill
    out[:, :, ~cin] = fill
    return out.astype(np.float32)


def model_to_series_index(n, scale):
    """Continuous series pixel index of model pixel n (inverse of the pixel-centre alignment above)."""
    return (n + 0.5) * scale - 0.5


def normalise(hu, window):
    lo, hi = window
    return np.clip((hu - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)


def prepare(study, target_mm, multiple, window):
    """Study → (normalised image on the model grid [k, R, C], nodule label on the model grid, grid)."""
    grid = model_grid(study.hu.shape[2], study.hu.shape[1], study.spacing[0], study.spacing[1], target_mm,
                      multiple)
    # Normalise before resampling, as the engine maps each bilinear sample through the window in one pass:
    # window(bilinear(hu)) — so resample HU first, then normalise, then pad with the window's low end.
    image = to_model(study.hu, grid, fill=-1e9)
    image = normalise(image, window)
    labels = to_model((study.mask > 0).astype(np.float32), grid, fill=0.0)
    return image, labels, grid


def stack_channels(image, k, offsets, window=(slice(None), slice(None))):
    """One channel per entry of `offsets` (slices from k, see channel_offsets), each linearly interpolated between
    the two nearest slices and clamped at the first/last slice — a port of channelTaps and SliceBatcher.batch in
    src/inference/slice-batcher.ts. `window` (rows, cols slices) stacks only that part of each slice: training
    crops 64² patches, and stacking whole slices for each was a fifth of a step."""
    last = image.shape[0] - 1
    image = image[:, window[0], window[1]]
    out = np.empty((len(offsets),) + image.shape[1:], dtype=np.float32)
    for c, offset in enumerate(offsets):
        lo = int(np.floor(offset + 1e-9))
        weight = max(0.0, offset - lo)
        below = image[min(max(k + lo, 0), last)].astype(np.float32)
        if weight < 1e-6:
            out[c] = below
            continue
        above = image[min(max(k + lo + 1, 0), last)].astype(np.float32)
        out[c] = below + (above - below) * np.float32(weight)
    return out


def channel_offsets(cfg, slice_mm):
    """Each channel's distance from the predicted slice, in slices of a series this far apart: channel_offsets_mm
    (the manifest's channelOffsetsMm) divided by the spacing; else (c - half) × slice_spacing_mm / the spacing
    (sliceSpacingMm); else adjacent slices. The arithmetic is channelTaps', so both engines tap the same slices."""
    half = (cfg['channels'] - 1) // 2
    if cfg.get('channel_offsets_mm'):
        return [o / slice_mm for o in cfg['channel_offsets_mm']]
    spacing = cfg.get('slice_spacing_mm')
    step = spacing / slice_mm if spacing and slice_mm > 0 else 1.0
    return [(c - half) * step for c in range(cfg['channels'])]
