// Public face of the header index: what the API, CLI and inference import.
export type {
  DicomIndex,
  FileError,
  FrameRef,
  IndexedPatient,
  IndexedSeries,
  IndexedStudy,
  InstanceHeader,
  InstanceLocation,
} from './index-types.ts';
export { indexDicom, groupInstances, groupPatients, type IndexOptions } from './index-dicom.ts';
export { seriesGeometry } from './series-geometry.ts';
export { readHeader } from './read-header.ts';
