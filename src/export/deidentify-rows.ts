// Owns de-identifying the findings table the way the DICOM objects are: the same keyed UID mapping (so a row's
// UIDs match the exported SEG and images), readers as pseudonyms, and free text and dates dropped — a reason a
// reader typed may name the patient, and decision dates can date the exam. A reason from the app's fixed
// rejection vocabulary names nobody and is what a researcher needs to study false positives, so it stays.
import type { Pseudonyms, UidRemapper } from '../dicom/deidentify/uid-remapper.ts';
import type { FindingExportRow } from './findings-table.ts';
import { isRejectReason } from '../shared/review-vocabulary.ts';

export function deidentifyFindingRows(
  rows: FindingExportRow[],
  uids: UidRemapper,
  pseudonyms: Pseudonyms,
): FindingExportRow[] {
  return rows.map((row) => ({
    ...row,
    studyInstanceUid: uids.map(row.studyInstanceUid),
    seriesInstanceUid: uids.map(row.seriesInstanceUid),
    // Mapped like every UID, so a prior exported alongside is found under the same pseudonymous UID.
    priorSeriesInstanceUid:
      row.priorSeriesInstanceUid === undefined ? undefined : uids.map(row.priorSeriesInstanceUid),
    reader: row.reader === undefined ? undefined : pseudonyms.of('reader', row.reader),
    reason: row.reason !== undefined && isRejectReason(row.reason) ? row.reason : undefined,
    decidedAt: undefined,
  }));
}
