"""Reference for the export bench's density row: pydicom reads the given slices (rescale applied) and numpy takes
the mean, SD and share >= -300 HU under each label. Prints the seconds spent after the imports (reading and
computing), so Python's start-up is not counted.
    label-density.py LABEL_FILE SIZE K:FILE [K:FILE ...]    (LABEL_FILE: uint8 labels, k-major, SIZE² per slice)"""
import sys
import time

import numpy as np
import pydicom

label_file, size = sys.argv[1], int(sys.argv[2])
pairs = [arg.split(':', 1) for arg in sys.argv[3:]]
labels = np.fromfile(label_file, np.uint8).reshape(-1, size, size)
start = time.perf_counter()
ks = [int(k) for k, _ in pairs]
hu = {}
for k, path in pairs:
    ds = pydicom.dcmread(path)
    hu[int(k)] = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
for n in range(1, int(labels.max()) + 1):
    values = np.concatenate([hu[k][labels[k] == n] for k in ks if (labels[k] == n).any()])
    values.mean(), values.std(), (values >= -300).mean()
print(time.perf_counter() - start)
