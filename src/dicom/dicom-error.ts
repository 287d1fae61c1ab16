// The one error type the DICOM layer throws for bad input: it names the file and the reason, so callers can
// turn it into a per-file entry ("path: reason") and carry on with the other files.

export class DicomError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'DicomError';
  }
}
