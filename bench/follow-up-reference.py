"""The follow-up bench's reference: pydicom reads the two series (the same slices Overread samples), numpy
averages them into 4 mm cells of a lattice in patient coordinates, and scikit-image's phase correlation
(skimage.registration.phase_cross_correlation, upsampled to 1/10 cell) finds the shift between them.

usage: follow-up-reference.py CURRENT_DICOM_DIR PRIOR_DICOM_DIR [CELL_MM]
prints JSON: {"seconds": …, "translationMm": [x, y, z]} — what to add to a current point to reach the prior.
"""
import glob
import json
import math
import sys
import time

import numpy as np
import pydicom
from skimage.registration import phase_cross_correlation

LOW, HIGH = -1000.0, 400.0


def lattice(folder, cell):
    """(low corner in cells, z-y-x array of cell means, z-y-x array of sample counts)"""
    files = glob.glob(folder + "/*")
    heads = [pydicom.dcmread(f, stop_before_pixels=True) for f in files]
    row = np.array(heads[0].ImageOrientationPatient[:3], float)
    col = np.array(heads[0].ImageOrientationPatient[3:], float)
    normal = np.cross(row, col)
    order = sorted(range(len(files)), key=lambda n: float(np.dot(heads[n].ImagePositionPatient, normal)))
    positions = [float(np.dot(heads[n].ImagePositionPatient, normal)) for n in order]
    gap = abs(positions[-1] - positions[0]) / max(1, len(positions) - 1)
    step = max(1, math.floor(cell / 2 / gap))
    # The lattice box from the stack's corners, so every slice adds into one flat array.
    rows, cols = int(heads[0].Rows), int(heads[0].Columns)
    dr, dc = (float(v) for v in heads[0].PixelSpacing)
    corners = [
        np.array(heads[n].ImagePositionPatient, float) + row * i * dc + col * j * dr
        for n in (order[0], order[-1])
        for i in (0, cols - 1)
        for j in (0, rows - 1)
    ]
    low = np.floor(np.min(corners, axis=0) / cell).astype(np.int64)
    size = np.floor(np.max(corners, axis=0) / cell).astype(np.int64) - low + 1
    sums = np.zeros(int(np.prod(size)))
    counts = np.zeros(int(np.prod(size)))
    stride = max(1, math.floor(cell / 2 / dc))
    jj, ii = np.mgrid[0:rows:stride, 0:cols:stride]
    for n in order[::step]:
        ds = pydicom.dcmread(files[n])
        pixels = ds.pixel_array[::stride, ::stride].astype(np.float32)
        pixels = pixels * float(getattr(ds, "RescaleSlope", 1)) + float(getattr(ds, "RescaleIntercept", 0))
        origin = np.array(ds.ImagePositionPatient, float)
        points = origin[:, None, None] + row[:, None, None] * ii * dc + col[:, None, None] * jj * dr
        cells = np.floor(points / cell).astype(np.int64).reshape(3, -1) - low[:, None]
        flat = cells[0] + size[0] * (cells[1] + size[1] * cells[2])
        sums += np.bincount(flat, weights=np.clip(pixels, LOW, HIGH).reshape(-1), minlength=sums.size)
        counts += np.bincount(flat, minlength=counts.size)
    means = np.divide(sums, counts, out=np.full_like(sums, LOW), where=counts > 0)
    shape = tuple(size[::-1].tolist())
    return low, means.reshape(shape), counts.reshape(shape)


def main():
    current_dir, prior_dir = sys.argv[1], sys.argv[2]
    cell = float(sys.argv[3]) if len(sys.argv) > 3 else 4.0
    started = time.perf_counter()
    lattices = lattice(current_dir, cell), lattice(prior_dir, cell)
    # Both into one box (global cell indices); cells neither scan sampled read as air.
    low = np.minimum(lattices[0][0], lattices[1][0])
    high = np.maximum(*(l[0] + np.array(l[1].shape[::-1]) - 1 for l in lattices))
    shape = tuple((high - low + 1)[::-1].tolist())
    grids = []
    for start, means, _ in lattices:
        grid = np.full(shape, LOW, np.float32)
        at = (start - low)[::-1]
        grid[at[0] : at[0] + means.shape[0], at[1] : at[1] + means.shape[1], at[2] : at[2] + means.shape[2]] = means
        grids.append(grid)
    shift, _, _ = phase_cross_correlation(grids[1], grids[0], upsample_factor=10)
    translation = [float(shift[2]) * cell, float(shift[1]) * cell, float(shift[0]) * cell]
    print(json.dumps({"seconds": time.perf_counter() - started, "translationMm": translation}))


main()
