"""Independent read-back of an exported SEG with pydicom against its source series.

usage: check-seg.py SEG_FILE DICOM_FILE...
Expected segments (what the test painted, by source Instance Number): segment 1 = HU > -800 on instances 2
and 3; segment 2 = HU < -650 on instance 4. Prints JSON with mismatches and the references found.
"""
import json, sys
import numpy as np
import pydicom

seg = pydicom.dcmread(sys.argv[1])
sources = {}
for p in sys.argv[2:]:
    ds = pydicom.dcmread(p)
    sources[ds.SOPInstanceUID] = ds

def expected(segment, ds):
    hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    n = int(ds.InstanceNumber)
    if segment == 1:
        return (hu > -800) & (n in (2, 3))
    return (hu < -650) & (n == 4)

frames = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns)
out = {'frames': int(seg.NumberOfFrames), 'pixelMismatches': 0, 'positionErrorMm': 0.0, 'unresolved': 0,
       'segments': [], 'framesPerSegment': {}}
for item in seg.SegmentSequence:
    out['segments'].append({'number': int(item.SegmentNumber), 'label': item.SegmentLabel,
                            'algorithmType': item.SegmentAlgorithmType,
                            'algorithmName': getattr(item, 'SegmentAlgorithmName', None),
                            'category': item.SegmentedPropertyCategoryCodeSequence[0].CodeValue,
                            'type': item.SegmentedPropertyTypeCodeSequence[0].CodeValue})
for index, group in enumerate(seg.PerFrameFunctionalGroupsSequence):
    number = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
    ref = group.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
    src = sources.get(ref)
    if src is None:
        out['unresolved'] += 1
        continue
    ipp = np.array([float(v) for v in group.PlanePositionSequence[0].ImagePositionPatient])
    out['positionErrorMm'] = max(out['positionErrorMm'],
                                 float(np.abs(ipp - np.array([float(v) for v in src.ImagePositionPatient])).max()))
    out['pixelMismatches'] += int((frames[index].astype(bool) != expected(number, src)).sum())
    out['framesPerSegment'][str(number)] = out['framesPerSegment'].get(str(number), 0) + 1
first = next(iter(sources.values()))
refs = seg.ReferencedSeriesSequence[0]
out.update({
    'sameStudy': seg.StudyInstanceUID == first.StudyInstanceUID,
    'sameFrameOfReference': seg.FrameOfReferenceUID == first.FrameOfReferenceUID,
    'referencedSeries': refs.SeriesInstanceUID == first.SeriesInstanceUID,
    'referencedInstancesResolve': all(r.ReferencedSOPInstanceUID in sources for r in refs.ReferencedInstanceSequence),
    'contentCreator': str(seg.ContentCreatorName),
    'patientIdentityRemoved': getattr(seg, 'PatientIdentityRemoved', None),
    'preambleZero': open(sys.argv[1], 'rb').read(128) == b'\0' * 128,
})
print(json.dumps(out))
