# Independent reader for tests/sample: reads a synthetic study with pydicom and numpy only (no Overread
# code) and prints what it measured as JSON; the TypeScript test judges the numbers against truth.json.
import gzip, json, os, sys

import numpy as np
import pydicom

study_dir = sys.argv[1]
truth = json.load(open(os.path.join(study_dir, "truth.json")))
files = [os.path.join(study_dir, "dicom", name) for name in sorted(os.listdir(os.path.join(study_dir, "dicom")))]
datasets = [pydicom.dcmread(path) for path in files]
datasets.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
hu = np.stack([ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept) for ds in datasets])
first = datasets[0]
geometry = {
    "rows": int(first.Rows),
    "columns": int(first.Columns),
    "pixelSpacing": [float(v) for v in first.PixelSpacing],
    "orientation": [float(v) for v in first.ImageOrientationPatient],
    "positions": [[float(v) for v in ds.ImagePositionPatient] for ds in datasets],
    "sliceLocations": [float(ds.SliceLocation) for ds in datasets],
    "sopInstanceUids": [str(ds.SOPInstanceUID) for ds in datasets],
    "studyInstanceUids": sorted({str(ds.StudyInstanceUID) for ds in datasets}),
    "seriesInstanceUids": sorted({str(ds.SeriesInstanceUID) for ds in datasets}),
    "sopClassUids": sorted({str(ds.SOPClassUID) for ds in datasets}),
}
g = truth["geometry"]
origin, spacing = np.array(g["origin"]), np.array(g["spacing"])


def voxel(point):
    # Axial, ascending z: index = (point - origin) / spacing per axis.
    i, j, k = np.rint((np.array(point) - origin) / spacing).astype(int)
    return int(i), int(j), int(k)


def patch(point, half):
    i, j, k = voxel(point)
    return hu[k, max(0, j - half) : j + half + 1, max(0, i - half) : i + half + 1]


def patch_median(point, half):
    return float(np.median(patch(point, half)))


mask = np.frombuffer(gzip.open(os.path.join(study_dir, truth["mask"]["file"])).read(), dtype=np.uint8)
mask = mask.reshape(g["size"][2], g["size"][1], g["size"][0])
nodules = []
for nodule in truth["nodules"]:
    voxels = hu[mask == nodule["label"]]
    nodules.append(
        {
            "id": nodule["id"],
            "centreHu": patch_median(nodule["centre"], 0),
            "centreMaxHu": float(patch(nodule["centre"], 1).max()),
            "maskMedianHu": float(np.median(voxels)) if voxels.size else None,
            "maskVoxels": int(voxels.size),
        }
    )
print(
    json.dumps(
        {
            "geometry": geometry,
            "maskVoxelsTotal": int(mask.astype(bool).sum()),
            "nodules": nodules,
            "airHu": patch_median(truth["landmarks"]["air"], 2),
            "lungHu": [patch_median(p, 1) for p in truth["landmarks"]["lungs"]],
        }
    )
)
